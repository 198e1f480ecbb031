"""The search loop: budget -> propose -> estimate -> update -> record.

In-process, one candidate runs at a time. With Dask workers (``executor``), up to one candidate
per worker thread is in flight: the strategy is asked for as many candidates as there are free
slots (it may return fewer and is asked again when a slot frees), and results are recorded and fed
back in the order they complete. The driver is the only writer of the study.

Before any plugin sees a candidate, the loop validates it and answers a duplicate (an
architecture and fidelity the study has already evaluated, or rejected under a constraint) from
the study, at no cost: no filter, predictor or estimator runs for it, and the strategy still
learns the answer in ``nas_update``.

Under ``--constraint``, every completed result is judged before any plugin hears of it (the
run's own estimator has judged its own already; a plugin's estimator is judged here), so
strategies learn of an infeasible trial as infeasible (:mod:`nas_core.constraints`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nas_core.budget import trials_left
from nas_core.constraints import Constraints
from nas_core.errors import ArchitectureError, NasError
from nas_core.hooks import Hooks
from nas_core.study import LiveStudy
from nas_core.types import Candidate, Result, Status, Trial

if TYPE_CHECKING:
    from nas_core.parallel.driver import DaskExecutor

Key = tuple[str, int | None]


def cached_answer(previous: Trial) -> Result:
    """What a duplicate of ``previous`` gets: its metrics, at no cost."""
    return Result(Status.CACHED, previous.result.objective, previous.result.metrics, 0.0, {"duplicate_of": previous.trial_id})


class TrialIds:
    """Ids for the trials of one run: first the ids an interrupted run handed out but never
    recorded (see :meth:`LiveStudy.unrecorded_trial_ids`), then on from the highest recorded one."""

    def __init__(self, study: LiveStudy) -> None:
        self._free = study.unrecorded_trial_ids()
        self._next = study.next_trial_id

    def peek(self) -> int:
        """The id the next trial gets."""
        return self._free[0] if self._free else self._next

    def take(self) -> None:
        """The id from :meth:`peek` is spent."""
        if self._free:
            self._free.pop(0)
        else:
            self._next += 1


class SearchAborted(NasError):
    """Too many consecutive failures: something is wrong with every candidate, not one."""


class SearchLoop:
    """Runs until the budget is spent, the strategy has nothing left, or the space is exhausted.

    Proposals the study already answered (duplicates) cost nothing and are not recorded as
    trials; a proposal of an architecture that is running right now waits for that result. After
    ``max_idle`` proposals in a row that spent no budget (duplicates, or predictions of a filter
    that keeps re-predicting the same architectures, or rejections under a constraint) the space
    is taken as exhausted: without that bound a small space whose every member is known would
    never spend its budget. After
    ``max_failures`` failed trials in a row the run stops with the last error: every recorded
    trial stays.
    """

    def __init__(
        self,
        hooks: Hooks,
        study: LiveStudy,
        states: Callable[[], Mapping[str, Any]],
        *,
        executor: DaskExecutor | None = None,
        max_failures: int = 10,
        max_idle: int = 1000,
    ) -> None:
        self.hooks = hooks
        self.study = study
        self.states = states
        self.executor = executor
        self.slots = executor.slots if executor is not None else 1
        self.max_failures = max_failures
        self.max_idle = max_idle
        self.constraints = Constraints.parse(study.spec.constraints)
        self._running: dict[Key, Candidate] = {}
        self._waiting: dict[Key, list[Candidate]] = {}
        self._failures = 0
        self._idle = 0
        self._out_of_budget = False  # proposing stopped because the budget (counting trials in flight) was spent

    def run(self, on_trial: Callable[[Trial], None] | None = None) -> str:
        """Search; returns why it stopped."""
        self._on_trial = on_trial
        self._ids = TrialIds(self.study)
        stop: str | None = None
        try:
            while True:
                if stop is None:
                    stop = self._fill()
                if not self._running:
                    return stop or "the strategy has no more candidates"
                assert self.executor is not None
                finished = self.executor.next_finished()
                key = self._key(finished.candidate)
                del self._running[key]
                self.study.in_flight = len(self._running)
                reason = self._finish(finished.candidate, finished.result, finished.started, finished.finished)
                if reason is not None:
                    stop = reason
                elif self._out_of_budget and not finished.result.status.consumes_budget:
                    # counted as a trial while in flight, it spent none (rejected on its worker)
                    stop, self._out_of_budget = None, False
        finally:
            if self._running and self.executor is not None:
                self.executor.cancel_all()
                self._running.clear()
                self.study.in_flight = 0

    def _fill(self) -> str | None:
        """Start candidates until every slot is busy; returns why proposing must stop, if it must."""
        study = self.study
        while len(self._running) < self.slots:
            status = self.hooks.budget(study)
            if status.exhausted:
                self._out_of_budget = True
                return f"budget spent ({status.reason})"
            room = self.slots - len(self._running)
            left = trials_left(study.spec.budget, study.usage)
            candidates = self.hooks.propose(study, study.space, room if left is None else min(room, left))
            if not candidates:
                return None if self._running else "the strategy has no more candidates"
            for proposed in candidates:
                stop = self._start(proposed.with_trial_id(self._ids.peek()))
                if stop is not None:
                    return stop
        return None

    def _start(self, candidate: Candidate) -> str | None:
        key = self._key(candidate)
        if key in self._running:  # the same architecture is being evaluated: answer it after that
            self._waiting.setdefault(key, []).append(candidate)
            return None
        started = time.time()
        result = self._estimate(candidate)
        if result.status is not Status.CACHED:
            self._ids.take()  # a duplicate answered from the study is not a trial: its id is reused
        if result.status is Status.PENDING:
            self._running[key] = candidate
            self.study.in_flight = len(self._running)
            return None
        return self._finish(candidate, result, started, time.time())

    def _estimate(self, candidate: Candidate) -> Result:
        try:
            self.study.space.validate(candidate.arch)
        except ArchitectureError as exc:
            return Result.failed(f"invalid architecture: {exc}")
        previous = self.study.find(candidate.arch, candidate.fidelity)
        if previous is not None:
            return cached_answer(previous)
        return self.hooks.estimate(candidate, self.study)

    def _finish(self, candidate: Candidate, result: Result, started: float, finished: float) -> str | None:
        study = self.study
        if self.constraints:
            self.constraints.require_reported(result, candidate.trial_id)
            result = self.constraints.judge(result)
        self.hooks.update(candidate, result, study)
        if result.status is Status.CACHED:
            return self._duplicate()
        trial = study.record(candidate, result, started, finished, self.states())
        if self._on_trial is not None:
            self._on_trial(trial)
        if result.status.consumes_budget:
            self._idle = 0
            stop = None
        else:
            stop = self._spent_nothing()
        for waiting in self._waiting.pop(self._key(candidate), []):
            self.hooks.update(waiting, cached_answer(trial), study)
            stop = self._duplicate() or stop
        self._failures = self._failures + 1 if result.status is Status.FAILED else 0
        if self._failures >= self.max_failures:
            raise SearchAborted(
                f"{self._failures} trials in a row failed; last: {result.info.get('error', 'unknown error')}"
            )
        return stop

    def _duplicate(self) -> str | None:
        self.study.duplicates += 1
        return self._spent_nothing()

    def _spent_nothing(self) -> str | None:
        self._idle += 1
        if self._idle >= self.max_idle:
            return (
                f"no budget spent in {self._idle} proposals in a row, all duplicates, predictions or rejected by a "
                "constraint (search space exhausted, or constraints too tight?)"
            )
        return None

    @staticmethod
    def _key(candidate: Candidate) -> Key:
        return (candidate.arch.key, candidate.fidelity)
