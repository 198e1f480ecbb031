"""``nas bench``'s runs: ended at the optimum on request, and kept as they finish."""

from pathlib import Path

import numpy
import pytest

from nas_core.comparison import BenchPlan, run_bench
from nas_core.budget import Budget
from nas_core.errors import ConfigError

from test_table_format import write_grid_table


def grid_plan(tmp_path: Path, *, stop: bool = False) -> BenchPlan:
    write_grid_table(tmp_path / "grid.csv")  # 81 cells, one optimum
    return BenchPlan((("random",), ("evolution",)), str(tmp_path / "grid.csv"), None, (0, 1, 2), Budget(trials=200), stop_at_optimum=stop)


def test_runs_end_once_they_evaluate_the_optimum(tmp_path: Path) -> None:
    stopped, full = run_bench(grid_plan(tmp_path, stop=True)), run_bench(grid_plan(tmp_path))
    assert stopped["stop_at_optimum"] is True and full["stop_at_optimum"] is False
    for early, whole in zip(stopped["runs"]["random"], full["runs"]["random"]):
        assert early["queries_to_optimum"] == whole["queries_to_optimum"]  # the same search up to there
        assert early["queries"] == early["queries_to_optimum"] < whole["queries"]
        assert early["stopped"].endswith("the optimum was evaluated)")
        assert early["final_valid"] == 90


def test_the_results_so_far_are_handed_out_after_every_run(tmp_path: Path) -> None:
    so_far: list[dict] = []
    final = run_bench(grid_plan(tmp_path), checkpoint=so_far.append)
    assert [sum(len(r) for r in results["runs"].values()) for results in so_far] == [1, 2, 3, 4, 5, 6]
    assert not any(results["complete"] for results in so_far) and final["complete"]
    assert final["environment"]["numpy"] == numpy.__version__ and final["environment"]["torch"]
    assert so_far[2]["summary"]["random"]["runs"] == 3 and so_far[2]["summary"]["evolution"]["runs"] == 0
    assert so_far[-1]["runs"] == final["runs"]


def test_runs_in_worker_processes_are_kept_as_they_finish_and_reported_by_seed(tmp_path: Path) -> None:
    def searched(results: dict) -> dict:
        return {label: [{k: v for k, v in r.items() if k != "wall_seconds"} for r in runs] for label, runs in results["runs"].items()}

    so_far: list[dict] = []
    parallel = run_bench(grid_plan(tmp_path, stop=True), jobs=2, checkpoint=so_far.append)
    assert len(so_far) == 6 and searched(parallel) == searched(run_bench(grid_plan(tmp_path, stop=True)))
    assert [r["seed"] for r in parallel["runs"]["random"]] == [0, 1, 2]


def test_constrained_runs_answer_feasible_cells_and_measure_regret_to_the_best_feasible_one(tmp_path: Path) -> None:
    write_grid_table(tmp_path / "grid.csv")  # params = digit sum / 10: params<=0.5 leaves the sums up to 5
    plan = BenchPlan((("random",), ("evolution",)), str(tmp_path / "grid.csv"), None, (0, 1, 2), Budget(trials=40),
                     stop_at_optimum=True, constraints=("params<=0.5",))  # fmt: skip
    results = run_bench(plan)
    assert results["constraints"] == ["params<=0.5"]
    assert results["optimum"]["valid_acc"] == 75  # 50 + 5 * 5, not the unconstrained 90
    for label, runs in results["runs"].items():
        assert results["summary"][label]["answered"] == 3
        for run in runs:
            assert run["final_valid"] <= 75 and all(v <= 75 for v in run["curve"]["valid"])
            if run["queries_to_optimum"] is not None:  # found a feasible optimum, and stopped there
                assert run["final_valid"] == 75 and run["queries"] == run["queries_to_optimum"]


def test_a_constraint_no_cell_satisfies_or_on_no_column_is_refused_before_any_run(tmp_path: Path) -> None:
    write_grid_table(tmp_path / "grid.csv")
    for constraint, said in (("params<0", "no architecture of benchmark"), ("hw_latency<=3", "has no such column")):
        plan = BenchPlan((("random",),), str(tmp_path / "grid.csv"), None, (0,), Budget(trials=5), constraints=(constraint,))
        with pytest.raises(ConfigError, match=said):
            run_bench(plan)
