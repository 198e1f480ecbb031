"""The values that flow between hooks: what is proposed, what is measured, what is recorded.

All are frozen and JSON round-trippable (``to_dict`` / ``from_dict``), so a study can be stored,
shipped to a worker process and read back without pickling framework objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from nas_core.architecture import Architecture


class Status(StrEnum):
    """How a trial ended."""

    COMPLETE = "complete"  # evaluated; ``objective`` is the feedback
    FAILED = "failed"  # evaluation raised or diverged; ``info["error"]`` says why
    # Infeasible (``--constraint``): no objective, ``info["violated"]`` lists what it violates.
    INFEASIBLE = "infeasible"  # evaluated, and its reported metrics violate a constraint
    REJECTED = "rejected"  # violates a constraint on what is known before evaluating it: never evaluated
    PREDICTED = "predicted"  # a predictor answered instead of an evaluation (no cost)
    CACHED = "cached"  # a duplicate answered from the study; never stored as a trial
    PENDING = "pending"  # dispatched to a worker; the real result arrives later (parallel runs)

    @property
    def consumes_budget(self) -> bool:
        """Evaluations (complete, failed or infeasible) count against a trial budget; answers
        without one (predicted, rejected before evaluation, duplicates) do not."""
        return self in (Status.COMPLETE, Status.FAILED, Status.INFEASIBLE)

    @property
    def infeasible(self) -> bool:
        """The trial violates a constraint (found after evaluating it, or before)."""
        return self in (Status.INFEASIBLE, Status.REJECTED)

    @property
    def answers_duplicates(self) -> bool:
        """A later proposal of the same architecture and fidelity gets this answer from the study
        (a duplicate): evaluations, and rejections, which a constraint would only repeat."""
        return self.consumes_budget or self is Status.REJECTED


@dataclass(frozen=True)
class Candidate:
    """One architecture to evaluate at one fidelity.

    ``trial_id`` is assigned by the core when the candidate enters the loop (strategies leave it at
    -1); ``origin`` names who proposed it; ``meta`` carries strategy-specific JSON-able notes.
    ``fidelity`` is the number of training epochs, or ``None`` for the estimator's full fidelity.
    """

    arch: Architecture
    fidelity: int | None = None
    trial_id: int = -1
    origin: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_trial_id(self, trial_id: int) -> Candidate:
        return replace(self, trial_id=trial_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "arch": self.arch.to_dict(),
            "fidelity": self.fidelity,
            "trial_id": self.trial_id,
            "origin": self.origin,
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], decode: Callable[[Mapping[str, Any]], Architecture]
    ) -> Candidate:
        return cls(
            arch=decode(data["arch"]),
            fidelity=data.get("fidelity"),
            trial_id=int(data.get("trial_id", -1)),
            origin=str(data.get("origin", "")),
            meta=dict(data.get("meta") or {}),
        )


@dataclass(frozen=True)
class Result:
    """What an estimate returns.

    ``objective`` is the feedback strategies maximize (for tables: the noisy single-seed validation
    accuracy); ``metrics`` holds named values for reports (``valid_acc``, ``test_acc``, ``params``,
    ``flops``, ``latency_ms``, ...); ``cost_seconds`` is the simulated or measured cost charged to
    the time budget. ``artifacts`` carry binary payloads such as trained weights: they are not
    part of the JSON form; the study keeps those of its best trial. An infeasible result (it
    violates a ``--constraint``) has no objective, so no strategy takes it for a good one.
    """

    status: Status
    objective: float | None = None
    metrics: Mapping[str, float] = field(default_factory=dict, hash=False)
    cost_seconds: float = 0.0
    info: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    artifacts: Mapping[str, bytes] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def complete(
        cls,
        objective: float,
        metrics: Mapping[str, float] | None = None,
        cost_seconds: float = 0.0,
        info: Mapping[str, Any] | None = None,
        artifacts: Mapping[str, bytes] | None = None,
    ) -> Result:
        return cls(Status.COMPLETE, float(objective), dict(metrics or {}), cost_seconds, dict(info or {}), dict(artifacts or {}))

    @classmethod
    def failed(cls, error: str, cost_seconds: float = 0.0) -> Result:
        return cls(Status.FAILED, None, {}, cost_seconds, {"error": error})

    @classmethod
    def rejected(cls, violated: list[dict[str, Any]], metrics: Mapping[str, float], cost_seconds: float = 0.0) -> Result:
        """A candidate not evaluated because what is known of it beforehand violates a constraint."""
        return cls(Status.REJECTED, None, dict(metrics), cost_seconds, {"violated": violated})

    def infeasible(self, violated: list[dict[str, Any]]) -> Result:
        """This evaluated result, infeasible: its metrics, cost and artifacts kept, its objective
        moved to ``info["objective"]`` so that no strategy or report takes it for a good result."""
        info = {**self.info, "violated": violated, "objective": self.objective}
        return replace(self, status=Status.INFEASIBLE, objective=None, info=info)

    @property
    def ok(self) -> bool:
        """True when the result carries a usable, finite objective."""
        return self.objective is not None and math.isfinite(self.objective)

    def beats(self, best: Result | None) -> bool:
        """Whether this result replaces ``best`` as the best so far: the one rule of "best".

        Only completed results with a finite objective count (a prediction or a failure never is
        the best), a higher objective wins, and on a tie the earlier result stays.
        """
        if self.status is not Status.COMPLETE or not self.ok:
            return False
        assert self.objective is not None
        return best is None or best.objective is None or self.objective > best.objective

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "objective": self.objective,
            "metrics": dict(self.metrics),
            "cost_seconds": self.cost_seconds,
            "info": dict(self.info),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        objective = data.get("objective")
        return cls(
            status=Status(data["status"]),
            objective=None if objective is None else float(objective),
            metrics={k: float(v) for k, v in (data.get("metrics") or {}).items()},
            cost_seconds=float(data.get("cost_seconds", 0.0)),
            info=dict(data.get("info") or {}),
        )


@dataclass(frozen=True)
class Trial:
    """A recorded evaluation: the candidate, its result and when it ran (unix seconds)."""

    candidate: Candidate
    result: Result
    started: float
    finished: float

    @property
    def trial_id(self) -> int:
        return self.candidate.trial_id
