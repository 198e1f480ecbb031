"""``nas show`` prints the tables a plugin put in the best trial's ``info["tables"]`` (fednas: its
clients x classes partition), escaped like everything a plugin writes, and skips malformed ones."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from nas_cli.render import print_summary


def _summary(info: dict[str, Any]) -> dict[str, Any]:
    return {
        "storage": "study.db", "plugins": [{"name": "p", "version": "1"}], "seed": 0, "trials": 1,
        "status_counts": {"complete": 1}, "duplicates": 0, "constraints": [], "infeasible": 0,
        "budget_used": {"trials": 1, "cost_seconds": 1.0, "wall_seconds": 1.0},
        "best": {"trial_id": 0, "arch": {"kind": "x"}, "objective": 90.0, "metrics": {"valid_acc": 90.0}, "info": info},
    }  # fmt: skip


def _shown(info: dict[str, Any]) -> str:
    console = Console(record=True, width=120)
    print_summary(_summary(info), console)
    return console.export_text()


def test_a_trials_tables_are_printed_under_the_best_trial() -> None:
    table = {"title": "samples per [bold]client", "columns": ["client", "0", "1"], "rows": [[0, 5, 7], [1, 3, 0]]}
    shown = _shown({"tables": [table]})
    assert "samples per [bold]client" in " ".join(shown.split())  # the title wraps over the narrow table
    assert any(line.split() == ["│", "0", "│", "5", "│", "7", "│"] for line in shown.splitlines())
    assert any(line.split() == ["│", "1", "│", "3", "│", "0", "│"] for line in shown.splitlines())


def test_malformed_tables_and_no_tables_print_nothing_more() -> None:
    plain = _shown({})
    assert _shown({"tables": [{"title": "rows missing", "columns": ["a"]}, "not a table"]}) == plain
