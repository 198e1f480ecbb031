"""The pieces of GPNAS: decoupled spaces, Algorithm 1, the predictor, the filter, the stability run."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ConfigSpace import Configuration
from scipy.stats import spearmanr
from smac.runhistory import RunHistory
from smac.scenario import Scenario

from nas_core import (
    Budget, Candidate, NB201Cell, NB201Space, Result, RunSpec, Status, hookimpl, load_benchmark,
    open_session,
)
from nas_core.testing import require_data_dir

from nas_gpnas.decoupling import MISSING, PRESENT, Decoupling, random_values
from nas_gpnas.filter import PREDICTED_METRIC, Example, FilterSettings, PredictorFilter
from nas_gpnas.kde import FormattedOnceConfiguration, KDEConfigSelector, KDESettings, Observations, normal_reference_bandwidths
from nas_gpnas.predictor import GraphPredictor, PredictorSettings
from nas_gpnas.revival import Child, Revival
from nas_gpnas import strategy
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings, Suggestion

SMALL_FILTER = {"gpnas_warmup": 6, "gpnas_filter_patience": 2, "gpnas_predictor_epochs": 10, "gpnas_refine_steps": 2}


# A filter fitted after 6 trained children: on seed 0 the first skipped children are revived at
# trained children 13-15 (after the halfway point of 16, where the resume tests cut the run).
REVIVING = {"gpnas_warmup": 6, "gpnas_predictor_epochs": 10, "gpnas_revive": True}


def run(plugins: tuple[str, ...], trials: int, seed: int = 0, **options):
    return run_with_strategy(plugins, trials, seed, **options)[0]


def nb201_spec(plugins: tuple[str, ...], trials: int, seed: int = 0, **options) -> RunSpec:
    return RunSpec(
        plugins=plugins,
        budget=Budget(trials=trials),
        seed=seed,
        benchmark="nb201",
        dataset="cifar10",
        options=options,
        device="cpu",
        data_dir=require_data_dir(),
    )


def run_with_strategy(plugins: tuple[str, ...], trials: int, seed: int = 0, **options):
    """The trials of a run on NB201 cifar10, and its GPNAS strategy object (None without one)."""
    session = open_session(nb201_spec(plugins, trials, seed, **options))
    try:
        session.run()
        gpnas = session.plugins.get("gpnas.GPNAS") if "gpnas" in plugins else None
        return list(session.study.trials), gpnas
    finally:
        session.close()


# -- decoupling (paper III.A) ----------------------------------------------------------------------
def test_nb201_decouples_into_edges_present_and_operations_of_present_edges() -> None:
    d = Decoupling.of(NB201Space())
    topology, operators = d.topology_space(), d.operator_space()
    assert len(topology) == 6 and all(set(h.choices) == {MISSING, PRESENT} for h in topology.values())
    assert len(operators) == 6 and all("none" not in h.choices and len(h.choices) == 4 for h in operators.values())
    cell = NB201Cell.from_str("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|")
    sk, op = d.split(cell, {name: "nor_conv_3x3" for name in operators})
    assert d.join(sk, op) == cell
    assert sum(v == MISSING for v in sk.values()) == 2


def test_topologies_whose_output_is_cut_off_are_forbidden() -> None:
    d = Decoupling.of(NB201Space())
    everything_cut = {h.name: MISSING for h in d.edges}
    assert not d.connected(everything_cut)
    rng = np.random.default_rng(0)
    for _ in range(50):
        assert d.connected(random_values(d.topology_space(), rng))


def test_edge_prior_sets_how_often_random_topologies_keep_an_edge() -> None:
    """Random draws and Algorithm 1's random samples both keep an edge as often as the prior says
    among the connected topologies (dead ones are drawn again); even odds leave the space
    unweighted, GPNAS's old draws."""
    d = Decoupling.of(NB201Space())
    assert d.edge_share() == pytest.approx(0.8)
    names = [h.name for h in d.edges]
    connected = [k for k in itertools.product((0, 1), repeat=6) if d.connected(dict(zip(names, k)))]
    for prior in (0.8, 0.3):
        odds = np.array([prior ** sum(k) * (1 - prior) ** (6 - sum(k)) for k in connected])
        expected = float(odds @ np.array([sum(k) / 6 for k in connected]) / odds.sum())
        space = d.topology_space(edge_prior=prior)
        rng = np.random.default_rng(0)
        kept = np.mean([list(random_values(space, rng).values()) for _ in range(2000)])
        selector = KDEConfigSelector(Scenario(space, deterministic=True, n_trials=10), KDESettings(), 0, Observations(6), {}, RunHistory())
        sampled = np.mean([list(selector._random().values()) for _ in range(2000)])
        assert abs(kept - expected) < 0.02 and abs(sampled - expected) < 0.02, (prior, expected, kept, sampled)
    assert all(h.weights is None for h in d.topology_space(edge_prior=0.5).values())


