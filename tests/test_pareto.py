"""Pareto fronts (nas show/plot --pareto) and constraints through the `nas` command."""

import itertools
from pathlib import Path

import numpy as np
import pytest

import nas_core

from cli_helpers import nas, nas_json
from nas_core.errors import ConfigError
from nas_core.pareto import Axis, Point, non_dominated, parse_axes, study_front
from nas_core.storage import TrialRow

LIMIT = "hw_edgegpu_latency<=5.312051773071289"  # the median over the cifar10 cells


@pytest.fixture(scope="module")
def constrained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    storage = tmp_path_factory.mktemp("pareto") / "s.db"
    done = nas("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "60",
               "--constraint", LIMIT, "--storage", str(storage), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return storage


def test_accuracies_go_up_everything_else_down_unless_a_prefix_says() -> None:
    axes = parse_axes("valid_acc, params,objective,max:flops,min:test_acc,valid_acc_1seed")
    assert [(a.metric, a.maximize) for a in axes] == [
        ("valid_acc", True), ("params", False), ("objective", True), ("flops", True), ("test_acc", False),
        ("valid_acc_1seed", True),
    ]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), [("valid_acc", "at least two"), ("params,params", "twice"), ("valid_acc,max:", "no metric"),
                                            ("valid_acc,,params", "empty metric")])  # fmt: skip
def test_bad_axes_are_one_line(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_axes(text)


def row(trial_id: int, values: tuple[float, ...]) -> TrialRow:
    metrics = {f"m{i}": v for i, v in enumerate(values)}
    return TrialRow(trial_id, {"arch": {}}, {"status": "complete", "objective": 1.0, "metrics": metrics}, 0.0, 0.0, 0.0)


def test_the_front_is_what_no_point_dominates() -> None:
    rng = np.random.default_rng(0)
    axes = [Axis("m0", True), Axis("m1", False), Axis("m2", True)]
    values = [tuple(float(v) for v in rng.integers(0, 6, size=3)) for _ in range(300)]  # ties and duplicates
    points = [Point(row(i, v), v, True) for i, v in enumerate(values)]
    signed = [(a, -b, c) for a, b, c in values]

    def dominated(i: int) -> bool:
        return any(all(x >= y for x, y in zip(signed[j], signed[i])) and signed[j] != signed[i] for j in range(len(values)))

    front = non_dominated(points, axes)
    assert sorted(p.row.trial_id for p in front) == [i for i in range(len(values)) if not dominated(i)]
    assert [p.values[0] for p in front] == sorted((p.values[0] for p in front), reverse=True)
    for a, b in itertools.combinations(front, 2):  # none dominates another
        assert not (a.values[0] >= b.values[0] and a.values[1] <= b.values[1] and a.values[2] >= b.values[2] and a.values != b.values)


def test_the_front_of_a_constrained_study_holds_feasible_trials_only(constrained: Path) -> None:
    front = study_front(constrained, "valid_acc,hw_edgegpu_latency")
    assert front.front and all(p.feasible and p.row.result["status"] == "complete" for p in front.front)
    assert front.unreported > 0  # rejected trials were never looked up: they report no valid_acc
    on_hardware = study_front(constrained, "params,hw_edgegpu_latency")
    assert on_hardware.to_dict()["infeasible_left_out"] > 0  # rejections report these two: shown, never on the front
    with pytest.raises(ConfigError, match="no trial of .* reports hw_edgegpu_latncy"):
        study_front(constrained, "valid_acc,hw_edgegpu_latncy")


def test_show_pareto_prints_the_front_and_its_json(constrained: Path) -> None:
    shown = nas_json("show", str(constrained), "--pareto", "valid_acc,min:hw_edgegpu_latency", "--json")
    assert shown["axes"] == [{"metric": "valid_acc", "direction": "max"}, {"metric": "hw_edgegpu_latency", "direction": "min"}]
    front = shown["front"]
    assert front and front[0]["values"]["valid_acc"] == max(t["values"]["valid_acc"] for t in front)
    latencies = [t["values"]["hw_edgegpu_latency"] for t in front]
    assert latencies == sorted(latencies, reverse=True)  # two metrics: better on one, worse on the other
    text = nas("show", str(constrained), "--pareto", "valid_acc,hw_edgegpu_latency")
    assert text.returncode == 0 and "Pareto front" in text.stdout and str(front[0]["trial_id"]) in text.stdout
    unknown = nas("show", str(constrained), "--pareto", "valid_acc,speed")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "reports speed" in unknown.stderr


def test_plot_pareto_draws_two_metrics_of_one_study(constrained: Path, tmp_path: Path) -> None:
    done = nas("plot", str(constrained), "--pareto", "hw_edgegpu_latency,valid_acc", "-o", str(tmp_path / "front.png"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "front.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    three = nas("plot", str(constrained), "--pareto", "hw_edgegpu_latency,valid_acc,params", "-o", str(tmp_path / "x.png"))
    assert three.returncode == 2 and "two metrics" in three.stderr


def test_show_says_what_the_constraints_did(constrained: Path, tmp_path: Path) -> None:
    shown = nas("show", str(constrained))
    assert f"constraints: {LIMIT}" in shown.stdout and "best feasible" in shown.stdout
    nothing = tmp_path / "none.db"
    done = nas("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "5",
               "--constraint", "params<0", "--storage", str(nothing), "--quiet")  # fmt: skip
    assert done.returncode == 0 and "no feasible trial" in done.stdout
    export = nas("export", str(nothing), "--format", "json", "-o", str(tmp_path / "x.json"))
    assert export.returncode == 1 and "no feasible trial" in export.stderr


def test_search_help_and_bad_constraints(tmp_path: Path) -> None:
    assert "--constraint METRIC<=V" in nas("search", "--help").stdout
    base = ("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "5", "--storage")
    malformed = nas(*base, str(tmp_path / "a.db"), "--constraint", "params=1")
    assert malformed.returncode == 2 and "malformed --constraint 'params=1'" in malformed.stderr
    unknown = nas(*base, str(tmp_path / "b.db"), "--constraint", "paramz<=1")
    assert unknown.returncode == 2 and "benchmark nb201 reports no such metric" in unknown.stderr
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def _dominated(i: int, rows: list[tuple[float, float]], maximize: tuple[bool, bool]) -> bool:
    sign = [1 if up else -1 for up in maximize]
    mine = [s * v for s, v in zip(sign, rows[i])]
    return any(all(s * v >= m for s, v, m in zip(sign, other, mine)) and other != rows[i] for other in rows)


@pytest.mark.parametrize("maximize", [(True, True), (True, False), (False, True), (False, False)])
def test_pareto_mask_is_exactly_the_rows_nothing_dominates(maximize: tuple[bool, bool]) -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(1, 40))
        rows = [tuple(map(float, row)) for row in rng.integers(0, 8, (n, 2))]  # few values: many ties
        assert nas_core.pareto_mask(rows, maximize) == [not _dominated(i, rows, maximize) for i in range(n)]


def test_pareto_mask_keeps_equal_rows_together_and_a_better_one_removes_them() -> None:
    assert nas_core.pareto_mask([(1.0, 2.0), (1.0, 2.0)], (True, True)) == [True, True]
    assert nas_core.pareto_mask([(1.0, 2.0), (1.0, 2.0), (1.0, 3.0)], (True, True)) == [False, False, True]
    assert nas_core.pareto_mask([], (True, False)) == []
    with pytest.raises(ValueError, match="1 values for 2 axes"):
        nas_core.pareto_mask([(1.0,)], (True, True))
