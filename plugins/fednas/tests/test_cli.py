"""Through the ``nas`` command: a search SIGKILLed mid-run takes no client with it and resumes
at its round boundary to end as the uninterrupted run; ``nas show`` prints the partition."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
from fednas_testing import TINY, client_processes

from nas_core import load_study

NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))
FLAGS = [word for name, value in TINY.items() for word in (f"--{name.replace('_', '-')}", str(value))]
SEARCH = ["search", "--plugin", "fednas", "--space", "nb201", "--dataset", "digits", "--quiet", *FLAGS]


def nas(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NAS, *args], capture_output=True, text=True, timeout=600)


def _recorded(path: Path) -> int:
    try:
        return len(load_study(path).trials)
    except Exception:  # noqa: BLE001 - not written yet
        return 0


def _rounds(path: Path) -> list[tuple[str, float, float]]:
    return [(t.candidate.arch.key, t.result.objective, t.result.metrics["test_acc"]) for t in load_study(path).trials]


def test_a_killed_search_leaves_no_client_and_resumes_exactly(tmp_path: Path) -> None:
    killed = tmp_path / "killed.db"
    search = subprocess.Popen([NAS, *SEARCH, "--budget", "3", "--storage", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while _recorded(killed) < 1:
            assert search.poll() is None, search.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "no round was recorded"
            time.sleep(0.2)
        clients = client_processes(search.pid)
        assert len(clients) == 2
    finally:
        search.kill()  # the nas process alone: its clients must notice and go
        search.wait()
    _, alive = psutil.wait_procs(clients, timeout=20)
    assert not alive, "clients outlived the search they served"
    resumed = nas(*SEARCH, "--budget", "3", "--storage", str(killed), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    straight = tmp_path / "straight.db"
    done = nas(*SEARCH, "--budget", "3", "--storage", str(straight))
    assert done.returncode == 0, done.stderr
    assert _rounds(killed) == _rounds(straight)


def test_nas_show_prints_the_client_by_class_table(tmp_path: Path) -> None:
    study = tmp_path / "show.db"
    done = nas(*SEARCH, "--budget", "1", "--storage", str(study), "--fednas-clients", "3")
    assert done.returncode == 0, done.stderr
    summary = json.loads(nas("show", str(study), "--json").stdout)
    (table,) = summary["best"]["info"]["tables"]
    assert table["columns"][0] == "client" and [row[0] for row in table["rows"]] == [0, 1, 2]
    shown = nas("show", str(study)).stdout
    assert "training samples per client and class (Dirichlet alpha 0.5" in " ".join(shown.split())
    assert all(f"│ {sum(row[1:-2])} │" in shown or str(sum(row[1:-2])) in shown for row in table["rows"])
