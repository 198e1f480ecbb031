"""RS-NAG (Algorithm 1) and the generator plugin inside real searches."""

import io

import pytest
import torch

from nas_core import Budget, ConfigError, RunSpec, open_session
from nas_core.testing import require_data_dir
from nas_nag.outcome import honest_choice, paper_choice, top_generated
from nas_nag.plugin import DATASET, GENERATED
from nagtest_tiny import TINY_OPTIONS


def run(plugins, budget, **options):
    spec = RunSpec(tuple(plugins), Budget(trials=budget), 0, "nb201", "cifar10", None,
                   {**TINY_OPTIONS, **options}, "cpu", require_data_dir())  # fmt: skip
    session = open_session(spec)
    try:
        reason = session.run()
        return reason, list(session.study.trials), session
    finally:
        session.close()


def test_algorithm_1_dataset_then_n_s_new_generated_architectures_then_stop() -> None:
    reason, trials, _ = run(["nag"], 100, nag_dataset_size="10", nag_samples=12, nag_labels="high-acc,few-params")
    origins = [t.candidate.origin for t in trials]
    assert origins == [DATASET] * 10 + [GENERATED] * 12
    assert reason == "the strategy has no more candidates"
    keys = [t.candidate.arch.key for t in trials]
    assert len(set(keys)) == len(keys)  # generated ones are new to the study, and to each other
    assert {t.candidate.meta["labels"] for t in trials[10:]} == {"high-acc,few-params"}
    # Both protocols from the one run, and Algorithm 1's top-N_need.
    assert paper_choice(trials, 12) in trials[10:]
    assert honest_choice(trials, 12) in trials[:12]
    top = top_generated(trials, 3)
    assert [t.result.objective for t in top] == sorted((t.result.objective for t in trials[10:]), reverse=True)[:3]


def test_rounds_refit_nag_on_the_dataset_and_the_generated_results_between_them() -> None:
    _, trials, session = run(["nag"], 100, nag_dataset_size="10", nag_samples=12, nag_rounds=3, nag_refit_epochs=3)
    states = session.plugins.state_dicts()
    assert [t.candidate.origin for t in trials] == [DATASET] * 10 + [GENERATED] * 12
    assert len({t.candidate.arch.key for t in trials}) == 22
    # Two refits, after 4 and 8 generated answers; the last round's answers are not needed.
    assert states["nag.RSNAG"]["round"] == 2
    model_keys = [r["arch"] for r in states["nag.model"]["records"]]
    assert model_keys == [t.candidate.arch.to_dict() for t in trials[:18]]
    report = torch.load(io.BytesIO(states["nag.model"]["nag"]), weights_only=True)["report"]
    # Minibatches of 8: 2 epochs over 10 records, then 3 epochs over 14 and over 18.
    assert report["iterations"] == 2 * 2 + 3 * 2 + 3 * 3


def test_rounds_must_fit_in_the_samples() -> None:
    with pytest.raises(ConfigError, match="--nag-rounds must be between 1 and --nag-samples"):
        run(["nag"], 10, nag_samples=3, nag_rounds=4)


def test_the_generator_s_table_lookups_are_charged_to_the_budget_unless_told_not_to() -> None:
    _, charged, _ = run(["random", "nag-generator"], 20, nag_dataset_size="8")
    _, free, _ = run(["random", "nag-generator"], 20, nag_dataset_size="8", nag_charge_dataset=False)
    assert len(charged) == 20 - 8 and len(free) == 20
    assert {t.candidate.origin for t in free} == {"random"}
    assert len({t.candidate.arch.key for t in free}) == 20


def test_the_generator_needs_a_table_or_the_supernet() -> None:
    spec = RunSpec(("random", "nag-generator"), Budget(trials=3), 0, None, "digits", "nb201", TINY_OPTIONS, "cpu")
    with pytest.raises(ConfigError, match="nag-dataset supernet"):
        open_session(spec)
    spec = RunSpec(("nag",), Budget(trials=3), 0, None, "digits", "nb201", {**TINY_OPTIONS, "nag_dataset": "supernet"}, "cpu")
    with pytest.raises(ConfigError, match="nag-open"):
        open_session(spec)


def test_rs_nag_on_real_data_with_the_supernet_dataset() -> None:
    options = {
        **TINY_OPTIONS, "nag_dataset": "supernet", "nag_dataset_size": "6", "nag_samples": 3,
        "nag_supernet_epochs": 1, "nag_supernet_batch_size": 256, "train_epochs": 1,
        "nag_space_max_nodes": 5, "nag_space_channels": 4, "nag_space_cells": 1,
    }  # fmt: skip
    spec = RunSpec(("nag", "nag-space"), Budget(trials=10), 0, None, "digits", "nag-open", options, "cpu")
    session = open_session(spec)
    try:
        assert session.run() == "the strategy has no more candidates"
        trials = list(session.study.trials)
        states = session.plugins.state_dicts()
    finally:
        session.close()
    assert [t.candidate.origin for t in trials] == [GENERATED] * 3
    assert all(t.result.metrics["epochs"] == 1 for t in trials)
    assert states["nag.RSNAG"]["charged_seconds"] > 0
    assert len(states["nag.model"]["records"]) == 6
