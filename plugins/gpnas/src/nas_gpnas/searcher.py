"""One BOHB over one configuration space, driven through SMAC3's public ask/tell interfaces.

BOHB's structure is SMAC's Hyperband intensifier: brackets of successive halving over budgets (here
training epochs) whose configurations come from a model: the paper's Algorithm 1, a TPE-style pair
of kernel density estimates (``sampler="kde"``, the default, :mod:`nas_gpnas.kde`), or SMAC's own
random forest with expected improvement (``sampler="smac"``, SMAC's ``MultiFidelityFacade``). On a
single-fidelity table the budget range is one point and every trial runs at full fidelity.

How SMAC is driven, and what it does not do for us:

- **Algorithm 1 needs no facade.** A facade wires a model, an acquisition function and an initial
  design into its configuration selector, and writes its scenario and state to disk when it is
  built; Algorithm 1 uses none of them, and a search starts thousands of rounds (below). So with
  ``sampler="kde"`` a round is SMAC's ``Hyperband`` intensifier and a ``RunHistory``, asked and
  told as SMAC's own optimizer does it (:class:`_HyperbandRound`). SMAC's forest needs the
  facade's wiring; its facade is built in a scratch directory deleted at once, and every ``tell``
  passes ``save=False``, so a search leaves no files.
- **Rounds.** SMAC runs a configuration at most once per budget, but a GPNAS searcher must be
  able to propose one again: the child is a topology *and* operators, so the best topology has to
  be tried with other operators (and D_sk of a cell has only a few dozen members). The searcher
  keeps every observation it was told itself (Algorithm 1 models all of them), and when Algorithm 1
  picks a configuration the current round has run, a new round starts: a fresh intensifier (seeded
  from the searcher's seed and the round) that continues Hyperband at the bracket the old one was
  starting. SMAC's own forest (``sampler="smac"``) models SMAC's run history, so with it a round
  lasts until the facade has exhausted the space, and a new round starts from nothing.
- **Known children.** A child the study has already answered is told to SMAC (a suggestion needs
  an answer) but is not a new observation for Algorithm 1: counting it again would weigh it twice.
- **Observations without a suggestion.** A child GPNAS drew at random (when the searchers kept
  proposing known children) is observed by Algorithm 1 like any answer; SMAC never suggested it,
  so SMAC's own forest (``sampler="smac"``) does not model it.
- **Several suggestions outstanding.** Under ``--workers`` several children are trained at once,
  and their answers arrive in the order they finish: every suggestion has a ticket, and is told by
  it. SMAC's intensifiers hand out trials while others are running, as with SMAC's own parallel
  workers. A suggestion is still outstanding when its round is replaced; its answer then goes to
  the old round (harmless) and to Algorithm 1's observations, which every round shares.
- **Exact resume.** SMAC's generators cannot be saved; the searcher's state is the log of what it
  was asked and told, and loading it replays the same ask/tell sequence into fresh rounds, which
  (being seeded) propose exactly what they proposed before. An ask told before anything else
  happened (always, in one process) is one entry, as it always was; otherwise the ask and the
  tell are two entries (``asked``, then ``told`` naming it). Suggestions still outstanding when a
  study was saved (children in flight when a parallel search was killed) stay unanswered after a
  resume: their children were never recorded.
"""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ConfigSpace import Configuration, ConfigurationSpace
from smac import MultiFidelityFacade, Scenario
from smac.intensifier.hyperband import Hyperband
from smac.main.config_selector import ConfigSelector
from smac.main.exceptions import ConfigurationSpaceExhaustedException
from smac.runhistory import RunHistory
from smac.runhistory.dataclasses import TrialInfo, TrialValue
from smac.runhistory.enumerations import StatusType

from nas_core import AppendLog, OrderedLocalAndSortedRandomSearch, PluginError, smac_forest, stable_seed

from nas_gpnas.decoupling import Values, plain
from nas_gpnas.forest_selector import ForestConfigSelector
from nas_gpnas.kde import KDEConfigSelector, KDESettings, Observations, RepeatWanted

logging.getLogger("smac").setLevel(logging.ERROR)  # SMAC's progress chatter is not the user's concern

SAMPLERS = ("kde", "smac")
_ONE_FIDELITY = 1.0  # SMAC's budget range (a point) on a single-fidelity space
_CHALLENGERS = 1000  # random configurations the acquisition maximizer scores (SMAC's 10000 is for big spaces)