def test_edge_prior_zero_keeps_edges_as_often_as_the_space_does() -> None:
    """``--gpnas-edge-prior 0`` weights D_sk by NB201's 4/5: the first children, random draws until
    Algorithm 1 has N_min + 2 observations, have fewer absent edges than under even odds."""
    absent = {}
    for prior in (0.0, 0.5):
        trials, gpnas = run_with_strategy(("gpnas",), 12, gpnas_edge_prior=prior)
        weights = [h.weights for h in gpnas.searchers[strategy.TOPOLOGY].space.values()]
        assert weights == ([pytest.approx((0.2, 0.8))] * 6 if prior == 0 else [None] * 6), weights
        absent[prior] = np.mean([op == "none" for t in trials for op in t.candidate.arch.ops])
    assert absent[0.0] < absent[0.5], absent


# -- the searchers (paper III.B, Algorithm 1) -------------------------------------------------------
@pytest.mark.parametrize("bandwidth", ["univariate", "multivariate"])
def test_algorithm_1_learns_where_the_good_configurations_are(bandwidth: str) -> None:
    """On a toy cost (number of edges not carrying conv_3x3), the second half of the asks is better."""
    space = Decoupling.of(NB201Space()).operator_space()
    settings = BOHBSettings(sampler="kde", kde=KDESettings(random_fraction=0.2, bandwidth=bandwidth))
    searcher = BOHBSearcher("operators", space, settings, seed=1)
    costs = []
    for _ in range(60):
        suggestion = searcher.ask()
        cost = float(sum(v != "nor_conv_3x3" for v in suggestion.values.values()))
        searcher.tell(suggestion, cost)
        costs.append(cost)
    assert np.mean(costs[30:]) < np.mean(costs[:15])


def test_bohbs_bandwidth_rule_widens_the_kernels_by_the_number_of_dimensions() -> None:
    data = np.array([[0, 1, 2, 3, 0, 1], [1, 1, 3, 3, 0, 2], [2, 0, 3, 1, 0, 2], [3, 0, 0, 1, 0, 3]] * 5, dtype=float)
    sizes = np.full(6, 5)
    narrow = normal_reference_bandwidths(data, sizes, "univariate", 1e-3)
    wide = normal_reference_bandwidths(data, sizes, "multivariate", 1e-3)
    spread = data.std(axis=0) > 0
    assert np.allclose(narrow[spread], np.minimum(1.06 * data.std(axis=0)[spread] * 20 ** (-1 / 5), 0.8))
    assert np.allclose(wide[spread], np.minimum(1.06 * data.std(axis=0)[spread] * 20 ** (-1 / 10), 0.8))
    assert (wide >= narrow).all() and (wide > narrow).any()
    assert narrow[~spread] == wide[~spread] == 1e-3  # a constant column: the smallest bandwidth either way


