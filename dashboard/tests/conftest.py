"""A folder of real files to show: studies searched on the shipped NB201 table and on a table of
hostile strings, a ``nas bench`` result, and files that are neither."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import nas_core  # noqa: E402
from dashboard_helpers import HOSTILE_NAME, NAS, hostile_table  # noqa: E402


@pytest.fixture(scope="session")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the dashboard shows."""
    folder = tmp_path_factory.mktemp("shown")
    nas_core.search("evolution", benchmark="nb201", dataset="cifar10", budget=120, seed=0, evolution_population=10,
                    storage=folder / "evolution.db")  # fmt: skip
    table = hostile_table(tmp_path_factory.mktemp("tables") / f"{HOSTILE_NAME}.csv")
    nas_core.search("random", benchmark=str(table), budget=6, seed=0, storage=folder / "hostile.db")
    done = subprocess.run([NAS, "bench", "--plugin", "random", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10",
                           "--seeds", "3", "--budget", "1500s", "--quiet", "-o", str(folder / "bench.json")],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (folder / "corrupt.db").write_bytes(b"SQLite format 3\x00" + b"\x07" * 2000)
    (folder / "notes.json").write_text('{"not": "a bench result"}')
    return folder


@pytest.fixture(scope="session")
def gpnas_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a GPNAS study whose filter recorded its predictions (``gpnas_predicted``)."""
    pytest.importorskip("nas_gpnas", reason="the GPNAS predictor panel needs the nas-gpnas plugin")
    folder = tmp_path_factory.mktemp("gpnas")
    nas_core.search("gpnas", benchmark="nb201", dataset="cifar10", budget=14, seed=1, gpnas_warmup=6, gpnas_filter_patience=2,
                    gpnas_predictor_epochs=10, gpnas_refine_steps=2, storage=folder / "gpnas.db")  # fmt: skip
    return folder
