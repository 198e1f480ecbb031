"""The search loop: budget -> propose -> estimate -> update -> record, one candidate at a time."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from nas_core.errors import ArchitectureError, NasError
from nas_core.hooks import Hooks
from nas_core.study import Study
from nas_core.types import Candidate, Result, Status, Trial


class SearchAborted(NasError):
    """Too many consecutive failures: something is wrong with every candidate, not one."""


class SearchLoop:
    """Runs until the budget is spent, the strategy has nothing left, or the space is exhausted.

    Proposals the study already answered (duplicates) cost nothing and are not recorded as
    trials; after ``max_duplicates`` in a row the space is taken as exhausted. After
    ``max_failures`` failed trials in a row the run stops with the last error: every recorded
    trial stays in the study.
    """

    def __init__(
        self,
        hooks: Hooks,
        study: Study,
        states: Callable[[], Mapping[str, Any]],
        *,
        max_failures: int = 10,
        max_duplicates: int = 1000,
    ) -> None:
        self.hooks = hooks
        self.study = study
        self.states = states
        self.max_failures = max_failures
        self.max_duplicates = max_duplicates

    def run(self, on_trial: Callable[[Trial], None] | None = None) -> str:
        """Search; returns why it stopped."""
        study = self.study
        failures = duplicates = 0
        while True:
            status = self.hooks.budget(study)
            if status.exhausted:
                return f"budget spent ({status.reason})"
            candidates = self.hooks.propose(study, study.space, 1)
            if not candidates:
                return "the strategy has no more candidates"
            for proposed in candidates:
                candidate = proposed.with_trial_id(study.next_trial_id)
                started = time.time()
                result = self._estimate(candidate)
                finished = time.time()
                self.hooks.update(candidate, result, study)
                if result.status is Status.CACHED:
                    study.duplicates += 1
                    duplicates += 1
                    if duplicates >= self.max_duplicates:
                        return f"no new architecture in {duplicates} proposals (search space exhausted?)"
                    continue
                duplicates = 0
                trial = study.record(candidate, result, started, finished, self.states())
                if on_trial is not None:
                    on_trial(trial)
                failures = failures + 1 if result.status is Status.FAILED else 0
                if failures >= self.max_failures:
                    raise SearchAborted(
                        f"{failures} trials in a row failed; last: {result.info.get('error', 'unknown error')}"
                    )

    def _estimate(self, candidate: Candidate) -> Result:
        try:
            self.study.space.validate(candidate.arch)
        except ArchitectureError as exc:
            return Result.failed(f"invalid architecture: {exc}")
        return self.hooks.estimate(candidate, self.study)
