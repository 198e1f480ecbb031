"""The GPNAS search strategy: two BOHBs over D_sk and D_op make every child (paper III.B, Fig. 2).

Algorithm 1 of the paper: for D in (D_sk, D_op), the searcher of D samples x_D; the child model is
the combination {x_Dsk, x_Dop}. It is estimated (by the predictor filter, a table, or training)
and both searchers are told the result. A trained child's accuracy feeds both searchers' models
(paper Fig. 2: "if predictor decides that the child model is worth training, it trains and
evaluates the child model, and then feeds back to predictor and the BOHB"). A child the filter
judged not worth training is told to SMAC with its prediction (an untold SMAC trial would stall
its Hyperband bracket) but, like a known child, is not an observation of Algorithm 1: its model
is of real accuracies only. (``learn_predictions`` feeds the predictions to Algorithm 1 as well;
on held-out NB201 seeds that did worse, see the README.) Each searcher models its own space, so
the topology search is not blurred by the operators (Jiang et al.'s decoupling) and vice versa.

Both searchers run the same Hyperband schedule and are asked and told in lockstep, so they agree
on each child's budget (epochs). Should they disagree (after one of them started a new round),
both start a new round together. When training (and on a table of several fidelities) the budgets
are those of ``bohb`` and ``hyperband`` (``nas_core.fidelity_budgets``): a bracket trains many
children for a few epochs and promotes the best (both searchers rank their halves of a child by
the same answers, so the promoted halves make the same child) to more; each trial records its
fidelity. The search's answer is then the best child at the highest fidelity reached
(``nas_answer``); on a table of one fidelity it is the best trial, as ever.

A proposal the study has already answered (evaluated, or predicted by the filter) is told to the
searchers at once, as known (SMAC needs the answer; Algorithm 1 does not count it twice), and not
proposed again: it would cost a duplicate trial and teach nothing. Each searcher may propose its
part of a child again (the best topology with new operators, the best operators on a new
topology); only the child as a whole has to be new.
Asking again until the child is new samples the searchers' joint proposal restricted to the
children not yet answered. Algorithm 1's kernels concentrate as a run goes on (a dimension on
which the good observations agree keeps its value with probability 1 - 3e-3), and on NB201 the
share of new children falls below one in twenty after a few hundred trials. When
``MAX_KNOWN_IN_A_ROW`` asks of one proposal give only known children, GPNAS draws the child
uniformly at random from the joint space instead (what Algorithm 1 does with probability rho when
its model cannot help); both searchers observe its result, as SMAC-free observations. When
``RANDOM_DRAWS`` such draws and as many uniformly drawn architectures find no new child either,
the spaces are exhausted and GPNAS proposes nothing more, which ends the run.

Several children may be in flight (``--workers``; the paper, too, samples children in parallel):
``nas_propose`` makes as many as it is asked for, each from its own suggestions, and a result is
told to the suggestions of the child it answers, in the order results arrive. A child proposed
while the same child is still in flight waits for its result and gets it as a duplicate
(``Status.CACHED``), told as known. In one process one child is in flight at a time, and runs are
as before.

With ``--gpnas-topology`` the topology is fixed and only the operator searcher runs (the stability
analysis of paper IV.E).

With ``--gpnas-revive`` a child the filter skipped is not final: it is remembered, re-scored
whenever the predictor has been retrained, and proposed (before the searchers are asked) once it
reaches the filter's bar (:mod:`nas_gpnas.revival`).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nas_core import (
    Architecture, ArchitectureError, Budget, Candidate, FidelityBudgets, PluginError, Result, SearchSpace, Status,
    StudyView, best_at_highest_fidelity, budget_status, hookimpl,
)

from nas_gpnas.decoupling import Decoupling, Values, random_values
from nas_gpnas.revival import Child, Revival
from nas_gpnas.searcher import BOHBSearcher, Suggestion

TOPOLOGY, OPERATORS = "topology", "operators"
MAX_KNOWN_IN_A_ROW = 100  # asks of one proposal giving known children before a random child is drawn
RANDOM_DRAWS = 1000  # random children drawn, all known, before the spaces are taken as exhausted


@dataclass(frozen=True)
class Proposal:
    """What a proposed child came from: every searcher's suggestion, or a child made outside the
    asks (a random draw, or a revived child)."""

    asked: Mapping[str, Suggestion] | None = None
    child: Child | None = None


class GPNAS:
    def __init__(
        self,
        space: SearchSpace,
        decoupling: Decoupling,
        searchers: Mapping[str, BOHBSearcher],
        *,
        fidelities: FidelityBudgets | None,
        skip_dropout: float,
        topology: Values | None = None,
        learn_predictions: bool = False,
        revival: Revival | None = None,
        seed: int = 0,
    ) -> None:
        if OPERATORS not in searchers:
            raise ValueError("GPNAS needs an operator searcher")
        self.space = space
        self.decoupling = decoupling
        self.searchers = dict(searchers)
        self.fidelities = fidelities  # the searchers' budgets as fidelities (None: every child at full fidelity)
        self.skip_dropout = skip_dropout
        self.fixed_topology = topology
        self.learn_predictions = learn_predictions
        self.revival = revival  # None: a child the filter skipped is never proposed again
        # the children proposed and not answered yet, by (key, fidelity); a child proposed again
        # while in flight is answered after the first proposal (the loop answers it as a duplicate)
        self.pending: dict[tuple[str, int | None], deque[Proposal]] = {}
        self.predicted: dict[tuple[str, int | None], float] = {}
        self.worst_cost = 0.0  # crashes are told as the worst cost seen (SMAC needs a finite one)
        self.rng = np.random.default_rng(seed)  # the random children's draws

    # -- proposing ---------------------------------------------------------------------------------
    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        proposed: list[Candidate] = []
        while len(proposed) < n:
            candidate = self._propose_one(study)
            if candidate is None:
                break  # every child the spaces hold is known: they are exhausted
            proposed.append(candidate)
        return proposed

    def _propose_one(self, study: StudyView) -> Candidate | None:
        revived = self.revival.next(study) if self.revival is not None else None
        if revived is not None:
            return self._propose(study, revived.arch, revived.fidelity, Proposal(child=revived), origin="gpnas-revived")
        budget = None
        for _ in range(MAX_KNOWN_IN_A_ROW):
            asked = self._ask()
            budget = asked[OPERATORS].budget
            try:
                arch = self._join({name: suggestion.values for name, suggestion in asked.items()})
            except ArchitectureError:  # a combination the space does not hold (a table's missing row)
                self._tell(asked, self.worst_cost, crashed=True)
                continue
            fidelity = self._fidelity(budget)
            known = self._known(study, arch, fidelity)
            if known is None:
                return self._propose(study, arch, fidelity, Proposal(asked=asked), origin="gpnas")
            self._tell(asked, -known, known=True)
        draw = self._draw_new_child(study, budget)
        if draw is None:
            return None
        return self._propose(study, draw.arch, draw.fidelity, Proposal(child=draw), origin="gpnas-random")

    def _join(self, values: Mapping[str, Values]) -> Architecture:
        """The child of the searchers' values (ArchitectureError if the space does not hold it)."""
        topology = values[TOPOLOGY] if TOPOLOGY in values else self.fixed_topology
        return self.decoupling.join(topology, values[OPERATORS])

    def _propose(
        self, study: StudyView, arch: Architecture, fidelity: int | None, proposal: Proposal, origin: str
    ) -> Candidate:
        self.pending.setdefault((arch.key, fidelity), deque()).append(proposal)
        meta = {"skip_dropout": self.skip_dropout * (1.0 - search_progress(study))}
        return Candidate(arch, fidelity, origin=origin, meta=meta)

    def _draw_new_child(self, study: StudyView, budget: float | None) -> Child | None:
        """A random child the study has not answered, at the searchers' current budget."""
        fidelity = self._fidelity(budget)
        for values in itertools.chain(self._drawn_values(), self._uniform_cells()):
            try:
                arch = self._join(values)
            except ArchitectureError:
                continue
            if self._known(study, arch, fidelity) is None:
                return Child(arch, fidelity, values, budget)
        return None

    def _drawn_values(self) -> Iterator[dict[str, Values]]:
        """``RANDOM_DRAWS`` draws of every searcher's values, each uniform over its space."""
        for _ in range(RANDOM_DRAWS):
            yield {name: random_values(searcher.space, self.rng) for name, searcher in self.searchers.items()}

    def _uniform_cells(self) -> Iterator[dict[str, Values]]:
        """The values of ``RANDOM_DRAWS`` architectures drawn uniformly from the space (the connected
        ones). Uniform values of both searchers favour cells with few edges (a topology with k
        edges shares its draws among 4^k NB201 cells), which a long run has all answered: 1000 such
        draws once found nothing new with 4,507 of 15,625 cells known."""
        if TOPOLOGY not in self.searchers:
            return  # a fixed topology: uniform operators are uniform over its cells already
        for _ in range(RANDOM_DRAWS):
            filler = random_values(self.searchers[OPERATORS].space, self.rng)  # for the absent edges
            topology, operators = self.decoupling.split(self.space.sample(self.rng), filler)
            if topology is not None and self.decoupling.connected(topology):
                yield {TOPOLOGY: topology, OPERATORS: operators}

    def _ask(self) -> dict[str, Suggestion]:
        """One suggestion from every searcher, at one budget."""
        for _ in range(2):
            asked = {name: searcher.ask() for name, searcher in self.searchers.items()}
            if len({s.budget for s in asked.values()}) == 1:
                return asked
            for name, searcher in self.searchers.items():
                searcher.renew(withdrawn=asked[name])
        raise PluginError("GPNAS's searchers disagree on the budget even in a new round")

    def _fidelity(self, budget: float | None) -> int | None:
        """The searchers' (real-valued) Hyperband budget as the candidate's fidelity."""
        return None if self.fidelities is None else self.fidelities.fidelity(budget)

    def _known(self, study: StudyView, arch: Architecture, fidelity: int | None) -> float | None:
        done = study.find(arch, fidelity)
        if done is not None:
            return done.result.objective if done.result.ok else -self.worst_cost
        return self.predicted.get((arch.key, fidelity))

    # -- feedback ----------------------------------------------------------------------------------
    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        key = (candidate.arch.key, candidate.fidelity)
        waiting = self.pending.get(key)
        if not waiting:
            return  # not ours (cannot happen while GPNAS is the only strategy)
        proposal = waiting.popleft()
        if not waiting:
            del self.pending[key]
        if result.status is Status.PREDICTED:
            assert result.objective is not None
            self.predicted[(candidate.arch.key, candidate.fidelity)] = result.objective
        crashed = not result.ok or result.objective is None
        cost = self.worst_cost if crashed else -float(result.objective)  # type: ignore[arg-type]
        if self.revival is not None and result.status is Status.PREDICTED and result.info.get("predicted"):
            self.revival.remember(self._child(candidate, proposal))
        # CACHED: answered while it was proposed (in parallel); PREDICTED: filtered, not trained
        learned = result.status is not Status.CACHED and (self.learn_predictions or result.status is not Status.PREDICTED)
        child = proposal.child
        if child is None:
            assert proposal.asked is not None
            self._tell(proposal.asked, cost, crashed=crashed, known=not learned)
            return
        if learned:
            for name, searcher in self.searchers.items():
                searcher.observe(child.values[name], child.budget, cost)
        self.worst_cost = max(self.worst_cost, cost)

    @staticmethod
    def _child(candidate: Candidate, proposal: Proposal) -> Child:
        """The proposed child with the searchers' values and budget it was made of."""
        if proposal.child is not None:
            return proposal.child
        assert proposal.asked is not None
        values = {name: suggestion.values for name, suggestion in proposal.asked.items()}
        return Child(candidate.arch, candidate.fidelity, values, proposal.asked[OPERATORS].budget)

    def _tell(self, asked: Mapping[str, Suggestion], cost: float, *, crashed: bool = False, known: bool = False) -> None:
        for name, searcher in self.searchers.items():
            searcher.tell(asked[name], cost, crashed=crashed, known=known)
        self.worst_cost = max(self.worst_cost, cost)

    # -- the answer ----------------------------------------------------------------------------------
    @hookimpl
    def nas_answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        """Under several fidelities, the best child trained at the highest fidelity reached (the
        full one once a bracket has promoted a child that far): a child's accuracy after fewer
        epochs is not comparable with another's after more. None (the best trial) otherwise."""
        if self.fidelities is None or not self.fidelities.multi_fidelity:
            return None
        best = best_at_highest_fidelity(study.trials)
        return None if best is None else best.candidate.arch

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        state = {
            "worst_cost": self.worst_cost,
            "rng": self.rng.bit_generator.state,
            "predicted": [(key, fidelity, value) for (key, fidelity), value in self.predicted.items()],
            "searchers": {name: searcher.state_dict() for name, searcher in self.searchers.items()},
        }
        if self.revival is not None:
            state["revival"] = self.revival.state_dict()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.worst_cost = float(state["worst_cost"])
        if "rng" in state:  # studies saved before the random children: none
            self.rng.bit_generator.state = state["rng"]
        self.predicted = {(key, fidelity): float(value) for key, fidelity, value in state["predicted"]}
        self.pending = {}
        for name, searcher in self.searchers.items():
            searcher.load_state_dict(state["searchers"][name])
        if self.revival is not None and "revival" in state:  # a study saved without revival: nothing skipped is remembered
            self.revival.load_state_dict(state["revival"])


def search_progress(study: StudyView) -> float:
    """The fraction of the trial or search-time budget used (the tighter), in [0, 1]."""
    budget = study.spec.budget
    if budget.trials is None and budget.seconds is None:
        return 0.0
    remaining = budget_status(Budget(budget.trials, budget.seconds), study.usage).remaining
    return min(1.0, max(0.0, 1.0 - remaining))
