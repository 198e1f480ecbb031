"""Study files hold data, never code: a crafted or old (pickled) state is never run by `nas`."""

import pickle
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cli_helpers import nas, nas_json
from planted import Planted

SEARCH = ("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10", "--seed", "1", "--json")


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("searched") / "study.db"
    nas_json(*SEARCH, "--budget", "8", "--storage", str(db))
    return db


@pytest.fixture
def shared(searched: Path, tmp_path: Path) -> Path:
    """A copy of a real study file, as someone would hand it on."""
    return Path(shutil.copy(searched, tmp_path / "shared.db"))


def plant(db: Path, marker: Path, *, schema: int | None = None) -> None:
    """Replace the stored plugin state by a pickle that runs a command (as someone sharing the file
    could), optionally marking the file as written by an older nas."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE plugin_state SET state = ?", (pickle.dumps(Planted(marker)),))
        if schema is not None:
            conn.execute(f"PRAGMA user_version = {schema}")


def one_line_error(done: subprocess.CompletedProcess, pattern: str) -> None:
    assert done.returncode != 0 and not done.stdout
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert re.search(pattern, done.stderr), done.stderr


@pytest.mark.parametrize("schema", [None, 2], ids=["current file", "older nas's file"])
def test_a_planted_state_runs_nothing_on_resume_or_show(shared: Path, tmp_path: Path, schema: int | None) -> None:
    db, marker = shared, tmp_path / "ran"
    trials_before = nas_json("show", str(db), "--json")["trials"]
    plant(db, marker, schema=schema)

    resumed = nas("search", "--resume", "--storage", str(db), "--budget", "12", "--json")
    if schema is None:
        one_line_error(resumed, r"the stored state of 'evolution\.RegularizedEvolution' is corrupt or not written by nas")
    else:
        one_line_error(resumed, r"was written by an older nas \(study schema 2, plugin states pickled\): "
                                r"nas show, plot and export read it, but it cannot be resumed")  # fmt: skip
    shown = nas_json("show", str(db), "--json")
    assert shown["trials"] == trials_before  # readable, and the refused resume added nothing
    assert not marker.exists()


def test_an_older_nas_study_is_read_by_show_plot_and_export(shared: Path, tmp_path: Path) -> None:
    db, marker = shared, tmp_path / "ran"
    plant(db, marker, schema=2)
    assert nas_json("show", str(db), "--json")["best"]["arch"]["kind"] == "nb201"
    plotted = nas("plot", str(db), "-o", str(tmp_path / "progress.png"))
    assert plotted.returncode == 0, plotted.stderr
    exported = nas("export", str(db), "--format", "json", "-o", str(tmp_path / "best.json"))
    assert exported.returncode == 0, exported.stderr
    assert not marker.exists()