def test_algorithm_1_proposes_a_good_topology_again_and_keeps_what_it_learned() -> None:
    """D_sk has 47 connected NB201 topologies; a searcher must not be forced through all of them."""
    d = Decoupling.of(NB201Space())
    searcher = BOHBSearcher("topology", d.topology_space(), BOHBSettings(sampler="kde"), seed=3)
    asked = []
    for _ in range(120):
        suggestion = searcher.ask()
        searcher.tell(suggestion, float(sum(v == MISSING for v in suggestion.values.values())))  # the full cell is best
        asked.append(suggestion.values)
    full = [all(v == PRESENT for v in values.values()) for values in asked]
    assert sum(full[60:]) >= 10  # proposed again and again, not once per pass over D_sk
    assert searcher.round > 0 and len(searcher.observations.largest_budget_with(1)[0]) == 120


def test_a_known_child_is_not_a_new_observation() -> None:
    searcher = BOHBSearcher("operators", Decoupling.of(NB201Space()).operator_space(), BOHBSettings(), seed=4)
    searcher.tell(searcher.ask(), 1.0)
    searcher.tell(searcher.ask(), 1.0, known=True)
    assert len(searcher.observations.largest_budget_with(1)[0]) == 1


def test_a_configuration_formatted_once_is_interchangeable_with_a_plain_one() -> None:
    space = Decoupling.of(NB201Space()).operator_space()
    vector = np.arange(len(space)) % 4.0
    once, plain_config = FormattedOnceConfiguration(space, vector=vector), Configuration(space, vector=vector)
    assert once == plain_config and plain_config == once and str(once) == str(plain_config)
    assert {plain_config: "run"}[once] == "run" and {once: "run"}[plain_config] == "run"


def test_the_smac_forest_sampler_proposes_distinct_allowed_topologies() -> None:
    d = Decoupling.of(NB201Space())
    searcher = BOHBSearcher("topology", d.topology_space(), BOHBSettings(sampler="smac"), seed=2)
    seen = []
    for k in range(12):
        suggestion = searcher.ask()
        assert d.connected(suggestion.values)
        seen.append(tuple(sorted(suggestion.values.items())))
        searcher.tell(suggestion, float(k))
    assert len(set(seen)) == len(seen)


_SMAC_PROPOSALS = """
import json
from nas_core.spaces.nb201 import NB201Space
from nas_gpnas.decoupling import Decoupling
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings, Suggestion
searcher = BOHBSearcher("operators", Decoupling.of(NB201Space()).operator_space(), BOHBSettings(sampler="smac"), seed=3)
proposed = []
for k in range(25):
    suggestion = searcher.ask()
    proposed.append(suggestion.values)
    searcher.tell(suggestion, float(k % 5))
print(json.dumps(proposed))
"""


