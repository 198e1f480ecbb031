"""``nas bench --stop-at-optimum``: runs end at the first evaluation of the optimum."""

from pathlib import Path

from nas_core.bench import BenchPlan, run_bench
from nas_core.budget import Budget

from test_table_format import write_grid_table


def test_runs_end_once_they_evaluate_the_optimum(tmp_path: Path) -> None:
    write_grid_table(tmp_path / "grid.csv")  # 81 cells, one optimum

    def bench(stop: bool) -> dict:
        plan = BenchPlan((("random",),), str(tmp_path / "grid.csv"), None, (0, 1, 2), Budget(trials=200), stop_at_optimum=stop)
        return run_bench(plan)

    stopped, full = bench(True), bench(False)
    assert stopped["stop_at_optimum"] is True and full["stop_at_optimum"] is False
    for early, whole in zip(stopped["runs"]["random"], full["runs"]["random"]):
        assert early["queries_to_optimum"] == whole["queries_to_optimum"]  # the same search up to there
        assert early["queries"] == early["queries_to_optimum"] < whole["queries"]
        assert early["stopped"].endswith("the optimum was evaluated)")
        assert early["final_valid"] == 90