@dataclass(frozen=True)
class BOHBSettings:
    sampler: str = "kde"
    eta: int = 3  # Hyperband's halving rate (BOHB's default)
    min_budget: float | None = None  # epochs; None (with max_budget None): a single fidelity
    max_budget: float | None = None
    kde: KDESettings = field(default_factory=KDESettings)

    @property
    def multi_fidelity(self) -> bool:
        return self.max_budget is not None


@dataclass(frozen=True)
class Suggestion:
    """A configuration to evaluate, at ``budget`` epochs (None: full fidelity); ``ticket`` is its
    identity, by which its answer is told (several may be outstanding, answered in any order)."""

    values: Values
    budget: float | None
    ticket: int = field(default=-1, compare=False)


@dataclass
class _Outstanding:
    """A suggestion not answered yet: SMAC's trial, the round that handed it out (an older round,
    replaced since, still hears the answer: it is harmless there, and the answer is Algorithm 1's
    observation), and its number among the log's ``asked`` entries (None: not logged yet)."""

    info: TrialInfo
    round: _Round
    logged: int | None = None


class NoIncumbentHyperband(Hyperband):
    """Hyperband without SMAC's incumbent bookkeeping: GPNAS never asks SMAC for an incumbent
    (the study keeps the best), brackets and promotions do not depend on it, and updating it on
    every tell compared each answer with every incumbent's trials (a ninth of a long search).
    (A facade calls ``update_incumbents`` after every tell; :class:`_HyperbandRound` never does.)"""

    def update_incumbents(self, config: Configuration) -> None:
        pass


class _Round(Protocol):
    """What a searcher asks and tells in one round: a facade, or :class:`_HyperbandRound`."""

    @property
    def intensifier(self) -> Any: ...

    def ask(self) -> TrialInfo: ...

    def tell(self, info: TrialInfo, value: TrialValue, save: bool = ...) -> None: ...


class _HyperbandRound:
    """SMAC's Hyperband intensifier and a run history, asked and told as SMAC's optimizer (``SMBO``)
    does it, without a facade: for Algorithm 1, whose configuration selector needs none of the
    model, acquisition function and initial design a facade builds, wires and saves to disk (see
    the module doc). What SMBO adds, callbacks and saving, GPNAS does not use."""

    def __init__(self, intensifier: Hyperband, selector: ConfigSelector, runhistory: RunHistory) -> None:
        self.intensifier = intensifier
        self.runhistory = runhistory
        intensifier.config_selector = selector
        intensifier.runhistory = runhistory
        self._trials = iter(intensifier)

    def ask(self) -> TrialInfo:
        info = next(self._trials)
        self.runhistory.add_running_trial(info)  # the intensifier must not hand it out again
        return info

    def tell(self, info: TrialInfo, value: TrialValue, save: bool = False) -> None:
        self.runhistory.add(
            config=info.config,
            cost=value.cost,
            time=value.time,
            cpu_time=value.cpu_time,
            status=value.status,
            instance=info.instance,
            seed=info.seed,
            budget=info.budget,
            starttime=value.starttime,
            endtime=value.endtime,
            additional_info=value.additional_info,
            force_update=True,  # replaces the running trial
        )


def _smac_facade(scenario: Scenario, intensifier: Hyperband, n_initial: int) -> MultiFidelityFacade:
    """SMAC's multi-fidelity facade with its random forest and expected improvement (``sampler="smac"``)."""
    return MultiFidelityFacade(
        scenario,
        None,
        model=smac_forest(scenario),  # one thread, unbounded trees grown depth-first
        acquisition_maximizer=OrderedLocalAndSortedRandomSearch(
            scenario.configspace, challengers=_CHALLENGERS, seed=scenario.seed
        ),
        initial_design=MultiFidelityFacade.get_initial_design(scenario, n_configs=n_initial),
        random_design=MultiFidelityFacade.get_random_design(scenario),
        runhistory_encoder=MultiFidelityFacade.get_runhistory_encoder(scenario),
        intensifier=intensifier,
        config_selector=ForestConfigSelector(scenario),
        logging_level=False,
        overwrite=True,
    )