def test_the_smac_forest_sampler_proposes_the_same_in_every_process() -> None:
    """Resuming replays the proposals in a new process, whose string hashing is salted differently."""
    runs = [
        subprocess.run([sys.executable, "-c", _SMAC_PROPOSALS], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": salt}).stdout
        for salt in ("1", "2")
    ]  # fmt: skip
    assert runs[0] == runs[1]


@pytest.mark.parametrize("budgets", [(None, None), (2.0, 18.0)], ids=["one fidelity", "hyperband"])
def test_a_searcher_replays_its_history_exactly(budgets: tuple[float | None, float | None]) -> None:
    space = Decoupling.of(NB201Space()).topology_space()
    settings = BOHBSettings(sampler="kde", min_budget=budgets[0], max_budget=budgets[1])
    first = BOHBSearcher("topology", space, settings, seed=5)
    rng = np.random.default_rng(0)
    for k in range(60):
        first.tell(first.ask(), float(k % 7), known=k % 10 == 0)
        if k % 9 == 0:  # a random child GPNAS drew itself
            first.observe(random_values(space, rng), settings.max_budget, float(k % 5))
    assert first.round > 0  # the replay goes through new rounds too
    second = BOHBSearcher("topology", space, settings, seed=5)
    second.load_state_dict(first.state_dict())
    assert [first.ask() for _ in range(1)] == [second.ask()]


def told(searcher: BOHBSearcher) -> list[tuple[dict, float]]:
    """(values, cost) of every answer in a searcher's log, in the order told."""
    asked = [e["asked"] for e in searcher.log if isinstance(e, dict) and "asked" in e]
    answers = []
    for entry in searcher.log:
        if isinstance(entry, (tuple, list)):
            answers.append((entry[0], entry[2]))
        elif isinstance(entry, dict) and "told" in entry:
            answers.append((asked[entry["told"]], entry["cost"]))
    return answers


@pytest.mark.parametrize("sampler", ["kde", "smac"])
def test_suggestions_told_out_of_order_are_replayed_exactly(sampler: str) -> None:
    """Three suggestions in flight (children trained in parallel), told in another order than asked,
    two still outstanding when the state is saved: the replay has the same log and proposes the same."""
    space = Decoupling.of(NB201Space()).operator_space()
    settings = BOHBSettings(sampler=sampler, min_budget=2.0, max_budget=18.0)
    first = BOHBSearcher("operators", space, settings, seed=6)
    in_flight: list[Suggestion] = []
    answers = []
    for k in range(40):
        in_flight.append(first.ask())
        if len(in_flight) == 3:  # the one asked second finishes first, then the oldest
            for suggestion in (in_flight.pop(1), in_flight.pop(0)):
                first.tell(suggestion, float(k % 5), known=k % 7 == 0)
                answers.append((suggestion.values, float(k % 5)))
    assert told(first) == answers  # every answer went to the suggestion it answers
    with pytest.raises(RuntimeError, match="not outstanding"):
        first.tell(Suggestion({}, None, ticket=0), 1.0)  # answered already

    second = BOHBSearcher("operators", space, settings, seed=6)
    second.load_state_dict(first.state_dict())
    assert list(second.log) == list(first.log) and len(in_flight) == 2
    for k in range(5):  # the two in flight are lost (a killed parallel search); both go on alike
        proposed = first.ask(), second.ask()
        assert proposed[0] == proposed[1]
        first.tell(proposed[0], float(k))
        second.tell(proposed[1], float(k))


def test_gpnas_takes_the_answers_of_children_in_flight_in_any_order() -> None:
    spec = RunSpec(plugins=("gpnas",), budget=Budget(trials=20), seed=1, benchmark="nb201", dataset="cifar10",
                   options={"gpnas_filter": False}, device="cpu", data_dir=require_data_dir())  # fmt: skip
    session = open_session(spec)
    try:
        gpnas, study = session.plugins.get("gpnas.GPNAS"), session.study
        table = load_benchmark("nb201", "cifar10", require_data_dir())
        in_flight = gpnas.nas_propose(study, study.space, 3)
        assert len(in_flight) == 3 and len({c.arch.key for c in in_flight}) == 3
        for candidate in reversed(in_flight):  # the last proposed finishes first
            gpnas.nas_update(candidate, table.query(candidate.arch, candidate.fidelity), study)
        assert gpnas.pending == {}
        objectives = {c.arch.key: table.query(c.arch, c.fidelity).objective for c in in_flight}
        topologies, operators = (told(gpnas.searchers[name]) for name in (strategy.TOPOLOGY, strategy.OPERATORS))
        joined = {gpnas.decoupling.join(t, o).key: (-cost, -other) for (t, cost), (o, other) in zip(topologies, operators)}
        assert joined == {key: (value, value) for key, value in objectives.items()}  # each child's answer, to its parts
    finally:
        session.close()


# -- the predictor (paper III.C) ---------------------------------------------------------------------
def test_the_predictor_ranks_unseen_nb201_cells() -> None:
    table = load_benchmark("nb201", "cifar10", require_data_dir())
    space = table.space
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(300)]
    accuracy = [table.query(a).metrics["valid_acc"] for a in archs]
    predictor = GraphPredictor(space, 0, PredictorSettings(train_epochs=60))
    predictor.fit(archs[:100], [None] * 100, accuracy[:100], seed=0)
    predicted = predictor.predict(archs[100:], [None] * 200)
    assert spearmanr(predicted, accuracy[100:]).statistic > 0.5


