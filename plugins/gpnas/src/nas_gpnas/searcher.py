"""One BOHB over one configuration space, driven through SMAC3's ask/tell interface.

SMAC's ``MultiFidelityFacade`` is BOHB's structure: Hyperband brackets (successive halving over
budgets, here training epochs) whose configurations come from a model: the paper's Algorithm 1,
a TPE-style pair of kernel density estimates (``sampler="kde"``, the default, :mod:`nas_gpnas.kde`),
or SMAC's own random forest with expected improvement (``sampler="smac"``). On a
single-fidelity table the budget range is one point and every trial runs at full fidelity.

Three things SMAC does not do for us:

- **No output files.** SMAC writes its scenario and state when a facade is built and on every
  ``tell``; our scenario has no output directory and saves nothing, and every ``tell`` passes
  ``save=False``. (A search renews its facades thousands of times; the writes were a third of
  GPNAS's own time.)
- **Rounds.** SMAC runs a configuration at most once per budget, but a GPNAS searcher must be
  able to propose one again: the child is a topology *and* operators, so the best topology has to
  be tried with other operators (and D_sk of a cell has only a few dozen members). The searcher
  keeps every observation it was told itself (Algorithm 1 models all of them), and when Algorithm 1
  picks a configuration the current facade has run, a new round starts: a fresh facade (seeded
  from the searcher's seed and the round) that continues Hyperband at the bracket the old one was
  starting. SMAC's own forest (``sampler="smac"``) models SMAC's run history, so with it a round
  lasts until the facade has exhausted the space, and a new round starts from nothing.
- **Known children.** A child the study has already answered is told to SMAC (a suggestion needs
  an answer) but is not a new observation for Algorithm 1: counting it again would weigh it twice.
- **Observations without a suggestion.** A child GPNAS drew at random (when the searchers kept
  proposing known children) is observed by Algorithm 1 like any answer; SMAC never suggested it,
  so SMAC's own forest (``sampler="smac"``) does not model it.
- **Exact resume.** SMAC's generators cannot be saved; the searcher's state is the log of what it
  was told, and loading it replays the same ask/tell sequence into fresh facades, which (being
  seeded) propose exactly what they proposed before.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from ConfigSpace import Configuration, ConfigurationSpace
from smac import MultiFidelityFacade, Scenario
from smac.acquisition.maximizer.abstract_acquisition_maximizer import AbstractAcquisitionMaximizer
from smac.acquisition.maximizer.local_search import LocalSearch
from smac.initial_design.abstract_initial_design import AbstractInitialDesign
from smac.intensifier.hyperband import Hyperband
from smac.main.config_selector import ConfigSelector
from smac.main.exceptions import ConfigurationSpaceExhaustedException
from smac.model.random_forest import RandomForest
from smac.random_design.abstract_random_design import AbstractRandomDesign
from smac.runhistory import RunHistory
from smac.runhistory.encoder.abstract_encoder import AbstractRunHistoryEncoder
from smac.runhistory.dataclasses import TrialInfo, TrialValue
from smac.runhistory.enumerations import StatusType

from nas_core import AppendLog, PluginError, stable_seed

from nas_gpnas.decoupling import Values, config_key, plain
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
    """A configuration to evaluate, at ``budget`` epochs (None: full fidelity)."""

    values: Values
    budget: float | None


class _SeenConfigs(list):
    """A list of configurations whose ``in`` is a hash lookup rather than a scan of comparisons."""

    def __init__(self, configs: Iterable[Configuration] = ()) -> None:
        super().__init__(configs)
        self._keys = {config_key(c) for c in self}

    def append(self, config: Configuration) -> None:
        super().append(config)
        self._keys.add(config_key(config))

    def __contains__(self, config: object) -> bool:
        return isinstance(config, Configuration) and config_key(config) in self._keys


class FastRunHistory(RunHistory):
    """SMAC's run history with the objective bounds kept up to date in O(1) per added trial.

    SMAC 2.4.1 recomputes the bounds (min and max cost of the successful trials) from every trial
    whenever one is added, which made a GPNAS run quadratic in its asks and tells. The bounds are
    the same: an added successful trial widens them, any other leaves them; only when a successful
    trial is replaced (never in GPNAS's ask/tell use) are they recomputed from scratch.
    """

    _added: TrialValue | None = None

    def _add(self, k: Any, v: TrialValue, status: StatusType) -> None:
        old = self._data.get(k)
        self._added = None if old is not None and old.status == StatusType.SUCCESS else v
        try:
            super()._add(k, v, status)
        finally:
            self._added = None

    def _update_objective_bounds(self) -> None:
        added = self._added
        if added is None or not self._objective_bounds:
            super()._update_objective_bounds()
            return
        if added.status != StatusType.SUCCESS:
            return
        costs = added.cost if isinstance(added.cost, list) else [added.cost]
        assert len(costs) == self._n_objectives
        self._objective_bounds = [
            (np.float64(min(low, float(c))), np.float64(max(high, float(c))))
            for (low, high), c in zip(self._objective_bounds, costs)
        ]


class UnsavedRunHistory(FastRunHistory):
    """No JSON check of every field of every added trial: SMAC checks that a run history could be
    saved, and ours never is (a tenth of a long filtered search went to ``json.dumps``)."""

    def _check_json_serializable(self, *args: Any) -> None:
        pass


class NoIncumbentHyperband(Hyperband):
    """Hyperband without SMAC's incumbent bookkeeping: GPNAS never asks SMAC for an incumbent
    (the study keeps the best), brackets and promotions do not depend on it, and updating it on
    every tell compared each answer with every incumbent's trials (a ninth of a long search)."""

    def update_incumbents(self, config: Configuration) -> None:
        pass


class FastConfigSelector(ConfigSelector):
    """SMAC's configuration selector, made to scale to the thousands of answers a filtered search
    feeds back (same proposals, less time):

    - its list of processed configurations, tested for every challenger, gets hash lookups;
    - the incumbent's predicted cost is computed in one batch rather than one forest call per
      observed configuration (SMAC 2.4.1 ``_get_x_best``).
    """

    @property  # type: ignore[override]
    def _processed_configs(self) -> _SeenConfigs:
        return self._seen

    @_processed_configs.setter
    def _processed_configs(self, configs: Iterable[Configuration]) -> None:
        self._seen = _SeenConfigs(configs)

    def _get_x_best(self, X: np.ndarray) -> tuple[np.ndarray, float]:
        assert self._model is not None
        means, _ = self._model.predict_marginalized(X)
        best = int(np.argmin(means[:, 0]))
        return X[best], float(means[best, 0])


class _UnsavedScenario(Scenario):
    """A scenario without an output directory, whose ``save`` writes nothing (see the module doc)."""

    def _change_output_directory(self) -> None:
        object.__setattr__(self, "output_directory", None)

    def save(self) -> None:
        pass


class OrderedLocalSearch(LocalSearch):
    """SMAC's local search with its start points in a reproducible order.

    SMAC 2.4.1 deduplicates the start points through a ``set`` of configurations, whose order
    follows ``hash(repr(config))``: string hashing is salted per process, so the same seeded search
    proposed differently in another process, and a study could not be resumed there. Sorted by
    their vectors, the start points are the same set in the same order everywhere.
    """

    def _get_initial_points(self, *args: Any, **kwargs: Any) -> list[Configuration]:
        return sorted(super()._get_initial_points(*args, **kwargs), key=config_key)


class _SMACParts(NamedTuple):
    """What a facade needs besides its scenario, intensifier and configuration selector."""

    model: RandomForest
    maximizer: AbstractAcquisitionMaximizer
    initial_design: AbstractInitialDesign
    random_design: AbstractRandomDesign
    runhistory_encoder: AbstractRunHistoryEncoder


def _smac_parts(scenario: Scenario, n_initial: int) -> _SMACParts:
    maximizer = MultiFidelityFacade.get_acquisition_maximizer(scenario, challengers=_CHALLENGERS)
    maximizer._local_search.__class__ = OrderedLocalSearch
    return _SMACParts(
        # SMAC's forest with n_jobs=1 (no thread pool per prediction) and unbounded leaves grown
        # depth-first (a bound of 2**20 leaves makes sklearn grow best-first, 100x slower).
        RandomForest(
            scenario.configspace,
            log_y=True,
            n_trees=10,
            ratio_features=1.0,
            min_samples_split=2,
            min_samples_leaf=1,
            max_leaf_nodes=None,  # type: ignore[arg-type]
            n_jobs=1,
            seed=scenario.seed,
        ),
        maximizer,
        MultiFidelityFacade.get_initial_design(scenario, n_configs=n_initial),
        MultiFidelityFacade.get_random_design(scenario),
        MultiFidelityFacade.get_runhistory_encoder(scenario),
    )


class BOHBSearcher:
    """Ask for a configuration, tell its cost (lower is better), again and again."""

    def __init__(self, label: str, space: ConfigurationSpace, settings: BOHBSettings, seed: int) -> None:
        self.label = label
        self.space = space
        self.settings = settings
        self.seed = seed
        self.round = 0
        # What it was told, (values, budget, cost, crashed, known), in order; a new round is marked
        # by None (from the first bracket) or the Hyperband bracket it continues at, and what it
        # observed without suggesting it by {"observed": values, "budget": ..., "cost": ...}.
        # A study file stores only the new entries of this log with each trial (it grows by every ask).
        self.log = AppendLog(label)
        self.observations = Observations(len(space))
        self._kde_parts: _SMACParts | None = None
        self._configurations: dict[int, Configuration | None] = {}  # Algorithm 1's, by number
        self._facade = self._new_facade()
        self._pending: TrialInfo | None = None

    # -- SMAC --------------------------------------------------------------------------------------
    def _new_facade(self, bracket: int | None = None) -> MultiFidelityFacade:
        """A facade for the current round, starting Hyperband at ``bracket`` (None: the first)."""
        s = self.settings
        seed = stable_seed(self.seed, self.label, self.round) % 2**31
        low, high = (s.min_budget, s.max_budget) if s.multi_fidelity else (_ONE_FIDELITY, _ONE_FIDELITY)
        scenario = _UnsavedScenario(
            self._space_for_new_facade(),
            name=f"gpnas-{self.label}-{self.round}",
            deterministic=True,
            n_trials=2**31 - 1,  # the nas budget decides when to stop
            min_budget=low,
            max_budget=high,
            seed=seed,
        )
        if s.sampler == "kde":
            selector: ConfigSelector = KDEConfigSelector(scenario, s.kde, seed, self.observations, self._configurations)
            # SMAC wires a model and its acquisition into every facade; Algorithm 1 uses none of
            # them, so one set serves every round (building them was a fifth of a long search)
            self._kde_parts = self._kde_parts or _smac_parts(scenario, n_initial=0)
            parts = self._kde_parts
        else:
            selector = FastConfigSelector(scenario)
            parts = _smac_parts(scenario, n_initial=len(self.space) + 1)  # N_min: dimensions + 1
        facade = MultiFidelityFacade(
            scenario,
            None,
            model=parts.model,
            acquisition_maximizer=parts.maximizer,
            initial_design=parts.initial_design,
            random_design=parts.random_design,
            runhistory_encoder=parts.runhistory_encoder,
            intensifier=MultiFidelityFacade.get_intensifier(scenario, eta=s.eta),
            config_selector=selector,
            logging_level=False,
            overwrite=True,
        )
        # the same objects every SMAC component holds, with less bookkeeping (see the classes)
        facade.runhistory.__class__ = UnsavedRunHistory
        facade.intensifier.__class__ = NoIncumbentHyperband
        if bracket is not None:
            facade.intensifier.set_state({"tracker": {}, "next_bracket": bracket})
        return facade

    def _space_for_new_facade(self) -> ConfigurationSpace:
        """SMAC seeds and draws from the space object itself, so no two live facades (or a facade
        and the caller) may share one: the first facade gets a copy, and every later one takes
        over the copy of the facade it replaces (which never draws again), reseeded by SMAC."""
        retiring = getattr(self, "_facade", None)
        return retiring.scenario.configspace if retiring is not None else copy.deepcopy(self.space)

    def _ask_info(self) -> TrialInfo:
        starting = self._facade.intensifier.get_state().get("next_bracket")  # Hyperband's, if it starts one
        try:
            return self._facade.ask()
        except RepeatWanted:
            self.renew(bracket=starting or 0)
        except (ConfigurationSpaceExhaustedException, StopIteration):
            self.renew()
        try:
            return self._facade.ask()
        except (RepeatWanted, ConfigurationSpaceExhaustedException, StopIteration) as exc:
            raise PluginError(f"GPNAS's {self.label} searcher cannot propose any configuration") from exc

    def renew(self, bracket: int | None = None) -> None:
        """Start a new round: a fresh facade (an unanswered suggestion is dropped) that starts
        Hyperband at ``bracket`` (None: the first); what was told is kept."""
        self.round += 1
        self._facade = self._new_facade(bracket)
        self._pending = None
        self.log.append(bracket)

    # -- ask / tell --------------------------------------------------------------------------------
    def ask(self) -> Suggestion:
        if self._pending is not None:
            raise RuntimeError(f"{self.label}: ask() twice without tell()")
        self._pending = self._ask_info()
        budget = self._pending.budget if self.settings.multi_fidelity else None
        return Suggestion(plain(self._pending.config), budget)

    def tell(self, cost: float, *, crashed: bool = False, known: bool = False) -> None:
        """The cost of the last suggestion (finite; a crash is told as a bad finite cost).
        ``known``: the child was answered before; SMAC hears of it, Algorithm 1 does not again."""
        info, self._pending = self._pending, None
        if info is None:
            raise RuntimeError(f"{self.label}: tell() without ask()")
        status = StatusType.CRASHED if crashed else StatusType.SUCCESS
        self._facade.tell(info, TrialValue(cost=float(cost), status=status), save=False)
        budget = info.budget if self.settings.multi_fidelity else None
        if not known:
            self.observations.add(info.budget, info.config.get_array(), float(cost))
        self.log.append((plain(info.config), budget, float(cost), crashed, known))

    def observe(self, values: Values, budget: float | None, cost: float) -> None:
        """The cost of a configuration this searcher did not suggest, for Algorithm 1's model; no
        suggestion may be outstanding (its answer would be told to the wrong configuration)."""
        if self._pending is not None:
            raise RuntimeError(f"{self.label}: observe() between ask() and tell()")
        config = Configuration(self.space, values=values)
        smac_budget = budget if self.settings.multi_fidelity else _ONE_FIDELITY  # as SMAC's trials are
        self.observations.add(smac_budget, config.get_array(), float(cost))
        self.log.append({"observed": dict(values), "budget": budget, "cost": float(cost)})

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        if self._pending is not None:
            raise RuntimeError(f"{self.label}: state saved between ask() and tell()")
        return {"log": self.log}  # the log itself: the study file appends what is new

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Replay the told sequence into fresh facades (deterministic: same seeds, same calls)."""
        self.round = 0
        self.log = AppendLog(self.label)
        self.observations = Observations(len(self.space))
        self._pending = None
        self._facade = self._new_facade()
        for entry in state["log"]:
            if entry is None or isinstance(entry, int):  # what the ask (or the strategy) did then
                self.renew(entry)
                continue
            if isinstance(entry, dict):
                self.observe(entry["observed"], entry["budget"], entry["cost"])
                continue
            values, budget, cost, crashed, *since_known = entry  # studies before "known": 4 fields
            known = bool(since_known and since_known[0])
            suggestion = self.ask()
            if suggestion.values != values or suggestion.budget != budget:
                raise PluginError(
                    f"GPNAS's {self.label} searcher does not replay its saved history "
                    f"(proposed {suggestion.values} at {suggestion.budget}, the study holds {values} at {budget}); "
                    "was the study written by another version of GPNAS or SMAC?"
                )
            self.tell(cost, crashed=crashed, known=known)
