"""Any ask/tell optimizer as a nas strategy: SMAC's facades, Optuna's samplers, your own.

An optimizer that asks for configurations of a space (one value per decision, or per
hyper-parameter of the space's ``to_configspace``) and is told how each did becomes a strategy by
wrapping it in :class:`AskTellStrategy`. The strategy turns every ask into a candidate (an
architecture, and a fidelity when the optimizer names a budget), tells the optimizer every
answer, and saves a log of what it asked and told, as data.

Such optimizers keep state that cannot be saved as data (random generators deep inside them,
models, a library's own trial objects), so the strategy resumes a study by building a fresh
optimizer (same seed) and replaying the log into it: asked again, each configuration must come
back the same, and is then told what it was told. An optimizer that is deterministic given its
seed and what it was told resumes exactly; one that is not is refused with one line, never
continued from a different state. Replaying costs the asks again (the model fits), once per
resume.

Answers arrive in any order when trials run on workers: the log holds the asks and tells in the
order they happened, and a candidate carries the number of its ask in ``meta["ask"]``. Asks still
unanswered when the study was saved (trials in flight when a search was killed) were never
recorded: after a resume they are proposed again before anything new is asked, so the optimizer
hears of every configuration it handed out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from nas_core.append_log import AppendLog
from nas_core.architecture import Architecture
from nas_core.errors import ArchitectureError, PluginError
from nas_core.hookspecs import hookimpl
from nas_core.spaces.base import SearchSpace
from nas_core.study import StudyView
from nas_core.types import Candidate, Result

NON_MEMBERS_IN_A_ROW = 1000  # asks that name no member of the space before the strategy gives up


class Asked(NamedTuple):
    """One configuration an optimizer asks to evaluate.

    ``values``: plain JSON-able values (str, int, float, bool) by name; ``budget``: the
    optimizer's budget for it (a multi-fidelity optimizer's), None for none."""

    values: Mapping[str, Any]
    budget: float | None = None


class AskTellOptimizer(Protocol):
    """What :class:`AskTellStrategy` drives. Asks are numbered 0, 1, 2, ... in the order made."""

    def ask(self) -> Asked | None:
        """The next configuration to evaluate, or None when the optimizer has nothing left."""

    def tell(self, number: int, objective: float | None) -> None:
        """How ask ``number`` did: its objective (higher is better), or None when it failed (or
        named no member of the space)."""


class AskTellStrategy:
    """A strategy that proposes what an :class:`AskTellOptimizer` asks for (see the module doc).

    ``optimizer`` makes a fresh, seeded optimizer (at the start and on resume); ``architecture``
    turns an ask's values into a member of the space (raising ArchitectureError for a
    non-member); ``fidelity`` turns its budget into the candidate's fidelity (default: none).
    ``name`` names the strategy in candidates' ``origin``, in the state and in errors.
    """

    def __init__(
        self,
        name: str,
        optimizer: Callable[[], AskTellOptimizer],
        architecture: Callable[[Mapping[str, Any]], Architecture],
        fidelity: Callable[[float | None], int | None] = lambda budget: None,
    ) -> None:
        self.name = name
        self._make_optimizer = optimizer
        self._architecture = architecture
        self._fidelity = fidelity
        # made at the first proposal or resume: not before the core has checked the space offers
        # what the plugin requires (the optimizer may need it to be made)
        self.optimizer: AskTellOptimizer | None = None
        # in order: {"ask": values, "budget": budget} and {"tell": the ask's number, "objective": ...}
        self.log = AppendLog(self.name)
        self.asked = 0
        self.outstanding: dict[int, Asked] = {}  # asked and not told yet, by number
        self.again: list[int] = []  # outstanding asks of a resumed study, to propose first

    def _start(self) -> AskTellOptimizer:
        self.optimizer = self._make_optimizer()
        self.log = AppendLog(self.name)
        self.asked = 0
        self.outstanding, self.again = {}, []
        return self.optimizer

    # -- hooks -------------------------------------------------------------------------------------
    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        if self.again:
            number = self.again.pop(0)
            return [self._candidate(number, self._architecture(self.outstanding[number].values))]
        optimizer = self.optimizer or self._start()
        for _ in range(NON_MEMBERS_IN_A_ROW):
            asked = optimizer.ask()
            if asked is None:
                return []
            number = self._asked(asked)
            try:
                arch = self._architecture(asked.values)
            except ArchitectureError:
                self._tell(number, None)  # a configuration the space does not hold: a failure
                continue
            return [self._candidate(number, arch)]
        raise PluginError(f"{self.name} asked for {NON_MEMBERS_IN_A_ROW} configurations in a row that are not members of search space '{space.name}'")

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        number = candidate.meta.get("ask")
        if number in self.outstanding and candidate.origin == self.name:
            self._tell(number, result.objective if result.ok else None)

    def _candidate(self, number: int, arch: Architecture) -> Candidate:
        return Candidate(arch, self._fidelity(self.outstanding[number].budget), origin=self.name, meta={"ask": number})

    # -- the log -----------------------------------------------------------------------------------
    def _asked(self, asked: Asked) -> int:
        number = self.asked
        self.asked += 1
        self.outstanding[number] = asked
        self.log.append({"ask": dict(asked.values), "budget": asked.budget})
        return number

    def _tell(self, number: int, objective: float | None) -> None:
        assert self.optimizer is not None  # it made the ask
        del self.outstanding[number]
        self.optimizer.tell(number, objective)
        self.log.append({"tell": number, "objective": objective})

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {"log": self.log}  # the log itself: a study file stores what is new with each trial

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self._start()
        for entry in state["log"]:
            if "ask" in entry:
                self._replay_ask(Asked(entry["ask"], entry["budget"]))
            else:
                self._tell(entry["tell"], entry["objective"])
        self.again = sorted(self.outstanding)

    def _replay_ask(self, saved: Asked) -> None:
        assert self.optimizer is not None  # made by load_state_dict
        asked = self.optimizer.ask()
        if asked is None or dict(asked.values) != dict(saved.values) or asked.budget != saved.budget:
            raise PluginError(
                f"{self.name} does not replay its saved history: ask {self.asked} gave "
                f"{None if asked is None else dict(asked.values)} at budget {None if asked is None else asked.budget}, "
                f"the study holds {dict(saved.values)} at budget {saved.budget}; was the study written "
                "with other versions of the optimizer's libraries?"
            )
        self._asked(asked)