def test_the_predictor_restores_its_weights() -> None:
    space = NB201Space()
    rng = np.random.default_rng(1)
    archs = [space.sample(rng) for _ in range(10)]
    predictor = GraphPredictor(space, 0, PredictorSettings(train_epochs=3))
    predictor.fit(archs, [None] * 10, list(rng.random(10)), seed=0)
    again = GraphPredictor(space, 0, PredictorSettings(train_epochs=3))
    again.load_state_dict(predictor.state_dict())
    assert again.predict(archs, [None] * 10) == predictor.predict(archs, [None] * 10)


# -- the whole workflow (paper Fig. 2) ----------------------------------------------------------------
def test_the_filter_answers_some_candidates_with_free_predictions() -> None:
    trials = run(("gpnas",), 12, **SMALL_FILTER)
    predicted = [t for t in trials if t.result.status is Status.PREDICTED]
    assert predicted and all(t.result.info["predicted"] and t.result.cost_seconds == 0 for t in predicted)
    assert sum(t.result.status is Status.COMPLETE for t in trials) == 12


def test_a_candidate_passed_on_records_its_prediction_and_the_run_proposes_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = run(("gpnas",), 14, seed=1, **SMALL_FILTER)
    predicted = {t.trial_id: t.result.metrics[PREDICTED_METRIC] for t in recorded if PREDICTED_METRIC in t.result.metrics}
    completed = [t for t in recorded if t.result.status is Status.COMPLETE]
    # trained before the predictor was fitted: nothing predicted; after: every one passed on has its prediction
    assert [t.trial_id for t in completed if t.trial_id in predicted] == [t.trial_id for t in completed[SMALL_FILTER["gpnas_warmup"]:]]
    assert all(np.isfinite(v) and 0 < v < 100 for v in predicted.values())
    assert not any(PREDICTED_METRIC in t.result.metrics for t in recorded if t.result.status is Status.PREDICTED)

    @hookimpl(specname="nas_estimate", wrapper=True)
    def not_recorded(self, candidate, study):
        self.passed.pop(candidate.trial_id, None)
        return (yield)

    monkeypatch.setattr(PredictorFilter, "record_prediction", not_recorded)
    plain = run(("gpnas",), 14, seed=1, **SMALL_FILTER)
    assert not any(PREDICTED_METRIC in t.result.metrics for t in plain)
    seen = [(t.candidate.arch.key, t.candidate.origin, t.result.status, t.result.objective) for t in recorded]
    assert seen == [(t.candidate.arch.key, t.candidate.origin, t.result.status, t.result.objective) for t in plain]


class _NothingAnswered:
    def find(self, arch, fidelity):
        return None


def test_when_the_searchers_draws_find_nothing_new_a_uniform_cell_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uniform draws of both searchers favour cells with few edges; before declaring the spaces
    exhausted GPNAS draws architectures uniformly, split into the searchers' values."""
    space = NB201Space()
    d = Decoupling.of(space)
    searchers = {
        strategy.TOPOLOGY: BOHBSearcher(strategy.TOPOLOGY, d.topology_space(), BOHBSettings(), seed=0),
        strategy.OPERATORS: BOHBSearcher(strategy.OPERATORS, d.operator_space(), BOHBSettings(), seed=1),
    }
    gpnas = strategy.GPNAS(space, d, searchers, fidelities=None, skip_dropout=0.0, seed=0)
    monkeypatch.setattr(gpnas, "_drawn_values", lambda: iter(()))
    for _ in range(20):
        draw = gpnas._draw_new_child(_NothingAnswered(), None)
        assert draw is not None and d.join(draw.values[strategy.TOPOLOGY], draw.values[strategy.OPERATORS]) == draw.arch
        assert d.connected(draw.values[strategy.TOPOLOGY])


