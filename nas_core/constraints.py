"""Constraints on a run's metrics (``--constraint "hw_edgegpu_latency<=5"``), and judging trials by them.

A trial that violates a constraint is infeasible: it is recorded with its real metrics and the
constraints it violates (``info["violated"]``: each constraint with the value it saw, None where
the trial reports no such metric), it is never the best trial nor the answer, and it goes back
to the strategy as a result without an objective (``Result.ok`` is false). Every strategy
already treats such a result as a failure, which is what makes it learn to avoid infeasible
architectures without knowing about constraints: regularized evolution never lets it into its
population (so never breeds from it), hill climbing never moves to it, GPNAS tells both its BOHBs
the worst cost seen, MLPNAS's controller gets the worst reward seen, NAG's generator never learns
from it. Predictors (GPNAS's filter) keep learning accuracies from feasible trials only.

There are two ways to be infeasible:

- ``Status.REJECTED``: what is known of an architecture before it is evaluated (its
  *architecture metrics*: params, FLOPs, latencies, :func:`is_architecture_metric`) violates a
  constraint. The run's own estimator checks these first and does not evaluate the candidate: a
  table charges nothing, training trains nothing (the network is built and measured, seconds).
  A rejection does not count against a trial budget.
- ``Status.INFEASIBLE``: the candidate was evaluated and its reported metrics violate a constraint
  (one on accuracy, or any result of a plugin's own estimator, which is judged after it ran).

A constraint names a metric a run's trials report. Where the run's own estimator answers every
evaluation, its metrics are known before the search starts and an unknown name is refused then;
where a plugin's estimator answers (DARTS' supernet epochs, MLPNAS' weight sharing), at the first
completed trial that lacks it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nas_core.errors import ConfigError
from nas_core.types import Result, Status

OPERATORS = ("<=", ">=", "<", ">")
_CONSTRAINT = re.compile(r"^\s*([^<>=!\s]+)\s*(<=|>=|<|>)\s*(\S+)\s*$")
# Metrics that describe the network rather than its training: known before it is trained.
ARCHITECTURE_METRICS = frozenset({"params", "flops", "latency_ms"})
HARDWARE_PREFIX = "hw_"  # HW-NAS-Bench's latencies and energies in the NB201 tables


def is_architecture_metric(name: str) -> bool:
    """Params, FLOPs, measured latency and ``hw_*`` hardware measurements: a property of the
    network, known (looked up or measured) before training it."""
    return name in ARCHITECTURE_METRICS or name.startswith(HARDWARE_PREFIX)


@dataclass(frozen=True)
class Constraint:
    """``metric op bound``: a feasible trial's ``metric`` satisfies it."""

    metric: str
    op: str
    bound: float

    @classmethod
    def parse(cls, text: str) -> Constraint:
        match = _CONSTRAINT.match(text)
        if match is None:
            raise ConfigError(
                f"malformed --constraint {text!r}: write METRIC<=VALUE (or >=, <, >), e.g. hw_edgegpu_latency<=5"
            )
        metric, op, value = match.groups()
        try:
            bound = float(value)
        except ValueError:
            raise ConfigError(f"malformed --constraint {text!r}: {value!r} is not a number") from None
        if not math.isfinite(bound):
            raise ConfigError(f"malformed --constraint {text!r}: the bound must be a finite number")
        return cls(metric, op, bound)

    def holds(self, value: float) -> bool:
        if self.op == "<=":
            return value <= self.bound
        if self.op == ">=":
            return value >= self.bound
        if self.op == "<":
            return value < self.bound
        return value > self.bound

    def __str__(self) -> str:
        bound = str(int(self.bound)) if self.bound.is_integer() else repr(self.bound)
        return f"{self.metric}{self.op}{bound}"


class Constraints:
    """The constraints of one run (none: every trial is feasible)."""

    def __init__(self, constraints: Iterable[Constraint] = ()) -> None:
        self.items = tuple(constraints)

    @classmethod
    def parse(cls, texts: Iterable[str]) -> Constraints:
        return cls(Constraint.parse(text) for text in texts)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __str__(self) -> str:
        return ", ".join(map(str, self.items))

    @property
    def texts(self) -> tuple[str, ...]:
        """The constraints in their canonical spelling (``hw_edgegpu_latency<=5``), each once."""
        return tuple(dict.fromkeys(map(str, self.items)))

    @property
    def metrics(self) -> list[str]:
        return list(dict.fromkeys(c.metric for c in self.items))

    def on_architecture(self) -> Constraints:
        """The constraints that can be judged before evaluating (on architecture metrics)."""
        return Constraints(c for c in self.items if is_architecture_metric(c.metric))

    def violations(self, metrics: Mapping[str, float]) -> list[dict[str, Any]]:
        """Each violated constraint with the value seen; a metric not reported violates too
        (nothing shows the trial feasible), with the value None."""
        found = []
        for constraint in self.items:
            value = metrics.get(constraint.metric)
            if value is None or not constraint.holds(value):
                found.append({"constraint": str(constraint), "value": value})
        return found

    def judge(self, result: Result) -> Result:
        """A completed result, infeasible when it violates a constraint; any other unchanged."""
        if result.status is not Status.COMPLETE:
            return result
        violated = self.violations(result.metrics)
        return result.infeasible(violated) if violated else result

    def require_reported(self, result: Result, trial_id: int) -> None:
        """A completed result must report every constrained metric (a result of a plugin's own
        estimator, whose metrics were not known before the run): else a ConfigError."""
        if result.status is not Status.COMPLETE:
            return
        missing = [m for m in self.metrics if m not in result.metrics]
        if missing:
            raise ConfigError(
                f"--constraint on {', '.join(missing)}: trial {trial_id} reports no such metric "
                f"(it reports {', '.join(sorted(result.metrics)) or 'none'})"
            )

    def require_known(self, known: Collection[str], source: str) -> None:
        """Every constrained metric is one ``source`` reports: else a ConfigError before the search."""
        unknown = [m for m in self.metrics if m not in known]
        if unknown:
            raise ConfigError(
                f"--constraint on {', '.join(unknown)}: {source} reports no such metric "
                f"(it reports {', '.join(sorted(known))})"
            )
