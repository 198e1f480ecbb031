"""Study files as the dashboard shows them, read again only when they change.

A :class:`StudyFile` keeps the last snapshot of its file (:func:`nas_core.load_study`) and reads
the file again only when its size or modification time (or that of its write-ahead log) changed,
and then through :meth:`nas_core.Study.refresh`: only the trials recorded since. Every read is a
few short read-only transactions without the writer's lock, so a search writing the file is not
held up. What the pages show (the list row, the curves, a page of the table, the Pareto front)
is computed from a snapshot's table once and kept with it.
"""

from __future__ import annotations

import bisect
import math
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from nas_core import Study, TrialTable, load_study, pareto_mask

from nas_dashboard.drawing import architecture_svg
from nas_dashboard.panels import panels

RUNNING_RECHECK_SECONDS = 2.0  # a running search killed leaves the file as it was: look again this often
MAX_PAGE = 500
FIXED_NUMERIC = ("objective", "cost_seconds", "fidelity")
MINIMIZED_HINTS = ("param", "flop", "latency", "energy", "cost", "size", "loss", "memory", "error")


def file_signature(path: Path) -> tuple[Any, ...]:
    """What changes when a search writes the file: its size and times, and its write-ahead log's."""
    signature: list[Any] = []
    for name in (str(path), f"{path}-wal"):
        try:
            stat = os.stat(name)
        except OSError:
            signature.append(None)
            continue
        signature.append((stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


class StudyFile:
    """One study file; :meth:`snapshot` is its current content (raises NasError when unreadable)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._snapshot: StudySnapshot | None = None
        self._signature: tuple[Any, ...] | None = None
        self._read_at = 0.0

    def snapshot(self) -> StudySnapshot:
        with self._lock:
            signature = file_signature(self.path)
            current = self._snapshot
            stale_running = current is not None and current.study.running and time.monotonic() - self._read_at > RUNNING_RECHECK_SECONDS
            if current is None or signature != self._signature or stale_running:
                self._snapshot = StudySnapshot(load_study(self.path) if current is None else current.study.refresh(), current)
                self._signature = signature
                self._read_at = time.monotonic()
            assert self._snapshot is not None
            return self._snapshot


class StudySnapshot:
    """What the pages show of one snapshot of a study. Built after ``previous`` (the snapshot
    before it), it continues that one's sums over the trials recorded since; of the summary
    (:meth:`nas_core.Study.summary`, which reads every trial) it shows what a search does not
    change, so it is taken once per study."""

    def __init__(self, study: Study, previous: StudySnapshot | None = None) -> None:
        self.study = study
        self.table: TrialTable = study.table()
        records = self.table.records
        old = previous.table.records if previous is not None else ()
        if previous is not None and len(records) >= len(old) and (not old or records[len(old) - 1] is old[-1]):
            new, progress, numeric, summary = records[len(old) :], previous.progress, previous.numeric, previous.summary
        else:  # the first snapshot, or the file holds another study now
            new, progress, numeric, summary = records, Progress(), frozenset(), None
        self.progress = progress.after(new)
        self.numeric = numeric | {n for n in (*FIXED_NUMERIC, *self.table.metrics) if any(_number(r[n]) for r in new)}
        self.summary: dict[str, Any] = summary if summary is not None else study.summary()
        self._fronts: dict[tuple[str, str, tuple[bool, bool]], dict[str, Any]] = {}  # pareto()'s answers

    @cached_property
    def version(self) -> str:
        """Changes whenever what the study page shows does."""
        return f"{len(self.table.records)}:{self.study.running}:{self.study.stopped}"

    @property
    def state(self) -> str:
        if self.study.running:
            return "running"
        if self.study.stopped is not None:
            return "finished"
        return "not running" if self.study.running is False else "unknown"

    # -- the list ---------------------------------------------------------------------------------
    @cached_property
    def row(self) -> dict[str, Any]:
        """The study's row in the file list."""
        summary, progress = self.summary, self.progress
        budget = summary["budget"]
        used = {"trials": progress.evaluated, "cost_seconds": progress.seconds, "wall_seconds": progress.wall}
        return {
            "kind": "study",
            "plugins": [p["name"] for p in summary["plugins"]],
            "benchmark": summary["benchmark"],
            "dataset": summary["dataset"],
            "space": summary["space"],
            "seed": summary["seed"],
            "trials": progress.trials,
            "status_counts": dict(progress.counts),
            "best_objective": progress.best,
            "budget": budget,
            "used": used,
            "left": {
                "trials": None if budget["trials"] is None else max(0, budget["trials"] - used["trials"]),
                "seconds": None if budget["seconds"] is None else max(0.0, budget["seconds"] - used["cost_seconds"]),
            },
            "state": self.state,
            "stopped": self.study.stopped,
        }

    # -- one study --------------------------------------------------------------------------------
    @cached_property
    def page(self) -> dict[str, Any]:
        """Everything the study page shows but the table, the Pareto front and the pictures."""
        summary, progress = self.summary, self.progress
        best = None if progress.best_id is None else self.record(progress.best_id)
        return {
            **self.row,
            "version": self.version,
            "plugin_versions": summary["plugins"],
            "options": summary["options"],
            "data": summary["data"],
            "best": None if best is None else {"trial_id": best["trial_id"], "objective": best["objective"], "arch": best["arch"]},
            "curve": progress.curve(len(self.table.records)),
            "columns": list(self.table.columns),
            "numeric": self.numeric_columns,
            "panels": panels(self.table.records, self.table.metrics, dict(progress.counts)),
        }

    @cached_property
    def numeric_columns(self) -> list[dict[str, Any]]:
        """Columns a Pareto scatter can use, each with the direction it is better in (a guess a
        user can change: accuracies up, sizes, latencies and costs down)."""
        names = [n for n in (*FIXED_NUMERIC, *self.table.metrics) if n in self.numeric]
        return [{"name": n, "maximize": not any(hint in n.lower() for hint in MINIMIZED_HINTS)} for n in names]

    def trials(self, sort: str | None, descending: bool, status: str | None, query: str, offset: int, limit: int) -> dict[str, Any]:
        """One page of the table, filtered and sorted, as compact rows (lists in column order)."""
        records: Sequence[Mapping[str, Any]] = self.table.records
        if status:
            records = [r for r in records if r["status"] == status]
        if query:
            needle = query.lower()
            records = [r for r in records if any(needle in str(r[c]).lower() for c in ("arch", "origin", "error", "status") if r[c])]
        if sort and sort in self.table.columns:
            records = _sorted(records, sort, descending)
        limit = max(1, min(limit, MAX_PAGE))
        page = records[max(0, offset) : max(0, offset) + limit]
        columns = self.table.columns
        return {
            "version": self.version,
            "total": len(self.table.records),
            "matched": len(records),
            "offset": offset,
            "columns": list(columns),
            "rows": [[r[c] for c in columns] for r in page],
        }

    def record(self, trial_id: int) -> dict[str, Any]:
        """One trial's row of the table (KeyError when there is none)."""
        records = self.table.records
        at = bisect.bisect_left(records, trial_id, key=lambda r: r["trial_id"])
        if at == len(records) or records[at]["trial_id"] != trial_id:
            raise KeyError(f"no trial {trial_id} in {self.study.path}")
        return dict(records[at])

    def pareto(self, x: str, y: str, maximize: tuple[bool, bool]) -> dict[str, Any]:
        """Completed trials with finite values of both columns, and which are non-dominated
        (kept for the snapshot: a page opened again, or a second page, asks the same)."""
        key = (x, y, maximize)
        if key not in self._fronts:
            self._fronts[key] = self._pareto(x, y, maximize)
        return self._fronts[key]

    def _pareto(self, x: str, y: str, maximize: tuple[bool, bool]) -> dict[str, Any]:
        for name in (x, y):
            if name not in self.table.columns:
                raise KeyError(f"no column {name!r}")
        points = [(r["trial_id"], r[x], r[y]) for r in self.table.records
                  if r["status"] == "complete" and _finite(r[x]) and _finite(r[y])]  # fmt: skip
        front = pareto_mask([(p[1], p[2]) for p in points], maximize)
        return {
            "trial_id": [p[0] for p in points],
            "x": [p[1] for p in points],
            "y": [p[2] for p in points],
            "front": [i for i, on in enumerate(front) if on],
        }

    def drawing(self, which: str) -> tuple[str | None, str]:
        """The SVG picture of a trial's architecture (``which``: its id) or of the answer, and
        a caption; None when the space has no picture."""
        study = self.study
        if which == "answer":
            trial = study.best
            arch = study.answer
            if arch is None:
                raise KeyError("the study has no answer yet")
            title = "the answer" + (f": trial {trial.trial_id}" if trial is not None else " (not evaluated as a trial)")
        else:
            trial = study.trial(int(which))
            arch = trial.candidate.arch
            title = f"trial {trial.trial_id}"
        info = {} if trial is None else dict(trial.result.info)
        if trial is not None and trial.result.objective is not None:
            title += f", objective {trial.result.objective:.4g}"
        return architecture_svg(arch, study.space, info, title), str(arch)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sorted(records: Sequence[Mapping[str, Any]], column: str, descending: bool) -> list[Mapping[str, Any]]:
    """By ``column``, empty values last either way (as ``nas trials --sort``); mixed types by text."""
    present = [r for r in records if not _empty(r[column])]
    empty = [r for r in records if _empty(r[column])]
    try:
        ordered = sorted(present, key=lambda r: r[column], reverse=descending)
    except TypeError:
        ordered = sorted(present, key=lambda r: str(r[column]), reverse=descending)
    return ordered + empty


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Progress:
    """Sums over a study's trials in id order, continued trial by trial: the counts by status,
    the search time spent, and the best objective so far (a completed trial's finite objective,
    the higher the better, the earlier on a tie: nas's one rule of "best", as ``nas show`` and
    ``nas plot`` apply it) at each trial that improved it."""

    trials: int = 0
    counts: tuple[tuple[str, int], ...] = ()
    seconds: float = 0.0
    wall: float = 0.0
    best: float | None = None
    best_id: int | None = None
    last_id: int | None = None
    improved: tuple[tuple[int, int, float, float, float], ...] = field(default=())  # (n, trial id, seconds, wall, best)

    @property
    def evaluated(self) -> int:
        """Trials that spent budget (completed or failed; predictions are free)."""
        counts = dict(self.counts)
        return counts.get("complete", 0) + counts.get("failed", 0)

    def after(self, records: Iterable[Mapping[str, Any]]) -> Progress:
        counts = dict(self.counts)
        n, seconds, wall, best, best_id, last_id = self.trials, self.seconds, self.wall, self.best, self.best_id, self.last_id
        improved = list(self.improved)
        for record in records:
            n += 1
            counts[record["status"]] = counts.get(record["status"], 0) + 1
            seconds += record["cost_seconds"] or 0.0
            wall, last_id = record["wall_seconds"], record["trial_id"]
            objective = record["objective"]
            if record["status"] == "complete" and _finite(objective) and (best is None or objective > best):
                best, best_id = objective, record["trial_id"]
                improved.append((n, best_id, seconds, wall, best))
        return replace(self, trials=n, counts=tuple(counts.items()), seconds=seconds, wall=wall, best=best, best_id=best_id,
                       last_id=last_id, improved=tuple(improved))  # fmt: skip

    def curve(self, trials: int) -> dict[str, list[Any]]:
        """The best so far at each improvement and at the last trial: per trial number, search
        time (the budget's seconds) and wall clock."""
        points = list(self.improved)
        if points and points[-1][0] != trials:
            points.append((trials, self.last_id, self.seconds, self.wall, points[-1][4]))
        keys = ("trial", "trial_id", "seconds", "wall", "best")
        return {key: [point[k] for point in points] for k, key in enumerate(keys)}