def test_after_a_run_of_skips_the_bar_is_the_best_of_the_last_few() -> None:
    """A skipped candidate predicted far above the rest must not hold the bar up for ever."""
    space = NB201Space()
    arch = space.sample(np.random.default_rng(0))
    gate = PredictorFilter(space, 200, FilterSettings(quantile=0.85, patience=3), seed=0)
    gate.examples = [Example(arch, None, accuracy) for accuracy in (90.0, 91.0, 92.0, 93.0, 94.0)]
    assert gate.bar(None) == pytest.approx(93.4)
    for predicted in (93.0, 80.0, 81.0):
        gate.nas_update(Candidate(arch), Result(Status.PREDICTED, predicted, {}, 0.0, {"predicted": True}), None)
    assert gate.bar(None) == 93.0
    gate.nas_update(Candidate(arch), Result(Status.PREDICTED, 82.0, {}, 0.0, {"predicted": True}), None)
    assert gate.bar(None) == 82.0
    again = PredictorFilter(space, 200, FilterSettings(quantile=0.85, patience=3), seed=0)
    again.load_state_dict(gate.state_dict())
    assert again.bar(None) == 82.0


@pytest.mark.parametrize("learn_predictions", [True, False])
def test_the_searchers_model_predictions_only_when_asked_to(learn_predictions: bool) -> None:
    """Paper Fig. 2 feeds back trained children only (the default); the predictions on request."""
    trials, gpnas = run_with_strategy(("gpnas",), 12, **SMALL_FILTER, gpnas_learn_predictions=learn_predictions)
    trained = sum(t.result.status is Status.COMPLETE for t in trials)
    assert trained == 12 < len(trials)
    assert isinstance(gpnas, strategy.GPNAS)
    for searcher in gpnas.searchers.values():
        assert len(searcher.observations.largest_budget_with(1)[0]) == (len(trials) if learn_predictions else trained)


def test_without_the_filter_every_candidate_is_looked_up() -> None:
    trials = run(("gpnas",), 12, gpnas_filter=False)
    assert all(t.result.status is Status.COMPLETE for t in trials)


def test_a_fixed_topology_searches_the_operators_only() -> None:
    """The stability analysis of paper IV.E: D_sk fixed, D_op searched."""
    trials = run(("gpnas",), 10, gpnas_topology="111011", gpnas_filter=False)
    d = Decoupling.of(NB201Space())
    for trial in trials:
        sk, _ = d.split(trial.candidate.arch, {h.name: "nor_conv_3x3" for h in d.edges})
        assert [sk[h.name] for h in d.edges] == [1, 1, 1, 0, 1, 1]


def test_a_run_ends_once_every_child_of_a_small_space_is_known() -> None:
    """Topology 101001 (a chain of three edges) leaves 64 operator choices, 40 distinct NB201 cells:
    once all are known GPNAS proposes nothing more instead of idling through re-proposals."""
    spec = RunSpec(
        plugins=("gpnas",),
        budget=Budget(trials=1000),
        seed=0,
        benchmark="nb201",
        dataset="cifar10",
        options={"gpnas_topology": "101001", "gpnas_filter": False},
        device="cpu",
        data_dir=require_data_dir(),
    )
    session = open_session(spec)
    try:
        assert session.run() == "the strategy has no more candidates"
        trials = list(session.study.trials)
    finally:
        session.close()
    assert len(trials) == len({t.candidate.arch.key for t in trials}) == 40


