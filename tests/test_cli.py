"""The `nas` command's machine-readable contract and its one-line errors."""

import json
import sqlite3
from pathlib import Path

import pytest

from cli_helpers import nas, nas_json

NB201 = ("--benchmark", "nb201", "--dataset", "cifar10")


def test_plugins_json_lists_installed_plugins_with_versions_and_hooks() -> None:
    rows = {row["name"]: row for row in nas_json("plugins", "--json")}
    assert rows["evolution"]["distribution"] == "nas-core" and rows["evolution"]["version"]
    assert rows["evolution"]["hooks"] == ["nas_addoption", "nas_configure", "nas_propose", "nas_update"]
    assert rows["hillclimb"]["distribution"] == "nas-hillclimb"
    assert rows["darts"]["requires"] == ["darts-space"] and rows["gpnas"]["requires"] == ["gpnas-space", "gpnas-predictor"]
    assert all(row["error"] is None for row in rows.values())


def test_search_then_show_json_contract(tmp_path: Path) -> None:
    db = tmp_path / "run.db"
    searched = nas_json("search", "--plugin", "evolution", *NB201, "--budget", "12000s", "--seed", "7", "--storage", str(db), "--json")
    shown = nas_json("show", str(db), "--json")
    assert {k: v for k, v in shown.items() if k != "stopped"} == {k: v for k, v in searched.items() if k != "stopped"}
    assert shown["trials"] == searched["budget_used"]["trials"] > 50
    assert shown["seed"] == 7 and shown["plugins"][0]["name"] == "evolution"
    assert shown["budget_used"]["cost_seconds"] >= 12000
    best = shown["best"]
    assert best["arch"]["kind"] == "nb201" and best["arch"]["arch_str"].count("~") == 6
    assert {"valid_acc", "test_acc", "params", "flops"} <= set(best["metrics"])
    assert 85 < best["metrics"]["valid_acc"] <= 91.61
    assert shown["stopped"].startswith("budget spent")


