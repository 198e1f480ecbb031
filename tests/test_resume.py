"""A search killed at any moment loses no completed trial, and resuming ends as if never killed."""

import signal
import time
from pathlib import Path

from cli_helpers import nas, nas_json, popen
from nas_core.storage import StudyStorage

SLOW_SEARCH = ("--plugin", "evolution", "--plugin", "nastest_plugins.slow", "--slow-seconds", "0.02",
               "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "150", "--seed", "11", "--quiet")  # fmt: skip


def recorded(path: Path) -> int:
    try:
        storage = StudyStorage.open(path, writer=False)
    except Exception:  # noqa: BLE001 - the file may not exist yet
        return 0
    try:
        return sum(1 for _ in storage.trials())
    finally:
        storage.close()


def wait_for(path: Path, count: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while (n := recorded(path)) < count:
        assert time.monotonic() < deadline, f"only {n} trials after {timeout}s"
        time.sleep(0.05)
    return n


def trials(path: Path) -> list[tuple]:
    storage = StudyStorage.open(path, writer=False)
    try:
        return [(r.trial_id, r.candidate["arch"]["arch_str"], r.result["objective"]) for r in storage.trials()]
    finally:
        storage.close()


def test_sigkill_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    killed, straight = tmp_path / "killed.db", tmp_path / "straight.db"
    process = popen("search", *SLOW_SEARCH, "--storage", str(killed))
    wait_for(killed, 40)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = recorded(killed)
    assert 40 <= at_kill < 150

    resumed = nas_json("search", "--resume", "--storage", str(killed), "--json")
    assert resumed["trials"] == 150 and resumed["budget_used"]["trials"] == 150

    nas_json("search", *SLOW_SEARCH, "--slow-seconds", "0", "--storage", str(straight), "--json")
    after = trials(killed)
    assert [t[0] for t in after] == list(range(150))  # none lost, none duplicated
    assert after == trials(straight)  # and exactly the run that was never interrupted


def test_ctrl_c_saves_and_says_how_to_resume(tmp_path: Path) -> None:
    db, gate = tmp_path / "s.db", tmp_path / "gate"
    process = popen("search", *SLOW_SEARCH, "--slow-hold-at", "20", "--slow-gate", str(gate), "--storage", str(db))
    wait_for(db, 20)  # and it holds there: Ctrl-C reaches a search that is still running
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "continue with: nas search --resume --storage" in stderr
    gate.touch()
    assert nas_json("search", "--resume", "--storage", str(db), "--json")["trials"] == 150


def test_a_second_search_on_a_running_study_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    process = popen("search", *SLOW_SEARCH, "--storage", str(db))
    try:
        wait_for(db, 5)
        second = nas("search", "--resume", "--storage", str(db))
        assert second.returncode == 1 and "in use by another running nas search" in second.stderr
        shown = nas_json("show", str(db), "--json")  # reading while it runs is fine
        assert shown["trials"] >= 5
    finally:
        process.kill()
        process.wait()