def test_when_the_searchers_repeat_known_children_a_random_new_one_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Algorithm 1's kernels concentrate: once asking again yields only known children, GPNAS
    draws a new child at random, and both searchers learn its result."""
    monkeypatch.setattr(strategy, "MAX_KNOWN_IN_A_ROW", 2)
    trials, gpnas = run_with_strategy(("gpnas",), 40, gpnas_filter=False)
    drawn = [t for t in trials if t.candidate.origin == "gpnas-random"]
    assert 0 < len(drawn) < len(trials) and len({t.candidate.arch.key for t in trials}) == len(trials) == 40
    assert isinstance(gpnas, strategy.GPNAS)
    for searcher in gpnas.searchers.values():
        observed = [e for e in searcher.log if isinstance(e, dict)]
        assert len(observed) == len(drawn) and len(searcher.observations.largest_budget_with(1)[0]) == 40


# -- revival (--gpnas-revive) --------------------------------------------------------------------------
def fitted_filter(table, archs) -> PredictorFilter:
    """A filter whose predictor has learnt the table's answers for ``archs`` (fed as a run feeds it)."""
    gate = PredictorFilter(table.space, 0, FilterSettings(warmup=len(archs), quantile=0.5), seed=0)
    for arch in archs:
        gate.nas_update(Candidate(arch), table.query(arch), None)
    assert gate.trained_on == len(archs)
    return gate


def test_the_filter_rescreens_many_candidates_as_it_would_estimate_each() -> None:
    table = load_benchmark("nb201", "cifar10", require_data_dir())
    rng = np.random.default_rng(0)
    archs = [table.space.sample(rng) for _ in range(60)]
    gate = fitted_filter(table, archs[:20])
    judged = gate.rescreen(archs[20:], [None] * 40)
    for arch, verdict in zip(archs[20:], judged):
        answer = gate.nas_estimate(Candidate(arch), None)
        if verdict is None:
            assert answer is not None and answer.status is Status.PREDICTED
        else:
            assert answer is None and verdict >= gate.bar(None)
    assert 0 < sum(v is not None for v in judged) < 40
    gate.nas_update(Candidate(archs[20]), table.query(archs[20]), None)
    assert gate.trained_on == 21  # retrained: a strategy knows to look again


def test_revived_children_come_best_first_and_one_skipped_again_is_remembered_again() -> None:
    table = load_benchmark("nb201", "cifar10", require_data_dir())
    rng = np.random.default_rng(1)
    archs = [table.space.sample(rng) for _ in range(60)]
    gate = fitted_filter(table, archs[:20])
    session = open_session(nb201_spec(("gpnas",), 20, gpnas_filter=False))  # for its (empty) study
    try:
        study, space = session.study, session.space
        d = Decoupling.of(space)
        searchers = {
            name: BOHBSearcher(name, cs, BOHBSettings(), seed=k)
            for k, (name, cs) in enumerate({strategy.TOPOLOGY: d.topology_space(), strategy.OPERATORS: d.operator_space()}.items())
        }
        gpnas = strategy.GPNAS(space, d, searchers, fidelities=None, skip_dropout=0.0, revival=Revival(space, gate), seed=0)
        skipped = []
        for arch in archs[20:]:
            topology, operators = d.split(arch, random_values(d.operator_space(), rng))
            skipped.append(Child(arch, None, {strategy.TOPOLOGY: topology, strategy.OPERATORS: operators}, None))
            gpnas.revival.remember(skipped[-1])
        judged = gate.rescreen(archs[20:], [None] * 40)
        passing = sorted((-value, k) for k, value in enumerate(judged) if value is not None)
        assert 2 <= len(passing) < 40

        proposed = gpnas.nas_propose(study, space, len(passing))
        assert [c.arch for c in proposed] == [skipped[k].arch for _, k in passing]
        assert {c.origin for c in proposed} == {"gpnas-revived"}
        assert gpnas.revival.next(study) is None  # nothing else passes until the predictor is retrained

        first, *rest = proposed  # the bar moved: the filter skips the first again; the rest are trained
        gpnas.nas_update(first, Result(Status.PREDICTED, 80.0, {}, 0.0, {"predicted": True}), study)
        assert skipped[passing[0][1]] in gpnas.revival.remembered.values()
        trained = {c.arch.key: table.query(c.arch) for c in rest}
        for candidate in rest:
            gpnas.nas_update(candidate, trained[candidate.arch.key], study)
        for name, searcher in gpnas.searchers.items():  # each searcher observes a trained child's part and cost
            observed = [(e["observed"], -e["cost"]) for e in searcher.log if isinstance(e, dict) and "observed" in e]
            assert observed == [(skipped[k].values[name], trained[skipped[k].arch.key].objective) for _, k in passing[1:]]
    finally:
        session.close()


