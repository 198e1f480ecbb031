"""Children the filter skipped, proposed again once a retrained predictor rates them worth training
(``--gpnas-revive``).

The filter judges a child once, with the predictor of that moment, which has learnt from the
children trained so far; GPNAS takes every answered child as known and never proposes it again. A
child predicted below the bar early in a run was therefore out for good, however the predictor
changed later: on NB201 cifar10 seed 16 the optimum was skipped (predicted 89.95 against a bar of
90.46) and the run never found it. With revival on, GPNAS remembers every child the filter skipped,
with the searchers' values and budget it was made of, and whenever the predictor has been
retrained since the last look it re-scores all of them in one batched prediction; the ones that
now reach the filter's bar are proposed, best predicted first, before the searchers are asked.
A revived child is observed by both searchers like a random child (its values, its real cost);
one the filter skips again is remembered again.

The re-scored predictions depend on the predictor's weights at that moment, so their outcome (the
queue of children to revive) is part of the saved state, not recomputed on resume.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nas_core import AppendLog, Architecture, SearchSpace, StudyView

from nas_gpnas.decoupling import Values


@dataclass(frozen=True)
class Child:
    """A child made outside the searchers' asks (drawn at random, or revived): its architecture and
    fidelity, each searcher's values, the budget; enough to propose it and let both searchers
    observe its result."""

    arch: Architecture
    fidelity: int | None
    values: dict[str, Values]
    budget: float | None


class Screen(Protocol):
    """What revival needs of the filter (:class:`nas_gpnas.filter.PredictorFilter` is one)."""

    @property
    def trained_on(self) -> int:
        """Changes whenever the predictor is retrained; 0 while it is not fitted."""
        ...

    def rescreen(self, archs: Sequence[Architecture], fidelities: Sequence[int | None]) -> list[float | None]:
        """The prediction of each candidate the filter would now pass on to be trained, None for
        each it would answer."""
        ...


class Revival:
    """The skipped children, and the ones the latest re-scoring passed, best predicted first.

    Each skipped child gets a number, its position in ``skipped``; ``taken`` holds the numbers of
    the ones proposed again. Both only grow (the study file stores their new entries per trial).
    """

    def __init__(self, space: SearchSpace, screen: Screen) -> None:
        self.space = space
        self.screen = screen
        self.skipped = AppendLog("skipped children")  # (arch, fidelity, values, budget) per child
        self.taken = AppendLog("revived children")  # numbers of skipped children proposed again
        self.remembered: dict[int, Child] = {}  # by number: skipped and not taken
        self.queue: list[int] = []  # numbers the latest re-scoring passed, best predicted first
        self.rescored_at = 0  # the screen's ``trained_on`` at the latest re-scoring

    def remember(self, child: Child) -> None:
        self.remembered[len(self.skipped)] = child
        self.skipped.append((child.arch.to_dict(), child.fidelity, child.values, child.budget))

    def next(self, study: StudyView) -> Child | None:
        """The next skipped child worth training now (re-scoring them all first if the predictor
        was retrained since the last time), or None."""
        if self.screen.trained_on != self.rescored_at:
            self._rescore()
        while self.queue:
            number = self.queue.pop(0)
            child = self.remembered.pop(number)
            self.taken.append(number)
            if study.find(child.arch, child.fidelity) is None:
                return child
        return None

    def _rescore(self) -> None:
        self.rescored_at = self.screen.trained_on
        numbers = list(self.remembered)
        if not numbers:
            self.queue = []
            return
        children = [self.remembered[n] for n in numbers]
        predicted = self.screen.rescreen([c.arch for c in children], [c.fidelity for c in children])
        passing = [(value, number) for number, value in zip(numbers, predicted) if value is not None]
        self.queue = [number for _, number in sorted(passing, key=lambda pair: -pair[0])]  # ties: skipped first

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "taken": self.taken, "queue": list(self.queue), "rescored_at": self.rescored_at}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.skipped = AppendLog(self.skipped.key, state["skipped"])
        self.taken = AppendLog(self.taken.key, state["taken"])
        taken = set(self.taken)
        self.remembered = {
            number: Child(self.space.decode(arch), fidelity, values, budget)
            for number, (arch, fidelity, values, budget) in enumerate(self.skipped)
            if number not in taken
        }
        self.queue = [int(n) for n in state["queue"]]
        self.rescored_at = int(state["rescored_at"])
