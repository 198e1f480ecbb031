"""The GPNAS search strategy: two BOHBs over D_sk and D_op make every child (paper III.B, Fig. 2).

Algorithm 1 of the paper: for D in (D_sk, D_op), the searcher of D samples x_D; the child model is
the combination {x_Dsk, x_Dop}. It is estimated (by the predictor filter, a table, or training)
and both searchers are told the result: the real accuracy, or, for a child the filter judged not
worth training, its prediction (an untold SMAC trial would stall its Hyperband bracket, and the
prediction is the best knowledge of that child there is). Each searcher models its own space, so
the topology search is not blurred by the operators (Jiang et al.'s decoupling) and vice versa.

Both searchers run the same Hyperband schedule and are asked and told in lockstep, so they agree
on each child's budget (epochs). Should they disagree (after one of them started a new round),
both start a new round together.

A proposal the study has already answered (evaluated, or predicted by the filter) is told to the
searchers at once, as known (SMAC needs the answer; Algorithm 1 does not count it twice), and not
proposed again: it would cost a duplicate trial and teach nothing. Each searcher may propose its
part of a child again (the best topology with new operators, the best operators on a new
topology); only the child as a whole has to be new.
When the searchers make nothing but such children for ``EXHAUSTED_AFTER`` asks in a row, the
spaces are exhausted and GPNAS proposes nothing more, which ends the run.

With ``--gpnas-topology`` the topology is fixed and only the operator searcher runs (the stability
analysis of paper IV.E).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from typing import Any

from nas_core.architecture import Architecture
from nas_core.budget import Budget, budget_status
from nas_core.errors import ArchitectureError, PluginError
from nas_core.hookspecs import hookimpl
from nas_core.spaces.base import SearchSpace
from nas_core.study import StudyView
from nas_core.types import Candidate, Result, Status

from nas_gpnas.decoupling import Decoupling, Values
from nas_gpnas.searcher import BOHBSearcher, Suggestion

TOPOLOGY, OPERATORS = "topology", "operators"
MAX_KNOWN_IN_A_ROW = 100  # answered proposals absorbed per call before one is proposed regardless
# Asks in a row, over calls, whose child the study already answered (or the space does not hold):
# the spaces are taken as exhausted and GPNAS proposes nothing more, which ends the run.
EXHAUSTED_AFTER = 1000


class GPNAS:
    def __init__(
        self,
        space: SearchSpace,
        decoupling: Decoupling,
        searchers: Mapping[str, BOHBSearcher],
        *,
        fidelities: Sequence[int] | None,
        skip_dropout: float,
        topology: Values | None = None,
    ) -> None:
        if OPERATORS not in searchers:
            raise ValueError("GPNAS needs an operator searcher")
        self.space = space
        self.decoupling = decoupling
        self.searchers = dict(searchers)
        self.fidelities = tuple(sorted(fidelities)) if fidelities else None
        self.skip_dropout = skip_dropout
        self.fixed_topology = topology
        self.pending: tuple[str, int | None] | None = None  # (key, fidelity) of the proposed child
        self.predicted: dict[tuple[str, int | None], float] = {}
        self.worst_cost = 0.0  # crashes are told as the worst cost seen (SMAC needs a finite one)
        self.stale = 0  # asks in a row that made no new child (see EXHAUSTED_AFTER)
        self.exhausted_after = EXHAUSTED_AFTER

    # -- proposing ---------------------------------------------------------------------------------
    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        for attempt in range(MAX_KNOWN_IN_A_ROW + 1):
            if self.stale >= self.exhausted_after:
                return []  # every child the searchers make is known: the spaces are exhausted
            asked = self._ask()
            topology = asked[TOPOLOGY].values if TOPOLOGY in asked else self.fixed_topology
            try:
                arch = self.decoupling.join(topology, asked[OPERATORS].values)
            except ArchitectureError:  # a combination the space does not hold (a table's missing row)
                self.stale += 1
                self._tell(self.worst_cost, crashed=True)
                continue
            fidelity = self._fidelity(asked[OPERATORS].budget)
            known = self._known(study, arch, fidelity)
            self.stale = 0 if known is None else self.stale + 1
            if known is not None and attempt < MAX_KNOWN_IN_A_ROW:
                self._tell(-known, known=True)
                continue
            self.pending = (arch.key, fidelity)
            meta = {"skip_dropout": self.skip_dropout * (1.0 - search_progress(study))}
            return [Candidate(arch, fidelity, origin="gpnas", meta=meta)]
        raise AssertionError("unreachable: the last attempt always proposes")

    def _ask(self) -> dict[str, Suggestion]:
        """One suggestion from every searcher, at one budget."""
        for _ in range(2):
            asked = {name: searcher.ask() for name, searcher in self.searchers.items()}
            if len({s.budget for s in asked.values()}) == 1:
                return asked
            for searcher in self.searchers.values():
                searcher.renew()
        raise PluginError("GPNAS's searchers disagree on the budget even in a new round")

    def _fidelity(self, budget: float | None) -> int | None:
        """SMAC's (real-valued) Hyperband budget as epochs, or as the nearest recorded fidelity."""
        if budget is None:
            return None
        if self.fidelities:
            return next((f for f in self.fidelities if f >= budget - 1e-6), self.fidelities[-1])
        return max(1, round(budget))

    def _known(self, study: StudyView, arch: Architecture, fidelity: int | None) -> float | None:
        done = study.find(arch, fidelity)
        if done is not None:
            return done.result.objective if done.result.ok else -self.worst_cost
        return self.predicted.get((arch.key, fidelity))

    # -- feedback ----------------------------------------------------------------------------------
    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if self.pending != (candidate.arch.key, candidate.fidelity):
            return  # not ours (cannot happen while GPNAS is the only strategy)
        self.pending = None
        if result.status.consumes_budget:
            self.stale = 0  # a known child proposed regardless was trained after all: news
        known = result.status is Status.CACHED  # proposed regardless although answered before
        if not result.ok:
            self._tell(self.worst_cost, crashed=True, known=known)
            return
        assert result.objective is not None
        self._tell(-result.objective, known=known)
        if result.status is Status.PREDICTED:
            self.predicted[(candidate.arch.key, candidate.fidelity)] = result.objective

    def _tell(self, cost: float, *, crashed: bool = False, known: bool = False) -> None:
        for searcher in self.searchers.values():
            searcher.tell(cost, crashed=crashed, known=known)
        self.worst_cost = max(self.worst_cost, cost)

    # -- the skip-connection blocker ---------------------------------------------------------------
    @hookimpl(wrapper=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Generator[None, Result | None, Result | None]:
        """Train the candidate with the dropout rate on skip connections it was proposed with."""
        rate = float(candidate.meta.get("skip_dropout", 0.0))
        blocker = getattr(self.space, "skip_dropout", None)
        if rate <= 0.0 or blocker is None:
            return (yield)
        with blocker(rate):
            return (yield)

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "worst_cost": self.worst_cost,
            "stale": self.stale,
            "predicted": [(key, fidelity, value) for (key, fidelity), value in self.predicted.items()],
            "searchers": {name: searcher.state_dict() for name, searcher in self.searchers.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.worst_cost = float(state["worst_cost"])
        self.stale = int(state.get("stale", 0))  # studies saved before the count: none
        self.predicted = {(key, fidelity): float(value) for key, fidelity, value in state["predicted"]}
        self.pending = None
        for name, searcher in self.searchers.items():
            searcher.load_state_dict(state["searchers"][name])


def search_progress(study: StudyView) -> float:
    """The fraction of the trial or search-time budget used (the tighter), in [0, 1]."""
    budget = study.spec.budget
    if budget.trials is None and budget.seconds is None:
        return 0.0
    remaining = budget_status(Budget(budget.trials, budget.seconds), study.usage).remaining
    return min(1.0, max(0.0, 1.0 - remaining))