def test_a_skipped_child_is_proposed_again_and_trained_once_the_retrained_predictor_passes_it() -> None:
    trials, gpnas = run_with_strategy(("gpnas",), 16, **REVIVING)
    assert isinstance(gpnas, strategy.GPNAS) and gpnas.revival is not None
    revived = [t for t in trials if t.candidate.origin == "gpnas-revived"]
    assert revived and all(t.result.status is Status.COMPLETE for t in revived)
    for trial in revived:  # skipped (predicted below the bar) before, by the same filter
        earlier = [t for t in trials[: trial.trial_id] if t.candidate.arch.key == trial.candidate.arch.key]
        assert [t.result.status for t in earlier] == [Status.PREDICTED] and earlier[0].result.info["predicted"]
    trained = [t.candidate.arch.key for t in trials if t.result.status is Status.COMPLETE]
    assert len(trained) == len(set(trained)) == 16
    skipped = {t.candidate.arch.key for t in trials if t.result.status is Status.PREDICTED}
    assert {c.arch.key for c in gpnas.revival.remembered.values()} == skipped - set(trained)
    parts = [[e for e in gpnas.searchers[name].log if isinstance(e, dict) and "observed" in e] for name in (strategy.TOPOLOGY, strategy.OPERATORS)]
    joined = [(gpnas.decoupling.join(t["observed"], o["observed"]).key, -t["cost"]) for t, o in zip(*parts)]
    assert joined == [(t.candidate.arch.key, t.result.objective) for t in revived]  # both searchers learnt each


def test_without_revival_a_run_is_the_same_up_to_the_first_revived_child() -> None:
    """Revival only adds proposals: the run without it (the default, GPNAS as before) is the run
    with it until a skipped child is first revived."""
    with_revival = run(("gpnas",), 16, **REVIVING)
    without = run(("gpnas",), 16, **{**REVIVING, "gpnas_revive": False})
    first = next(t.trial_id for t in with_revival if t.candidate.origin == "gpnas-revived")
    fingerprint = [(t.candidate.arch.key, t.candidate.origin, t.result.status, t.result.objective) for t in without]
    assert fingerprint[:first] == [(t.candidate.arch.key, t.candidate.origin, t.result.status, t.result.objective) for t in with_revival[:first]]
    assert all(t.candidate.origin == "gpnas" for t in without)


def test_a_resumed_run_restores_the_skipped_children_and_the_latest_rescoring(tmp_path: Path) -> None:
    storage = tmp_path / "study.db"
    session = open_session(nb201_spec(("gpnas",), 8, **REVIVING), storage)
    try:
        session.run()
        saved = session.plugins.get("gpnas.GPNAS").revival
    finally:
        session.close()
    assert saved.remembered and saved.rescored_at > 0
    resumed = open_session(nb201_spec(("gpnas",), 16, **REVIVING), storage, resume=True)
    try:
        restored = resumed.plugins.get("gpnas.GPNAS").revival
        assert restored.remembered == saved.remembered and list(restored.skipped) == list(saved.skipped)
        assert (restored.queue, restored.rescored_at, list(restored.taken)) == (saved.queue, saved.rescored_at, list(saved.taken))
    finally:
        resumed.close()
