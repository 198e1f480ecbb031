"""``nas trials``: every trial of a study as a table, CSV or JSON, the columns of Study.to_pandas()."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cli_helpers import NAS, nas, nas_json
from nas_core.storage import TrialRow
from nas_core.trial_table import trial_table

NB201 = ("--benchmark", "nb201", "--dataset", "cifar10")


@pytest.fixture(scope="module")
def flaky_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random search where every cell whose first edge is a 3x3 convolution fails."""
    db = tmp_path_factory.mktemp("trials") / "flaky.db"
    done = nas("search", "--plugin", "random", "--plugin", "nastest_plugins.flaky", *NB201, "--budget", "30", "--seed", "1",
               "--storage", str(db), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return db


def test_json_lists_every_trial_with_every_metric(flaky_study: Path) -> None:
    rows = nas_json("trials", str(flaky_study), "--format", "json")
    shown = nas_json("show", str(flaky_study), "--json")
    assert [row["trial_id"] for row in rows] == list(range(shown["trials"])) and len(rows) == 30
    complete = [row for row in rows if row["status"] == "complete"]
    failed = [row for row in rows if row["status"] == "failed"]
    assert complete and failed and len(complete) == shown["status_counts"]["complete"]
    best = max(complete, key=lambda row: row["objective"])
    assert best["trial_id"] == shown["best"]["trial_id"] and best["valid_acc"] == shown["best"]["metrics"]["valid_acc"]
    assert best["arch"] == shown["best"]["arch"]["arch_str"] and best["origin"] == "random" and best["error"] is None
    assert all(row["arch"].startswith("|nor_conv_3x3~0|") for row in failed)
    assert all(row["error"] == "diverged: loss is NaN" and row["objective"] is None and row["hw_fpga_energy"] is None for row in failed)
    assert all(row["started"] <= row["finished"] and row["cost_seconds"] >= 0 for row in rows)


def test_csv_has_a_header_and_the_same_rows(flaky_study: Path) -> None:
    done = nas("trials", str(flaky_study), "--format", "csv")
    assert done.returncode == 0 and done.stderr == ""
    read = list(csv.DictReader(io.StringIO(done.stdout)))
    rows = nas_json("trials", str(flaky_study), "--format", "json")
    assert list(read[0]) == list(rows[0]) and len(read) == len(rows)
    for line, row in zip(read, rows):
        assert line["arch"] == row["arch"] and line["status"] == row["status"]
        assert (line["objective"] == "") == (row["objective"] is None)
        if row["objective"] is not None:
            assert float(line["objective"]) == row["objective"] and float(line["params"]) == row["params"]


def test_status_sort_limit_and_columns_choose(flaky_study: Path) -> None:
    rows = nas_json("trials", str(flaky_study), "--format", "json")
    top = nas_json("trials", str(flaky_study), "--format", "json", "--sort", "objective", "--desc", "--limit", "3", "--columns", "trial_id,objective")
    expected = sorted((row for row in rows if row["objective"] is not None), key=lambda row: -row["objective"])[:3]
    assert top == [{"trial_id": row["trial_id"], "objective": row["objective"]} for row in expected]
    ascending = nas_json("trials", str(flaky_study), "--format", "json", "--sort", "objective", "--columns", "objective")
    assert ascending[-1]["objective"] is None and ascending[0]["objective"] == min(r["objective"] for r in rows if r["objective"] is not None)
    failed = nas_json("trials", str(flaky_study), "--format", "json", "--status", "failed")
    assert failed and {row["status"] for row in failed} == {"failed"}


def test_the_table_fits_the_terminal_and_names_what_it_leaves_out(flaky_study: Path) -> None:
    done = subprocess.run([NAS, "trials", str(flaky_study), "--limit", "4"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "4 of 30 trials" in done.stdout and "trial_id" in done.stdout and "objective" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    assert "too wide to show: " in done.stdout and "hw_fpga_energy" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--sort", "speed"), 2, "no column 'speed' (columns: trial_id, status, arch"),
        (("--columns", "trial_id,nope"), 2, "no column 'nope'"),
        (("--format", "xml"), 2, "'xml' is not one of 'table', 'csv', 'json'"),
    ],
)
def test_bad_choices_are_one_line(flaky_study: Path, args: tuple[str, ...], code: int, message: str) -> None:
    done = nas("trials", str(flaky_study), *args)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code and len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr


def test_a_file_that_is_not_a_study_is_one_line(tmp_path: Path) -> None:
    text, foreign = tmp_path / "notes.db", tmp_path / "other.db"
    text.write_text("hello")
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    for path, message in ((text, "not an SQLite file"), (foreign, "another application"), (tmp_path / "none.db", "no study file")):
        done = nas("trials", str(path))
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and message in lines[0], done.stderr


def test_metric_columns_are_the_union_and_never_shadow_a_fixed_column() -> None:
    def row(trial_id: int, metrics: dict[str, float]) -> TrialRow:
        candidate = {"arch": {"kind": "table", "encoding": f"a{trial_id}"}, "fidelity": None, "trial_id": trial_id, "origin": "x"}
        result = {"status": "complete", "objective": 1.0, "metrics": metrics, "cost_seconds": 2.0, "info": {}}
        return TrialRow(trial_id, candidate, result, 10.0, 11.0, 1.0)

    table = trial_table([row(0, {"acc": 1.0}), row(1, {"latency": 3.0, "status": 9.0})])
    assert table.metrics == ("acc", "latency", "metric_status")
    assert table.columns[:5] == ("trial_id", "status", "arch", "fidelity", "objective") and table.columns[-1] == "error"
    assert [r["acc"] for r in table.records] == [1.0, None] and table.records[1]["metric_status"] == 9.0
    assert table.records[1]["status"] == "complete" and table.records[0]["arch"] == "a0"
    assert json.dumps(table.records)  # plain values only
