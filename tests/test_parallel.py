"""Trials on Dask workers: every trial recorded once, dead workers retried then failed, the
driver killed mid-run and resumed without losing or duplicating a completed trial."""

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from cli_helpers import nas_json, popen
from nas_core.tables.loader import load_benchmark
from nas_core.storage import StudyStorage
from nas_core.testing import require_data_dir

DIGITS = ("--space", "mlp", "--dataset", "digits")


def rows(path: Path) -> list:
    storage = StudyStorage.open(path, writer=False)
    try:
        return list(storage.trials())
    finally:
        storage.close()


def wait_for_rows(process: subprocess.Popen, path: Path, count: int, timeout: float = 120) -> None:
    """Until the study holds ``count`` trials; fails at once, with its stderr, if ``nas`` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if len(rows(path)) >= count:
                return
        except Exception:  # noqa: BLE001 - not created yet
            pass
        if process.poll() is not None:
            pytest.fail(f"nas exited with {process.returncode} before {count} trials: {process.stderr.read()}")
        assert time.monotonic() < deadline, f"fewer than {count} trials after {timeout}s"
        time.sleep(0.1)


def worker_processes(driver: int) -> list[psutil.Process]:
    """The Dask worker processes a driver started (multiprocessing children running spawn_main)."""
    return [p for p in psutil.Process(driver).children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]


def test_a_parallel_table_search_records_every_trial_once(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    shown = nas_json("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10",
                     "--budget", "80", "--workers", "2", "--storage", str(db), "--json")  # fmt: skip
    assert shown["trials"] == 80 and shown["stopped"] == "budget spent (80/80 trials)"
    recorded = rows(db)
    assert sorted(r.trial_id for r in recorded) == list(range(80))
    bench = load_benchmark("nb201", "cifar10", require_data_dir())
    from nas_core.spaces.nb201 import NB201Cell

    archs = [NB201Cell.from_str(r.candidate["arch"]["arch_str"]) for r in recorded]
    assert len({a.key for a in archs}) == 80  # no architecture evaluated twice, even in parallel
    assert all(r.result["objective"] == bench.query(a).objective for r, a in zip(recorded, archs))


def test_a_trial_whose_workers_die_is_retried_once_then_failed(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    shown = nas_json("search", "--plugin", "random", "--plugin", "nastest_plugins.deadly", "--space", "deadly-mlp",
                     "--dataset", "digits", "--train-epochs", "2", "--budget", "5", "--workers", "2",
                     "--storage", str(db), "--json")  # fmt: skip
    assert shown["trials"] == 5 and shown["status_counts"] == {"failed": 1, "complete": 4}
    [failed] = [r for r in rows(db) if r.result["status"] == "failed"]
    assert failed.candidate["arch"]["layers"] == ["8-sigmoid"]
    assert "died twice (it was retried once on another worker)" in failed.result["info"]["error"]


def test_a_worker_killed_during_a_trial_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    process = popen("search", "--plugin", "random", *DIGITS, "--train-epochs", "40", "--budget", "5",
                    "--workers", "2", "--seed", "3", "--storage", str(db), "--quiet")  # fmt: skip
    wait_for_rows(process, db, 2)
    workers = worker_processes(process.pid)
    assert len(workers) == 2
    workers[0].send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    recorded = rows(db)
    assert sorted(r.trial_id for r in recorded) == list(range(5))
    assert all(r.result["status"] == "complete" for r in recorded)  # the interrupted trial was rerun


def test_the_driver_killed_mid_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    args = ("search", "--plugin", "evolution", "--plugin", "nastest_plugins.slow", "--slow-seconds", "0.03",
            "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "150", "--workers", "2", "--storage", str(db))  # fmt: skip
    process = popen(*args, "--quiet", own_group=True)
    wait_for_rows(process, db, 40)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {r.trial_id: (r.candidate, r.result) for r in rows(db)}
    assert 40 <= len(before) < 150

    resumed = nas_json("search", "--resume", "--storage", str(db), "--workers", "2", "--json")
    assert resumed["trials"] == 150
    after = rows(db)
    assert len({r.trial_id for r in after}) == 150
    assert {r.trial_id: (r.candidate, r.result) for r in after if r.trial_id in before} == before
    keys = [r.candidate["arch"]["arch_str"] for r in after]
    assert len(set(keys)) == len(keys)  # nothing evaluated twice across the kill


def test_two_free_workers_and_one_trial_left_start_one_trial(tmp_path: Path) -> None:
    """A parallel run resumed one trial short of its budget (found by the fault soak: it ran 151 of 150)."""
    db = tmp_path / "p.db"
    nas_json("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10",
             "--budget", "9", "--storage", str(db), "--json")  # fmt: skip
    shown = nas_json("search", "--resume", "--storage", str(db), "--budget", "10", "--workers", "2", "--json")
    assert shown["trials"] == 10 and sorted(r.trial_id for r in rows(db)) == list(range(10))
