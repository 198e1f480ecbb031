"""Faults: a client that dies, hangs or fails fails its round with one line naming it, every
client is stopped, recorded rounds stay, and the next round (or ``--resume``) starts new
clients from the last completed round, exactly."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

from fednas_testing import TINY, client_of_rank

import nas_core
from nas_core import Status, Trial
from nas_fednas.federation import _drain, _Started


def _search(budget: int, storage: str | Path = ":memory:", **options):
    return nas_core.search("fednas", space="nb201", dataset="digits", budget=budget, storage=str(storage), **{**TINY, **options})


def _completed(study) -> list[tuple[str, float | None, float]]:
    return [(t.candidate.arch.key, t.result.objective, t.result.metrics["test_acc"]) for t in study.trials if t.result.ok]


def test_a_killed_client_fails_its_round_and_resume_continues_exactly(tmp_path: Path) -> None:
    killed: list[int] = []

    def kill_client_1(trial: Trial) -> None:
        if not killed:
            victim = client_of_rank(1)
            killed.append(victim.pid)
            victim.kill()  # not waited for here: the server, its parent, reads how it ended

    storage = tmp_path / "faulty.db"
    faulty = _search(2, storage, on_trial=kill_client_1)
    assert [t.result.status for t in faulty.trials] == [Status.COMPLETE, Status.FAILED]
    error = faulty.trials[1].result.info["error"]
    assert error == f"round 2: client 1 (pid {killed[0]}) was killed by SIGKILL"
    resumed = nas_core.search("fednas", storage=str(storage), resume=True, budget=3)
    assert [t.result.status for t in resumed.trials] == [Status.COMPLETE, Status.FAILED, Status.COMPLETE]
    assert resumed.trials[2].result.metrics["round"] == 2.0
    assert _completed(resumed) == _completed(_search(2)), "a retried round equals the round that was never interrupted"


def test_a_hung_client_is_named_once_the_timeout_passes() -> None:
    stopped: list[int] = []

    def stop_client_0(trial: Trial) -> None:
        if not stopped:
            victim = client_of_rank(0)
            stopped.append(victim.pid)
            victim.suspend()  # SIGSTOP: alive, and silent

    study = _search(2, on_trial=stop_client_0, fednas_timeout=15.0)
    assert [t.result.status for t in study.trials] == [Status.COMPLETE, Status.FAILED]
    assert study.trials[1].result.info["error"] == (
        f"round 2: client 0 (pid {stopped[0]}) did not finish 1 local epochs within --fednas-timeout 15s"
    )


def test_a_client_that_fails_says_why_in_one_line() -> None:
    study = _search(1, darts_w_lr=1e30)
    (trial,) = study.trials
    error = trial.result.info["error"]
    assert trial.result.status is Status.FAILED and "\n" not in error
    assert error.startswith("round 1: client ") and "failed while training: TrialError: supernet epoch 1 diverged" in error


def test_a_client_that_crashes_without_a_word_is_named_with_its_last_stderr_line() -> None:
    """A crash before the client can report (an import error, the interpreter dying) leaves its
    exit status and the last line it wrote to stderr, which the server keeps in memory."""
    crash = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stderr.write('Traceback ...\\nImportError: no module named x\\n'); sys.exit(3)"],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    tail: deque[str] = deque(maxlen=20)
    _drain(crash, tail)
    crash.wait()
    started = _Started(channel=None, clients=1, processes=[crash], stderr=[tail])  # type: ignore[arg-type]
    assert started.last_error_line(0) == "ImportError: no module named x" and crash.returncode == 3
