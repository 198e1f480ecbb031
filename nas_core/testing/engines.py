"""The engines the conformance kit runs a plugin's search under, besides the plain in-process run.

- ``workers``: trials on two Dask worker processes, several proposals in flight, results in the
  order they finish. All the kit's tests of a process share one cluster (:func:`shared_scheduler`),
  built as ``--workers 2`` builds its own; starting one takes seconds.
- ``nag-generator`` and ``gpnas-predictor``: the run with a proposal generator (``nas_sample``)
  or a filter (a ``tryfirst`` ``nas_estimate``) beside the plugins, in process, with the tiny
  options of :data:`COMPANIONS`. A combination the plugins refuse with a ConfigError (a space
  without graphs for the generator, say) is refused by design, and the test skips saying so.
- ``killed``: the search in a process of its own (:mod:`nas_core.testing.killed`) on the shared
  workers, SIGKILLed halfway through its budget, then resumed on the workers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from nas_core.config import RunSpec
from nas_core.parallel.driver import local_cluster
from nas_core.plugin_manager import installed_plugins
from nas_core.preparation import load_plugins
from nas_core.storage import StudyStorage, TrialRow
from nas_core.testing.killed import CUT_LINE
from nas_core.types import Trial

WORKERS = 2
ENGINES = ("workers", "nag-generator", "gpnas-predictor", "killed")
# Small enough for seconds of CPU. The generator's NAS dataset is not charged to the budget (the
# paper's protocol), so a tiny budget still buys the strategy its trials.
COMPANIONS: Mapping[str, Mapping[str, Any]] = {
    "nag-generator": {
        "nag_epochs": 2, "nag_batch_size": 8, "nag_node_dim": 16, "nag_graph_dim": 8, "nag_label_dim": 4,
        "nag_noise_dim": 8, "nag_dataset_size": "8", "nag_charge_dataset": False,
    },
    "gpnas-predictor": {"gpnas_warmup": 6, "gpnas_filter_patience": 2, "gpnas_predictor_epochs": 10, "gpnas_refine_steps": 2},
}  # fmt: skip
KILLED_TIMEOUT = 600  # seconds a search may take to reach its cut: a guard against a hang, not a measure


@functools.cache
def shared_scheduler() -> str:
    """The address of this process's cluster of :data:`WORKERS` workers, started at first use;
    distributed closes it when the process exits."""
    pytest.importorskip("distributed", reason="runs on Dask workers need nas-core[dask]")
    return local_cluster(WORKERS).scheduler_address


def companion_refusal(plugins: tuple[str, ...], companion: str) -> str | None:
    """Why ``companion`` cannot join ``plugins`` before a run is even tried, or None."""
    if companion not in installed_plugins():
        return f"{companion} is not installed"
    manager, _, _ = load_plugins(plugins)
    if companion in manager.loaded:
        return f"{companion} is in the run already"
    return None


def assert_buys_the_budget(trials: Sequence[Trial], budget: int) -> None:
    """The trials a trial budget buys: that many evaluations, none of them repeated, ids 0..n-1."""
    spent = [t for t in trials if t.result.status.consumes_budget]
    assert len(spent) == budget, f"{len(spent)} trials spent budget, which buys {budget}"
    evaluated = [(t.candidate.arch.key, t.candidate.fidelity) for t in spent]
    assert len(set(evaluated)) == len(evaluated), "an architecture was evaluated twice at one fidelity"
    ids = sorted(t.trial_id for t in trials)
    assert ids == list(range(len(trials))), f"trial ids are not 0..{len(trials) - 1}: {ids}"


def kill_mid_run(spec: RunSpec, storage: Path, cut: int, log: Path) -> None:
    """Run ``spec`` in a process of its own until ``cut`` trials are recorded, then SIGKILL it."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "nas_core.testing.killed", json.dumps(spec.to_dict()), str(storage), str(cut)],
            stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            ready, _, _ = select.select([process.stdout], [], [], KILLED_TIMEOUT)
            line = process.stdout.readline() if ready else ""  # type: ignore[union-attr]
        finally:
            with contextlib.suppress(ProcessLookupError):  # it ended on its own
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            process.stdout.close()  # type: ignore[union-attr]
    if line.strip() != CUT_LINE:
        why = "ended" if ready else f"was still short of it after {KILLED_TIMEOUT}s"
        pytest.fail(f"the search {why} before {cut} trials were recorded: {log.read_text()[-3000:]}")


def recorded(storage: Path) -> dict[int, TrialRow]:
    """The trials in a study file, as stored, by id."""
    study = StudyStorage.open(storage, writer=False)
    try:
        return {row.trial_id: row for row in study.trials()}
    finally:
        study.close()
