"""The record of a running search: its spec, every trial, and what it has used.

Hooks receive a :class:`StudyView` (read-only); the driver alone records trials, each in one
storage transaction together with the plugins' states. What a user reads of a search, once it
has run or from its file, is :class:`nas_core.recorded.Study`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from nas_core.architecture import Architecture
from nas_core.budget import Usage
from nas_core.config import RunSpec
from nas_core.errors import writing_study
from nas_core.spaces.base import SearchSpace
from nas_core.storage import StudyStorage, TrialRow
from nas_core.types import Candidate, Result, Trial


class StudyView(Protocol):
    """What plugins may read of the running study."""

    spec: RunSpec
    space: SearchSpace

    @property
    def trials(self) -> Sequence[Trial]: ...

    @property
    def best(self) -> Trial | None: ...

    @property
    def usage(self) -> Usage: ...

    def find(self, arch: Architecture, fidelity: int | None) -> Trial | None: ...

    def sample(self, rng: np.random.Generator, n: int) -> list[Architecture]: ...


Sampler = Callable[[np.random.Generator, int], list[Architecture]]


class LiveStudy:
    """The study a search records into while it runs (``Session.study``); plugins see it as a
    :class:`StudyView`. Its :attr:`best` is the best trial so far, whatever a strategy will name
    as its answer at the end."""

    def __init__(self, spec: RunSpec, space: SearchSpace, storage: StudyStorage, sampler: Sampler | None = None) -> None:
        self.spec = spec
        self.space = space
        self.storage = storage
        self._sampler = sampler or (lambda rng, n: [space.sample(rng) for _ in range(n)])
        self._trials: list[Trial] = []
        self._answered: dict[tuple[str, int | None], Trial] = {}  # what a duplicate gets
        self._best: Trial | None = None
        self._evaluations = 0
        self._cost = 0.0
        self._wall_offset = 0.0
        self._session_start = time.monotonic()
        self.duplicates = 0
        self.in_flight = 0  # evaluations running on workers (set by the loop)
        self._next_id = 0
        self._deferred_meta: dict[str, Any] = {}

    @classmethod
    def load(cls, spec: RunSpec, space: SearchSpace, storage: StudyStorage, sampler: Sampler | None = None) -> LiveStudy:
        """The study as recorded in ``storage`` (architectures decoded by ``space``)."""
        study = cls(spec, space, storage, sampler)
        for row in storage.trials():
            candidate = Candidate.from_dict(row.candidate, space.decode)
            study._add(Trial(candidate, Result.from_dict(row.result), row.started, row.finished))
            study._wall_offset = max(study._wall_offset, row.wall_seconds)
        study.duplicates = int(storage.meta().get("duplicates", 0))
        return study

    # -- StudyView -------------------------------------------------------------------------------
    @property
    def trials(self) -> Sequence[Trial]:
        return self._trials

    @property
    def best(self) -> Trial | None:
        """The completed trial with the highest objective (earliest on ties)."""
        return self._best

    @property
    def usage(self) -> Usage:
        wall = self._wall_offset + time.monotonic() - self._session_start
        return Usage(self._evaluations, self._cost, wall, self.in_flight)

    def find(self, arch: Architecture, fidelity: int | None) -> Trial | None:
        """The evaluation (or rejection under a constraint) of an architecture with the same key
        at this fidelity, if any."""
        return self._answered.get((arch.key, fidelity))

    def sample(self, rng: np.random.Generator, n: int) -> list[Architecture]:
        """``n`` architectures to explore: from a generator plugin (``nas_sample``) or uniform."""
        return self._sampler(rng, n)

    @property
    def next_trial_id(self) -> int:
        """One more than the highest recorded id (parallel runs record out of id order)."""
        return self._next_id

    def unrecorded_trial_ids(self) -> list[int]:
        """Ids below :attr:`next_trial_id` that no trial holds, in order.

        A parallel run gives ids at dispatch and records in completion order: killed, it leaves
        the ids of the trials that were still running unrecorded. A resumed run hands them out
        first, so a finished study numbers its trials 0..n-1 however often it was interrupted.
        """
        recorded = {trial.trial_id for trial in self._trials}
        return [trial_id for trial_id in range(self._next_id) if trial_id not in recorded]

    # -- recording (driver only) -----------------------------------------------------------------
    def record(
        self,
        candidate: Candidate,
        result: Result,
        started: float,
        finished: float,
        states: Mapping[str, Any],
    ) -> Trial:
        """Append a trial and persist it with the plugins' states in one transaction.

        The result's artifacts (trained weights) are stored only if the trial is the new best,
        replacing the previous best's, and are not kept in memory.
        """
        trial = Trial(candidate, replace(result, artifacts={}), started, finished)
        row = TrialRow(
            candidate.trial_id, candidate.to_dict(), result.to_dict(), started, finished, self.usage.wall_seconds
        )
        artifacts = result.artifacts if self._improves(result) else None
        meta = {**self._deferred_meta, "duplicates": self.duplicates}
        with writing_study(self.storage.path):
            self.storage.write_trial(row, candidate.arch.key, result.status.value, result.objective, states, meta, artifacts)
        self._deferred_meta.clear()
        self._add(trial)
        return trial

    def defer_meta(self, **values: Any) -> None:
        """Meta to store with the next trial or :meth:`save_meta`, not before: a resumed run that
        fails before it records anything leaves its study file byte for byte as it was."""
        self._deferred_meta.update(values)

    def save_meta(self, **values: Any) -> None:
        with writing_study(self.storage.path):
            self.storage.set_meta(**self._deferred_meta, **values)
        self._deferred_meta.clear()

    def _improves(self, result: Result) -> bool:
        return result.beats(None if self._best is None else self._best.result)

    def _add(self, trial: Trial) -> None:
        self._trials.append(trial)
        self._next_id = max(self._next_id, trial.trial_id + 1)
        result = trial.result
        if result.status.consumes_budget:
            self._evaluations += 1
        if result.status.answers_duplicates:
            self._answered[(trial.candidate.arch.key, trial.candidate.fidelity)] = trial
        self._cost += result.cost_seconds
        if self._improves(result):
            self._best = trial