def test_plugin_options_appear_in_help_and_reach_the_plugin(tmp_path: Path) -> None:
    helped = nas("search", "--plugin", "evolution", "--help")
    assert "--evolution-population" in helped.stdout and "[default: 10]" in helped.stdout
    shown = nas_json("search", "--plugin", "evolution", "--evolution-population", "5", *NB201, "--budget", "20",
                     "--storage", str(tmp_path / "s.db"), "--json")  # fmt: skip
    assert shown["options"] == {"evolution_population": 5}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "--plugin", "gpnass", *NB201), "error: unknown plugin 'gpnass' (installed: "),
        (("search", "--plugin", "nastest_plugins.broken", *NB201), "failed to import: ModuleNotFoundError"),
        (("search", "--plugin", "random", "--plugin", "evolution", *NB201), "both implement nas_propose"),
        (("search", "--plugin", "random", *NB201, "--budget", "12x"), "error: malformed budget '12x'"),
        (("search", "--plugin", "evolution", *NB201, "--evolution-population", "many"), "'many' is not a valid integer"),
        (("search", "--plugin", "evolution", *NB201, "--evolution-population", "1"), "--evolution-population must be at least 2"),
        (("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "svhn"), "nb201 has no dataset 'svhn'"),
        (("search", "--plugin", "random", "--benchmark", "nb301"), "unknown benchmark 'nb301'"),
        (("search", "--plugin", "random", "--bogus"), "No such option '--bogus'"),
        (("search", "--plugin", "random"), "nothing to search: give --benchmark"),
        (("search", "--resume"), "--resume needs --storage"),
        (("show", "nowhere.db"), "error: no study file at nowhere.db"),
    ],
)
def test_bad_input_is_one_line_and_a_nonzero_exit(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = nas(*args, "--storage", str(tmp_path / "s.db")) if args[0] == "search" and "--resume" not in args else nas(*args, cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert message in lines[0]
    assert not (tmp_path / "s.db").exists()  # nothing was created for a run that never started


def test_a_missing_data_dir_says_how_to_set_it(tmp_path: Path) -> None:
    done = nas("search", "--plugin", "random", *NB201, "--data-dir", str(tmp_path), "--storage", str(tmp_path / "s.db"))
    assert done.returncode == 1
    assert "missing data file" in done.stderr and "point --data-dir or NAS_DATA_DIR at the folder" in done.stderr


def test_recorded_results_are_never_overwritten_or_mixed(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_json("search", "--plugin", "random", *NB201, "--budget", "10", "--storage", str(db), "--json")
    before = db.read_bytes()
    again = nas("search", "--plugin", "random", *NB201, "--budget", "10", "--storage", str(db))
    assert again.returncode == 1 and "already exists: pass --resume" in again.stderr
    other = nas("search", "--resume", "--storage", str(db), "--seed", "5")
    assert other.returncode == 2 and "seed differ from the run stored" in other.stderr  # a usage error
    assert db.read_bytes() == before
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE x (y)").connection.commit()
    refused = nas("search", "--resume", "--storage", str(foreign))
    assert refused.returncode == 1 and "another application" in refused.stderr


def test_resume_can_extend_the_budget(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_json("search", "--plugin", "evolution", *NB201, "--budget", "20", "--storage", str(db), "--json")
    resumed = nas_json("search", "--resume", "--storage", str(db), "--budget", "35", "--json")
    assert resumed["trials"] == 35 and resumed["budget"]["trials"] == 35


def test_bench_writes_curves_and_summaries_and_plot_draws_them(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = nas("bench", "--plugin", "random", "--plugin", "evolution", *NB201, "--seeds", "3", "--budget", "3000s",
               "--evolution-population", "5", "-o", str(out), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert set(result["summary"]) == {"random", "evolution"} and result["complete"]
    assert not (tmp_path / "bench.json.partial").exists()
    assert result["options"] == {"evolution_population": 5}
    ceiling = result["optimum"]["exhaustive_valid_acc"]
    assert ceiling == pytest.approx(91.448, abs=1e-3) and ceiling < result["optimum"]["valid_acc"]
    for label, summary in result["summary"].items():
        assert summary["runs"] == 3
        for key in ("final_valid_mean", "final_valid_std", "final_test_mean", "final_test_std", "regret_mean", "queries_mean"):
            assert summary[key] is not None
        assert summary["regret_mean"] == pytest.approx(result["optimum"]["valid_acc"] - summary["final_valid_mean"])
        for run in result["runs"][label]:
            costs = run["curve"]["cost"]
            assert costs == sorted(costs) and costs[-1] >= 3000 and run["curve"]["valid"][-1] == run["final_valid"]
    png = tmp_path / "regret.png"
    drawn = nas("plot", str(out), "-o", str(png))
    assert drawn.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_under_a_constraint_judges_feasible_answers_and_refuses_an_unknown_metric(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = nas("bench", "--plugin", "random", *NB201, "--seeds", "2", "--budget", "20", "--constraint", "hw_edgegpu_latency<=4", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "under hw_edgegpu_latency<=4" in done.stdout and "answered" in done.stdout
    result = json.loads(out.read_text())
    assert result["constraints"] == ["hw_edgegpu_latency<=4"]
    assert result["optimum"]["valid_acc"] < 91.6  # the best cell within 4 ms, not the table's best
    refused = nas("bench", "--plugin", "random", *NB201, "--seeds", "1", "--budget", "5", "--constraint", "speed<=4", "-o", str(out))
    assert refused.returncode != 0 and refused.stderr.strip().count("\n") == 0
    assert "--constraint on speed: benchmark nb201 has no such column" in refused.stderr


def test_plot_of_a_study(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_json("search", "--plugin", "random", *NB201, "--budget", "15", "--storage", str(db), "--json")
    done = nas("plot", str(db), "-o", str(tmp_path / "s.png"))
    assert done.returncode == 0 and (tmp_path / "s.png").stat().st_size > 1000