class BOHBSearcher:
    """Ask for a configuration, tell its cost (lower is better), again and again."""

    def __init__(self, label: str, space: ConfigurationSpace, settings: BOHBSettings, seed: int) -> None:
        self.label = label
        self.space = space
        self.settings = settings
        self.seed = seed
        self.round = 0
        # What it was asked and told, in order: an ask told at once (before anything else happened)
        # as (values, budget, cost, crashed, known); other asks as {"asked": values, "budget": ...}
        # and their answers as {"told": the ask's number among the "asked" entries, "cost": ...,
        # "crashed": ..., "known": ...}; a new round by None (from the first bracket) or the
        # Hyperband bracket it continues at; what it observed without suggesting it by
        # {"observed": values, "budget": ..., "cost": ...}. A study file stores only the new
        # entries of this log with each trial (it grows by every ask).
        self.log = AppendLog(label)
        self.observations = Observations(len(space))
        self._configurations: dict[int, Configuration | None] = {}  # Algorithm 1's, by number
        self._smac: _Round = self._new_round()
        self._outstanding: dict[int, _Outstanding] = {}  # by ticket
        self._tickets = 0  # asks so far
        self._asked_entries = 0  # "asked" entries in the log
        self._latest: int | None = None  # the ticket of the latest ask, while nothing else has happened

    # -- SMAC --------------------------------------------------------------------------------------
    def _new_round(self, bracket: int | None = None) -> _Round:
        """The current round's SMAC, starting Hyperband at ``bracket`` (None: the first)."""
        seed = stable_seed(self.seed, self.label, self.round) % 2**31
        if self.settings.sampler == "smac":
            # SMAC seeds and draws from the space itself: no two rounds (or a round and the
            # caller) may share one. A facade saves its scenario and state when it is built.
            with tempfile.TemporaryDirectory(prefix="gpnas-smac-") as scratch:
                scenario = self._scenario(copy.deepcopy(self.space), seed, Path(scratch))
                smac: _Round = _smac_facade(
                    scenario,
                    NoIncumbentHyperband(scenario, eta=self.settings.eta),
                    n_initial=len(self.space) + 1,  # N_min: dimensions + 1
                )
        else:
            scenario = self._scenario(self.space, seed)  # nothing draws from the space or saves
            runhistory = RunHistory()
            selector = KDEConfigSelector(
                scenario, self.settings.kde, seed, self.observations, self._configurations, runhistory
            )
            smac = _HyperbandRound(NoIncumbentHyperband(scenario, eta=self.settings.eta), selector, runhistory)
        if bracket is not None:
            smac.intensifier.set_state({"tracker": {}, "next_bracket": bracket})
        return smac

    def _scenario(self, space: ConfigurationSpace, seed: int, output: Path = Path("smac3_output")) -> Scenario:
        s = self.settings
        low, high = (s.min_budget, s.max_budget) if s.multi_fidelity else (_ONE_FIDELITY, _ONE_FIDELITY)
        return Scenario(
            space,
            name=f"gpnas-{self.label}-{self.round}",
            output_directory=output,
            deterministic=True,
            n_trials=2**31 - 1,  # the nas budget decides when to stop
            min_budget=low,
            max_budget=high,
            seed=seed,
        )

    def _ask_info(self) -> TrialInfo:
        starting = self._smac.intensifier.get_state().get("next_bracket")  # Hyperband's, if it starts one
        try:
            return self._smac.ask()
        except RepeatWanted:
            self.renew(bracket=starting or 0)
        except (ConfigurationSpaceExhaustedException, StopIteration):
            self.renew()
        try:
            return self._smac.ask()
        except (RepeatWanted, ConfigurationSpaceExhaustedException, StopIteration) as exc:
            raise PluginError(f"GPNAS's {self.label} searcher cannot propose any configuration") from exc

    def renew(self, bracket: int | None = None, *, withdrawn: Suggestion | None = None) -> None:
        """Start a new round that starts Hyperband at ``bracket`` (None: the first); what was told
        is kept, and outstanding suggestions can still be told. ``withdrawn``: the suggestion just
        asked, which will never be answered (nothing may have happened since it was asked); it
        leaves no trace in the log: a replay does not ask it, and replaces its round as well."""
        if withdrawn is not None:
            if withdrawn.ticket != self._latest:
                raise RuntimeError(f"{self.label}: only the latest suggestion can be withdrawn, right after it was asked")
            del self._outstanding[withdrawn.ticket]
            self._latest = None
        self._log_latest_ask()
        self.round += 1
        self._smac = self._new_round(bracket)
        self.log.append(bracket)

    def _log_latest_ask(self) -> None:
        """Log the latest ask on its own (as ``asked``): something other than its answer happens."""
        if self._latest is None:
            return
        pending = self._outstanding[self._latest]
        self._latest = None
        self.log.append({"asked": plain(pending.info.config), "budget": self._budget(pending.info)})
        pending.logged = self._asked_entries
        self._asked_entries += 1

    def _budget(self, info: TrialInfo) -> float | None:
        return info.budget if self.settings.multi_fidelity else None

    # -- ask / tell --------------------------------------------------------------------------------
    def ask(self) -> Suggestion:
        """A configuration to evaluate; others may be outstanding."""
        self._log_latest_ask()
        info = self._ask_info()
        ticket = self._tickets
        self._tickets += 1
        self._outstanding[ticket] = _Outstanding(info, self._smac)
        self._latest = ticket
        return Suggestion(plain(info.config), self._budget(info), ticket)

    def tell(self, suggestion: Suggestion, cost: float, *, crashed: bool = False, known: bool = False) -> None:
        """The cost of an outstanding suggestion (finite; a crash is told as a bad finite cost).
        ``known``: the child was answered before; SMAC hears of it, Algorithm 1 does not again."""
        pending = self._outstanding.pop(suggestion.ticket, None)
        if pending is None:
            raise RuntimeError(f"{self.label}: tell() of a suggestion that is not outstanding")
        info = pending.info
        status = StatusType.CRASHED if crashed else StatusType.SUCCESS
        pending.round.tell(info, TrialValue(cost=float(cost), status=status), save=False)
        if not known:
            self.observations.add(info.budget, info.config.get_array(), float(cost))
        if self._latest == suggestion.ticket:
            self._latest = None
            self.log.append((plain(info.config), self._budget(info), float(cost), crashed, known))
        else:
            self._log_latest_ask()
            self.log.append({"told": pending.logged, "cost": float(cost), "crashed": crashed, "known": known})

    def observe(self, values: Values, budget: float | None, cost: float) -> None:
        """The cost of a configuration this searcher did not suggest, for Algorithm 1's model."""
        self._log_latest_ask()
        config = Configuration(self.space, values=values)
        smac_budget = budget if self.settings.multi_fidelity else _ONE_FIDELITY  # as SMAC's trials are
        self.observations.add(smac_budget, config.get_array(), float(cost))
        self.log.append({"observed": dict(values), "budget": budget, "cost": float(cost)})

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        self._log_latest_ask()  # an outstanding latest ask must be in the saved log
        return {"log": self.log}  # the log itself: the study file appends what is new

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Replay the told sequence into fresh facades (deterministic: same seeds, same calls)."""
        self.round = 0
        self.log = AppendLog(self.label)
        self.observations = Observations(len(self.space))
        self._outstanding, self._tickets, self._asked_entries, self._latest = {}, 0, 0, None
        self._smac = self._new_round()
        asked: list[Suggestion] = []  # the "asked" entries' suggestions, by number
        for entry in state["log"]:
            if entry is None or isinstance(entry, int):  # what the ask (or the strategy) did then
                self.renew(entry)
            elif isinstance(entry, dict) and "observed" in entry:
                self.observe(entry["observed"], entry["budget"], entry["cost"])
            elif isinstance(entry, dict) and "asked" in entry:
                asked.append(self._replay_ask(entry["asked"], entry["budget"]))
                self._log_latest_ask()
            elif isinstance(entry, dict):
                self.tell(asked[entry["told"]], entry["cost"], crashed=entry["crashed"], known=entry["known"])
            else:
                values, budget, cost, crashed, *since_known = entry  # studies before "known": 4 fields
                known = bool(since_known and since_known[0])
                self.tell(self._replay_ask(values, budget), cost, crashed=crashed, known=known)

    def _replay_ask(self, values: Values, budget: float | None) -> Suggestion:
        suggestion = self.ask()
        if suggestion.values != values or suggestion.budget != budget:
            raise PluginError(
                f"GPNAS's {self.label} searcher does not replay its saved history "
                f"(proposed {suggestion.values} at {suggestion.budget}, the study holds {values} at {budget}); "
                "was the study written by another version of GPNAS or SMAC?"
            )
        return suggestion
