"""Budgets: how much search a run may do, and how much it has used.

A budget is a trial count (``150``), a search-time limit (``12000s``, ``10m``, ``2h``) or both
(the tightest wins). Search time is the sum of the trials' ``cost_seconds``: simulated for tabular
benchmarks (so runs compare on simulated wall-clock as in the NB201 protocol), measured for real
training. ``wall_seconds`` (``--timeout``) limits the driver's real elapsed time, across resumes.
A trial starts only while budget is left, so the last one may overshoot a time budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nas_core.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)\s*$", re.IGNORECASE)
_SECONDS_PER = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``"90s"``, ``"10m"``, ``"2h"``, ``"1.5h"`` -> seconds; raises ConfigError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"malformed duration {text!r}: use seconds, minutes or hours such as 12000s, 10m, 2h")
    return float(match.group(1)) * _SECONDS_PER[match.group(2).lower()]


@dataclass(frozen=True)
class Budget:
    trials: int | None = None
    seconds: float | None = None
    wall_seconds: float | None = None

    @classmethod
    def parse(cls, specs: Iterable[str], timeout: str | None = None) -> Budget:
        trials: int | None = None
        seconds: float | None = None
        for spec in specs:
            text = str(spec).strip()
            if text.isdigit():
                value = int(text)
                if value < 1:
                    raise ConfigError(f"malformed budget {spec!r}: a trial budget must be at least 1")
                trials = value if trials is None else min(trials, value)
            else:
                try:
                    value_s = parse_duration(text)
                except ConfigError:
                    raise ConfigError(
                        f"malformed budget {spec!r}: use a trial count (150) or a search time (12000s, 10m, 2h)"
                    ) from None
                if value_s <= 0:
                    raise ConfigError(f"malformed budget {spec!r}: a time budget must be positive")
                seconds = value_s if seconds is None else min(seconds, value_s)
        wall = parse_duration(timeout) if timeout else None
        if wall is not None and wall <= 0:
            raise ConfigError(f"malformed --timeout {timeout!r}: a wall-clock limit must be positive")
        if trials is None and seconds is None and wall is None:
            raise ConfigError("no budget: give --budget as a trial count (150) or a search time (12000s)")
        return cls(trials, seconds, wall)

    def to_dict(self) -> dict[str, Any]:
        return {"trials": self.trials, "seconds": self.seconds, "wall_seconds": self.wall_seconds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Budget:
        return cls(data.get("trials"), data.get("seconds"), data.get("wall_seconds"))

    def __str__(self) -> str:
        parts = []
        if self.trials is not None:
            parts.append(f"{self.trials} trials")
        if self.seconds is not None:
            parts.append(f"{self.seconds:g}s search time")
        if self.wall_seconds is not None:
            parts.append(f"{self.wall_seconds:g}s wall clock")
        return ", ".join(parts)


@dataclass(frozen=True)
class Usage:
    """What a study has used: evaluations, search time (sum of costs), driver wall time, and the
    evaluations running on workers right now (they will count as trials once they finish)."""

    trials: int
    cost_seconds: float
    wall_seconds: float
    in_flight: int = 0


@dataclass(frozen=True)
class BudgetStatus:
    """One plugin's view of what is left; the core takes the smallest ``remaining``.

    ``fidelity`` is the largest fidelity (epochs) the budget still affords, when a plugin knows it.
    """

    remaining: float
    reason: str
    fidelity: int | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0.0


def trials_left(budget: Budget, usage: Usage) -> int | None:
    """How many more trials may start (running ones count as started); None without a trial limit.

    The loop asks a strategy for at most this many candidates: with two free workers and one
    trial left, starting two would overspend the budget.
    """
    if budget.trials is None:
        return None
    return max(0, budget.trials - usage.trials - usage.in_flight)


def budget_status(budget: Budget, usage: Usage) -> BudgetStatus:
    """The tightest of the budget's limits given ``usage``."""
    limits = []
    if budget.trials is not None:
        started = usage.trials + usage.in_flight
        limits.append((1 - started / budget.trials, f"{started}/{budget.trials} trials"))
    if budget.seconds is not None:
        limits.append(
            (1 - usage.cost_seconds / budget.seconds, f"{usage.cost_seconds:.0f}/{budget.seconds:g}s search time")
        )
    if budget.wall_seconds is not None:
        limits.append(
            (1 - usage.wall_seconds / budget.wall_seconds, f"{usage.wall_seconds:.0f}/{budget.wall_seconds:g}s wall clock")
        )
    remaining, reason = min(limits)
    return BudgetStatus(max(0.0, remaining), reason)
