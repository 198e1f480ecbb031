"""Progress bars of the long commands, on stderr: written once as they end where stderr is not a
terminal (as here), absent under --quiet and --json, whose stdout stays valid JSON; a command
that fails leaves its one error line alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import nas

DIGITS = ("--space", "mlp", "--dataset", "digits", "--train-epochs", "1", "--device", "cpu")


@pytest.fixture(scope="module")
def digits_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("progress") / "digits.db"
    done = nas("search", "--plugin", "random", *DIGITS, "--budget", "1", "--storage", str(db), "--quiet")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return db


def test_bench_shows_runs_done_of_all_unless_quiet(tmp_path: Path) -> None:
    args = ("bench", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--seeds", "2", "--budget", "20")
    shown = nas(*args, "-o", str(tmp_path / "a.json"))
    assert shown.returncode == 0, shown.stderr
    assert "nas bench" in shown.stderr and "2/2 runs" in shown.stderr and "eta" in shown.stderr
    assert "[2/2] random seed 1: valid" in shown.stderr
    quiet = nas(*args, "-o", str(tmp_path / "b.json"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert json.loads((tmp_path / "b.json").read_text())["complete"]


def test_retrain_shows_epochs_loss_and_accuracy_unless_json_or_quiet(digits_study: Path) -> None:
    shown = nas("retrain", str(digits_study), "--epochs", "2")
    assert shown.returncode == 0, shown.stderr
    assert "retrain" in shown.stderr and "2/2 epochs" in shown.stderr and "loss " in shown.stderr and "valid " in shown.stderr
    as_json = nas("retrain", str(digits_study), "--epochs", "2", "--json")
    assert as_json.returncode == 0 and as_json.stderr == ""
    assert json.loads(as_json.stdout)["epochs"] == 2
    quiet = nas("retrain", str(digits_study), "--epochs", "1", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and "test" in quiet.stdout


def test_search_json_has_no_bar(tmp_path: Path) -> None:
    done = nas("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "5",
               "--storage", str(tmp_path / "s.db"), "--json")  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["trials"] == 5


def test_retrain_bench_counts_pieces_unless_quiet(tmp_path: Path) -> None:
    args = ("retrain-bench", "--plugin", "random", *DIGITS, "--budget", "1", "--seeds", "1", "--retrain-epochs", "1",
            "--retrain-seeds", "1", "--random", "1")  # fmt: skip
    quiet = nas(*args, "-o", str(tmp_path / "q.json"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == "", quiet.stderr
    again = nas(*args, "-o", str(tmp_path / "q.json"))  # all of it done: the bar starts full
    assert again.returncode == 0, again.stderr
    assert "[3/3] done earlier (in the log), skipped" in again.stderr
    assert "nas retrain-bench" in again.stderr and "3/3 searches and retrainings" in again.stderr


def test_a_failing_command_prints_its_error_line_and_no_bar(tmp_path: Path) -> None:
    table = tmp_path / "table.db"
    assert nas("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "2",
               "--storage", str(table), "--quiet").returncode == 0  # fmt: skip
    for done in (
        nas("retrain", str(table), "--epochs", "1"),  # a study on a table: which data to train on?
        nas("bench", "--plugin", "random", "--dataset", "cifar10", "--budget", "5", "--data-dir", str(tmp_path / "none"), "-o", str(tmp_path / "b.json")),
    ):
        lines = done.stderr.strip().splitlines()
        assert done.returncode != 0 and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
