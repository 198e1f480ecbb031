"""The non-dominated trials of a study over several metrics (``nas show --pareto``, ``nas plot --pareto``).

An axis is a metric the trials report (or ``objective``). Its direction follows one rule:
accuracies (names containing ``acc``) and ``objective`` are maximized, everything else (params,
FLOPs, latencies, energies, losses) minimized; ``max:NAME`` or ``min:NAME`` chooses explicitly.
A trial is on the front when it is feasible (completed, within the run's constraints), reports
every axis, and no other such trial is at least as good on every axis and better on one. Trials
with equal values on every axis are all on the front.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nas_core.errors import ConfigError, reading_study
from nas_core.storage import StudyStorage, TrialRow
from nas_core.types import Status

OBJECTIVE = "objective"
_PREFIXES = {"max:": True, "min:": False}


@dataclass(frozen=True)
class Axis:
    metric: str
    maximize: bool

    @classmethod
    def parse(cls, text: str) -> Axis:
        name = text.strip()
        for prefix, maximize in _PREFIXES.items():
            if name.startswith(prefix):
                metric = name[len(prefix) :].strip()
                if not metric:
                    raise ConfigError(f"--pareto: {text!r} names no metric after {prefix!r}")
                return cls(metric, maximize)
        if not name:
            raise ConfigError("--pareto: an empty metric name (give names separated by commas, e.g. valid_acc,params)")
        return cls(name, name == OBJECTIVE or "acc" in name)

    @property
    def direction(self) -> str:
        return "max" if self.maximize else "min"

    def value(self, row: TrialRow) -> float | None:
        """The trial's value on this axis, None when it reports none."""
        if self.metric == OBJECTIVE:
            return row.result.get("objective")
        return row.result["metrics"].get(self.metric)


def parse_axes(text: str) -> list[Axis]:
    """``"valid_acc,min:params"`` -> two axes; at least two, each metric once."""
    axes = [Axis.parse(part) for part in text.split(",")]
    if len(axes) < 2:
        raise ConfigError(f"--pareto {text!r}: name at least two metrics separated by commas, e.g. valid_acc,params")
    names = [axis.metric for axis in axes]
    if len(set(names)) != len(names):
        raise ConfigError(f"--pareto {text!r} names a metric twice")
    return axes


@dataclass(frozen=True)
class Point:
    row: TrialRow
    values: tuple[float, ...]
    feasible: bool


@dataclass(frozen=True)
class ParetoFront:
    """The trials that report every axis (``points``), the non-dominated feasible ones (``front``,
    best first on the first axis), and how many trials report some axis not (``unreported``:
    failures, and rejections, which report only what was known before evaluating)."""

    axes: list[Axis]
    points: list[Point]
    front: list[Point]
    unreported: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "axes": [{"metric": axis.metric, "direction": axis.direction} for axis in self.axes],
            "compared": sum(point.feasible for point in self.points),
            "infeasible_left_out": sum(not point.feasible for point in self.points),
            "unreported": self.unreported,
            "front": [
                {
                    "trial_id": point.row.trial_id,
                    "arch": point.row.candidate["arch"],
                    "values": {axis.metric: value for axis, value in zip(self.axes, point.values)},
                    "objective": point.row.result.get("objective"),
                    "metrics": point.row.result["metrics"],
                    "origin": point.row.candidate.get("origin", ""),
                }
                for point in self.front
            ],
        }


def study_front(path: str | os.PathLike[str], axes_text: str) -> ParetoFront:
    """The front of the study file at ``path`` (opened read-only) over ``"valid_acc,params"``-like axes."""
    axes = parse_axes(axes_text)
    storage = StudyStorage.open(path, writer=False)
    try:
        with reading_study(path):
            rows = list(storage.trials())
    finally:
        storage.close()
    return pareto_front(rows, axes, str(path))


def pareto_front(rows: Sequence[TrialRow], axes: Sequence[Axis], where: str = "the study") -> ParetoFront:
    """The front of ``rows`` over ``axes``; a metric no trial reports is a ConfigError."""
    if not rows:
        raise ConfigError(f"--pareto: {where} has no trial yet")
    for axis in axes:
        if all(axis.value(row) is None for row in rows):
            reported = sorted({name for row in rows for name in row.result["metrics"]})
            raise ConfigError(
                f"--pareto: no trial of {where} reports {axis.metric} (they report {', '.join([OBJECTIVE, *reported])})"
            )
    points = []
    for row in rows:
        values = [axis.value(row) for axis in axes]
        if all(value is not None for value in values):
            feasible = row.result["status"] == Status.COMPLETE
            points.append(Point(row, tuple(float(v) for v in values if v is not None), feasible))
    front = non_dominated([p for p in points if p.feasible], axes)
    return ParetoFront(list(axes), points, front, len(rows) - len(points))


def non_dominated(points: Sequence[Point], axes: Sequence[Axis]) -> list[Point]:
    """The points no other point dominates, best first on the first axis."""
    maximize = [axis.maximize for axis in axes]
    on = pareto_mask([p.values for p in points], maximize)
    return sorted((p for p, kept in zip(points, on) if kept), key=lambda p: _gains(p.values, maximize), reverse=True)


def pareto_mask(values: Sequence[Sequence[float]], maximize: Sequence[bool]) -> list[bool]:
    """For each row of ``values`` (one value per axis), whether no other row is at least as good
    on every axis and better on one; ``maximize`` gives each axis' direction. Rows equal on every
    axis do not dominate each other.

    Taken best first in lexicographic order, a row can only be dominated by one before it, and
    if any earlier row dominates it, an earlier row on the front does: so each row is compared
    with the front found so far only.
    """
    gains = [_gains(row, maximize) for row in values]
    front: list[int] = []
    for i in sorted(range(len(gains)), key=gains.__getitem__, reverse=True):
        if not any(_dominates(gains[j], gains[i]) for j in front):
            front.append(i)
    on = [False] * len(gains)
    for i in front:
        on[i] = True
    return on


def _gains(row: Sequence[float], maximize: Sequence[bool]) -> tuple[float, ...]:
    """The row with every axis turned so that larger is better."""
    if len(row) != len(maximize):
        raise ValueError(f"{len(row)} values for {len(maximize)} axes")
    return tuple(value if up else -value for value, up in zip(row, maximize))


def _dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))
