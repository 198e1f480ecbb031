"""GPNAS over several fidelities: Hyperband brackets over training epochs (issue 24, item 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nas_core import ConfigError, NB201Space, Study, load_study, search, summarize
from nas_core.testing import require_data_dir

from nas_gpnas.decoupling import Decoupling
from nas_gpnas.predictor import GraphPredictor
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings

# digits, a one-cell NB201 network four channels wide: a trial takes a fraction of a second per epoch
TINY = {"nb201_channels": 4, "nb201_cells": 1, "train_epochs": 4, "gpnas_eta": 2}
# the predictor fitted after 4 trained children (it filters a fidelity only once 5 were trained there)
EARLY_PREDICTOR = {"gpnas_warmup": 4, "gpnas_predictor_epochs": 10, "gpnas_refine_steps": 2}
TRIALS = 11  # brackets 0 and 1 at eta 2 over 1..4 epochs: 4 at 1, 2 at 2, 1 at 4; then 3 at 2, 1 at 4


def trained(trials: int, storage: str | Path = ":memory:", *, resume: bool = False, **options) -> Study:
    """A tiny GPNAS search training NB201 cells on digits, seed 0."""
    return search("gpnas", budget=trials, space="nb201", dataset="digits", seed=0, storage=storage, resume=resume,
                  device="cpu", **{**TINY, **EARLY_PREDICTOR, **options})  # fmt: skip


def fingerprint(trials) -> list[tuple[str, int | None, str, float | None]]:
    return [(t.candidate.arch.key, t.candidate.fidelity, t.result.status.value, t.result.objective) for t in trials]


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[int | None]]]:
    """An uninterrupted tiny training search, as a study file, and the fidelities of every set of
    examples the predictor was trained on."""
    taught: list[list[int | None]] = []
    fit, refine = GraphPredictor.fit, GraphPredictor.refine
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(GraphPredictor, "fit", lambda self, a, f, *rest: (taught.append(list(f)), fit(self, a, f, *rest))[1])
        patch.setattr(GraphPredictor, "refine", lambda self, a, f, *rest: (taught.append(list(f)), refine(self, a, f, *rest))[1])
        storage = tmp_path_factory.mktemp("multifidelity") / "straight.db"
        trained(TRIALS, storage)
    return storage, taught


# -- the bracket schedule ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("low", "high", "eta", "rungs"),
    [
        # Hyperband (Li et al.) as SMAC runs it: s_max = log_eta(high / low) + 1 brackets, bracket s
        # starts ceil((s_max + 1) / (s + 1) * eta^s) configurations at high / eta^s, keeps 1/eta per rung
        (1.0, 9.0, 3, [[(9, 1.0), (3, 3.0), (1, 9.0)], [(5, 3.0), (1, 9.0)], [(3, 9.0)]]),
        (1.0, 4.0, 2, [[(4, 1.0), (2, 2.0), (1, 4.0)], [(3, 2.0), (1, 4.0)], [(3, 4.0)]]),
    ],
)
def test_a_searcher_runs_hyperband_brackets_and_promotes_the_best_of_each_rung(low, high, eta, rungs) -> None:
    searcher = BOHBSearcher("operators", Decoupling.of(NB201Space()).operator_space(),
                            BOHBSettings(eta=eta, min_budget=low, max_budget=high), seed=0)  # fmt: skip
    rng = np.random.default_rng(0)
    costs: dict[tuple, float] = {}  # a configuration's cost at every budget
    for bracket in rungs:
        previous: list[tuple] = []
        for count, budget in bracket:
            asked = [searcher.ask() for _ in range(count)]
            assert [s.budget for s in asked] == [budget] * count
            configurations = [tuple(sorted(s.values.items())) for s in asked]
            if previous:  # the best 1/eta of the rung before, by the costs told
                assert sorted(configurations) == sorted(sorted(previous, key=costs.__getitem__)[:count])
            for suggestion, configuration in zip(asked, configurations):
                searcher.tell(suggestion, costs.setdefault(configuration, float(rng.random())))
            previous = configurations


# -- a search that trains ------------------------------------------------------------------------------
def test_a_training_search_records_several_fidelities_and_promotes_the_best_children(straight) -> None:
    storage, _ = straight
    trials = load_study(storage).trials
    fidelities = [t.candidate.fidelity for t in trials]
    assert set(fidelities) == {1, 2, 4}
    assert fidelities[:7] == [1, 1, 1, 1, 2, 2, 4]  # bracket 0 (its four children are all new)
    first_rung = sorted(trials[:4], key=lambda t: -(t.result.objective or 0.0))
    assert [t.candidate.arch.key for t in trials[4:6]] == [t.candidate.arch.key for t in first_rung[:2]]
    best_of_second = max(trials[4:6], key=lambda t: t.result.objective or 0.0)
    assert trials[6].candidate.arch.key == best_of_second.candidate.arch.key
    # what nas trials shows, from the study file
    assert [row["fidelity"] for row in load_study(storage).table().records] == fidelities


def test_the_answer_is_the_best_child_at_the_highest_fidelity(straight) -> None:
    storage, _ = straight
    study = load_study(storage)
    full = [t for t in study.trials if t.candidate.fidelity == 4 and t.result.ok]
    best_full = max(full, key=lambda t: t.result.objective or 0.0)
    assert summarize(storage)["answer"]["key"] == best_full.candidate.arch.key
    assert study.best is not None and study.best.candidate.fidelity == 4
    assert study.best.trial_id == best_full.trial_id


def test_the_predictor_learns_from_children_trained_for_different_epochs(straight) -> None:
    _, taught = straight
    assert taught, "the predictor was never trained"
    assert len(taught[0]) == EARLY_PREDICTOR["gpnas_warmup"]  # fitted at the end of the warm-up
    assert set(taught[-1]) == {1, 2, 4}  # every fidelity, each its own epoch embedding


def test_a_training_search_resumed_mid_bracket_goes_on_as_the_uninterrupted_one(straight, tmp_path: Path) -> None:
    storage, _ = straight
    cut = tmp_path / "resumed.db"
    trained(5, cut)  # bracket 0 stopped after its first promotion
    resumed = trained(TRIALS, cut, resume=True)
    assert fingerprint(resumed.trials) == fingerprint(load_study(storage).trials)


def test_min_epochs_above_the_training_epochs_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match=r"^--gpnas-min-epochs must be at most --train-epochs \(4\), got 5$"):
        trained(1, gpnas_min_epochs=5)


def test_min_epochs_equal_to_the_training_epochs_trains_every_child_fully() -> None:
    trials = trained(3, gpnas_min_epochs=4).trials
    assert [t.candidate.fidelity for t in trials] == [4, 4, 4]


def test_on_a_table_of_one_fidelity_every_child_is_full_and_the_answer_is_the_best_trial(tmp_path: Path) -> None:
    storage = tmp_path / "nb201.db"
    study = search("gpnas", budget=12, benchmark="nb201", dataset="cifar10", seed=0, storage=storage, device="cpu",
                   data_dir=require_data_dir())  # fmt: skip
    assert {t.candidate.fidelity for t in study.trials} == {None}
    assert summarize(storage)["answer"] is None  # no answer named: the best trial answers
