"""Constraints (--constraint): parsing, rejection before evaluation, judging after it, what
strategies are told, the answer, resuming, and a plugin's estimator whose metrics are known late."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.constraints import Constraint, Constraints, is_architecture_metric
from nas_core.errors import ConfigError, StorageError
from nas_core.export import StudyBest
from nas_core.report import summarize
from nas_core.session import open_session
from nas_core.tables.loader import load_benchmark
from nas_core.testing import require_data_dir
from nas_core.types import Result, Status

MEDIAN_EDGEGPU = 5.312051773071289  # hw_edgegpu_latency over the 15,625 cifar10 cells


def table_spec(*plugins: str, trials: int = 40, constraints: tuple[str, ...] = (), **options) -> RunSpec:
    return RunSpec(plugins, Budget(trials=trials), 0, "nb201", "cifar10", options=options, data_dir=require_data_dir(),
                   constraints=constraints)  # fmt: skip


def search(spec: RunSpec, storage: str | Path = ":memory:"):
    session = open_session(spec, storage)
    try:
        session.run()
        return list(session.study.trials), session
    finally:
        session.close()


@pytest.mark.parametrize(
    ("text", "canonical", "inside", "outside"),
    [
        ("hw_edgegpu_latency<=5", "hw_edgegpu_latency<=5", 5.0, 5.01),
        (" params < 0.5 ", "params<0.5", 0.49, 0.5),
        ("valid_acc>=90.25", "valid_acc>=90.25", 90.25, 90.2),
        ("flops>1e2", "flops>100", 100.5, 100.0),
    ],
)
def test_a_constraint_parses_to_one_spelling_and_holds_as_written(text, canonical, inside, outside) -> None:
    constraint = Constraint.parse(text)
    assert str(constraint) == canonical and Constraint.parse(canonical) == constraint
    assert constraint.holds(inside) and not constraint.holds(outside)


@pytest.mark.parametrize(
    ("text", "why"),
    [("latency=5", "METRIC<=VALUE"), ("latency==5", "METRIC<=VALUE"), ("<=5", "METRIC<=VALUE"),
     ("latency<=fast", "'fast' is not a number"), ("latency<=nan", "finite"), ("a<=1 b", "METRIC<=VALUE")],
)  # fmt: skip
def test_a_malformed_constraint_is_one_line_naming_it(text: str, why: str) -> None:
    with pytest.raises(ConfigError) as error:
        RunSpec(("random",), Budget(trials=1), constraints=(text,))
    assert why in str(error.value) and repr(text) in str(error.value) and "\n" not in str(error.value)


def test_the_run_spec_keeps_constraints_canonical_once_each_and_round_trips() -> None:
    spec = RunSpec(("random",), Budget(trials=1), constraints=("params <= 1.0", "params<=1", "flops>3"))
    assert spec.constraints == ("params<=1", "flops>3")
    assert RunSpec.from_dict(spec.to_dict()) == spec
    assert RunSpec.from_dict({k: v for k, v in spec.to_dict().items() if k != "constraints"}).constraints == ()


def test_architecture_metrics_are_what_a_network_is_not_how_it_trained() -> None:
    assert all(map(is_architecture_metric, ("params", "flops", "latency_ms", "hw_edgegpu_latency", "hw_fpga_energy")))
    assert not any(map(is_architecture_metric, ("valid_acc", "test_acc", "train_loss", "epochs", "cost_seconds")))


def test_a_missing_metric_violates_and_says_so() -> None:
    constraints = Constraints.parse(["params<=1", "hw_edgetpu_latency<=1"])
    assert constraints.violations({"params": 0.5}) == [{"constraint": "hw_edgetpu_latency<=1", "value": None}]
    judged = constraints.judge(Result.complete(90.0, {"params": 2.0, "hw_edgetpu_latency": 0.5}, 30.0, {"note": 1}))
    assert judged.status is Status.INFEASIBLE and judged.objective is None and not judged.ok
    assert judged.info == {"note": 1, "violated": [{"constraint": "params<=1", "value": 2.0}], "objective": 90.0}
    assert judged.cost_seconds == 30.0 and judged.metrics["params"] == 2.0


def test_a_latency_limit_on_a_table_rejects_before_the_lookup_and_keeps_the_answer_feasible(tmp_path: Path) -> None:
    storage = tmp_path / "s.db"
    trials, session = search(table_spec("evolution", trials=60, constraints=(f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}",)), storage)
    rejected = [t for t in trials if t.result.status is Status.REJECTED]
    complete = [t for t in trials if t.result.status is Status.COMPLETE]
    assert rejected and len(complete) == 60  # a rejection is not a trial of the budget
    for trial in rejected:
        result = trial.result
        assert result.cost_seconds == 0.0 and result.objective is None  # nothing was looked up or charged
        assert "valid_acc" not in result.metrics and all(map(is_architecture_metric, result.metrics))
        assert result.metrics["hw_edgegpu_latency"] > MEDIAN_EDGEGPU
        assert result.info["violated"] == [{"constraint": f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}", "value": result.metrics["hw_edgegpu_latency"]}]
    assert all(t.result.metrics["hw_edgegpu_latency"] <= MEDIAN_EDGEGPU for t in complete)
    shown = summarize(storage)
    assert shown["best"]["metrics"]["hw_edgegpu_latency"] <= MEDIAN_EDGEGPU
    assert shown["infeasible"] == len(rejected) and shown["constraints"] == [f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}"]
    assert shown["budget_used"]["trials"] == 60 and shown["status_counts"]["rejected"] == len(rejected)


def test_evolution_breeds_only_from_feasible_parents() -> None:
    """An infeasible result has no objective: evolution never lets it into its population."""
    spec = table_spec("evolution", trials=80, constraints=(f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}",))
    session = open_session(spec)
    try:
        session.run()
        evolution = session.plugins.get("evolution.RegularizedEvolution")
        feasible = {t.candidate.arch.key for t in session.study.trials if t.result.status is Status.COMPLETE}
        assert len(evolution.population) == 10
        assert all(arch.key in feasible for arch, _ in evolution.population)
    finally:
        session.close()


def test_a_duplicate_of_a_rejected_architecture_is_answered_from_the_study() -> None:
    trials, session = search(table_spec("evolution", trials=60, constraints=("hw_edgegpu_latency<=3",)))
    keys = [(t.candidate.arch.key, t.candidate.fidelity) for t in trials]
    assert len(keys) == len(set(keys)) and session.study.duplicates > 0


def test_a_constraint_on_accuracy_judges_after_the_lookup_and_spends_the_trial(tmp_path: Path) -> None:
    trials, _ = search(table_spec("random", trials=30, constraints=("valid_acc<=85",)))
    infeasible = [t for t in trials if t.result.status is Status.INFEASIBLE]
    assert infeasible and len(trials) == 30  # evaluated: each one a trial of the budget, charged
    for trial in infeasible:
        assert trial.result.cost_seconds > 0 and trial.result.objective is None
        assert trial.result.metrics["valid_acc"] > 85 and trial.result.info["objective"] > 0


def test_a_cell_the_hardware_table_could_not_measure_is_rejected_as_unmeasured() -> None:
    trials, _ = search(table_spec("random", trials=30, constraints=("hw_edgetpu_latency<=100",)))
    unmeasured = [t for t in trials if "hw_edgetpu_latency" not in t.result.metrics]
    assert unmeasured  # about 30% of the NB201 cells
    assert all(t.result.status is Status.REJECTED for t in unmeasured)
    assert all(t.result.info["violated"] == [{"constraint": "hw_edgetpu_latency<=100", "value": None}] for t in unmeasured)
    assert all(t.result.status is Status.COMPLETE for t in trials if t not in unmeasured)


@pytest.mark.parametrize(
    ("where", "constraint", "says"),
    [({"benchmark": "nb201", "dataset": "cifar10"}, "hw_edgegpu_latncy<=5", "benchmark nb201 reports no such metric"),
     ({"space": "mlp", "dataset": "digits"}, "hw_edgegpu_latency<=5", "training reports no such metric")],
)  # fmt: skip
def test_an_unknown_metric_is_refused_before_the_search_writes_anything(tmp_path: Path, where, constraint, says) -> None:
    spec = RunSpec(("random",), Budget(trials=3), data_dir=require_data_dir(), device="cpu", constraints=(constraint,), **where)
    with pytest.raises(ConfigError) as error:
        open_session(spec, tmp_path / "s.db")
    assert says in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "s.db").exists()


def test_a_plugins_estimator_is_judged_on_what_it_reports() -> None:
    trials, _ = search(table_spec("random", "nastest_plugins.own_estimator", trials=30, constraints=("convs<=1",)))
    judged = [t for t in trials if "convs" in t.result.metrics]
    assert all((t.result.status is Status.COMPLETE) == (t.result.metrics["convs"] <= 1) for t in judged)
    assert all(t.result.info["objective"] == t.result.metrics["convs"] for t in judged if t.result.status is Status.INFEASIBLE)


def test_a_metric_a_plugins_estimator_does_not_report_stops_the_run_at_that_trial(tmp_path: Path) -> None:
    spec = table_spec("random", "nastest_plugins.own_estimator", trials=200, constraints=("convs<=2",))
    session = open_session(spec, tmp_path / "s.db")
    with pytest.raises(ConfigError, match=r"--constraint on convs: trial (\d+) reports no such metric \(it reports none\)") as error:
        session.run()
    recorded = len(session.study.trials)
    session.close()
    assert recorded > 0 and f"trial {recorded} reports" in str(error.value)  # the trials before it are kept
    assert summarize(tmp_path / "s.db")["trials"] == recorded


def test_resuming_with_other_constraints_is_refused(tmp_path: Path) -> None:
    spec = table_spec("random", trials=5, constraints=("params<=1",))
    search(spec, tmp_path / "s.db")
    with pytest.raises(ConfigError, match="constraints differ"):
        open_session(replace(spec, constraints=("params<=2",), budget=Budget(trials=8)), tmp_path / "s.db", resume=True)
    resumed, _ = search_resumed(replace(spec, budget=Budget(trials=8)), tmp_path / "s.db")
    assert sum(t.result.status.consumes_budget for t in resumed) == 8


def search_resumed(spec: RunSpec, storage: Path):
    session = open_session(spec, storage, resume=True)
    try:
        session.run()
        return list(session.study.trials), session
    finally:
        session.close()


def test_an_infeasible_answer_named_by_a_strategy_is_set_aside_for_the_best_feasible_trial(tmp_path: Path) -> None:
    storage = tmp_path / "s.db"
    spec = table_spec("random", "nastest_plugins.answers", trials=30, constraints=(f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}",),
                      answers_infeasible=True)  # fmt: skip
    search(spec, storage)
    shown = summarize(storage)
    assert shown["answer"] is None and "is rejected" in shown["answer_set_aside"]["why"]
    answer = StudyBest.read(storage)
    assert answer.row is not None and answer.row.trial_id == shown["best"]["trial_id"]
    assert answer.row.result["status"] == Status.COMPLETE


def test_with_no_feasible_trial_nothing_is_the_answer_and_export_says_why(tmp_path: Path) -> None:
    storage = tmp_path / "s.db"
    search(table_spec("random", trials=10, constraints=("valid_acc>100",)), storage)
    shown = summarize(storage)
    assert shown["best"] is None and shown["infeasible"] == 10
    with pytest.raises(StorageError, match=r"has no feasible trial: 10 trials violate --constraint valid_acc>100"):
        StudyBest.read(storage)


def test_training_rejects_a_network_that_is_too_large_without_training_it() -> None:
    spec = RunSpec(("random",), Budget(trials=4), 0, None, "digits", "mlp", {"train_epochs": 3, "mlp_max_layers": 3},
                   device="cpu", constraints=("params<=0.01",))  # fmt: skip
    trials, _ = search(spec)
    rejected = [t for t in trials if t.result.status is Status.REJECTED]
    complete = [t for t in trials if t.result.status is Status.COMPLETE]
    assert rejected and len(complete) == 4
    for trial in rejected:
        assert set(trial.result.metrics) == {"params", "flops", "latency_ms"}  # built and measured, never trained
        assert trial.result.metrics["params"] > 0.01 and "model" not in trial.result.artifacts
    assert all(t.result.metrics["params"] <= 0.01 and t.result.metrics["epochs"] == 3 for t in complete)
    trained = np.mean([t.result.cost_seconds for t in complete])
    assert np.mean([t.result.cost_seconds for t in rejected[1:]]) < trained  # the first one also warms torch up


def test_the_untrained_network_measures_as_the_trained_one_counts() -> None:
    from nas_core.datasets.builtin import digits
    from nas_core.registry import DatasetRequest
    from nas_core.spaces.mlp import MLPSpace
    from nas_core.training.device import device_data
    from nas_core.training.settings import TrainSettings
    from nas_core.training.trial import train_architecture, untrained_metrics

    space, data = MLPSpace(max_layers=3), device_data(digits(DatasetRequest(None, 0)), "cpu")
    arch = space.sample(np.random.default_rng(2))
    before = untrained_metrics(space, arch, data, seed=1)
    after = train_architecture(space, arch, data, TrainSettings(epochs=1), seed=1).metrics
    assert before["params"] == after["params"] and before["flops"] == after["flops"] and before["latency_ms"] > 0


def test_the_nb201_table_knows_its_metrics_before_the_search() -> None:
    table = load_benchmark("nb201", "cifar10", require_data_dir())
    assert {"valid_acc", "params", "hw_edgegpu_latency"} <= set(table.metric_names) and "cost_seconds" not in table.metric_names
    assert float(np.median(table.column("hw_edgegpu_latency"))) == MEDIAN_EDGEGPU


def test_workers_reject_and_judge_as_the_driver_would() -> None:
    from nas_core.testing.engines import shared_scheduler

    spec = replace(table_spec("evolution", trials=30, constraints=(f"hw_edgegpu_latency<={MEDIAN_EDGEGPU}",)), scheduler=shared_scheduler())
    trials, _ = search(spec)
    assert any(t.result.status is Status.REJECTED for t in trials)
    assert sum(t.result.status.consumes_budget for t in trials) == 30
    assert all(t.result.metrics["hw_edgegpu_latency"] <= MEDIAN_EDGEGPU for t in trials if t.result.status is Status.COMPLETE)
    assert sorted(t.trial_id for t in trials) == list(range(len(trials)))
