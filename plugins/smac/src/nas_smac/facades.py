"""SMAC3's facades driven through their ask/tell interface, as nas strategies.

- ``bohb``: SMAC's ``MultiFidelityFacade``, SMAC's BOHB: Hyperband brackets whose configurations
  come from SMAC's random forest with expected improvement (after a random initial design, and
  with SMAC's 20% of random configurations interleaved). SMAC's defaults throughout, with two
  changes that do not change the method: the forest predicts in one thread and grows its
  (unbounded) trees depth-first, 8x faster for the same model (``nas_core.smac_forest``), and the
  acquisition maximizer's local search orders its start points so that SMAC proposes the same in
  every process (``nas_core.OrderedLocalAndSortedRandomSearch``; needed to resume a study).
- ``hyperband``: SMAC's ``HyperbandFacade``: the same brackets, configurations drawn at random
  (the first is the configuration space's default).

Costs are what SMAC minimizes: the negated objective. A failed trial is told as crashed, with the
worst cost told so far (0, an objective of 0, before any), as SMAC needs a finite cost to model.

Every facade is built in a scratch directory that is deleted at once (a facade writes its
scenario when built) and told with ``save=False``: a search leaves no SMAC files. The strategy
around it (``nas_core.AskTellStrategy``) resumes a study by replaying its log into a fresh facade.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ConfigSpace import ConfigurationSpace
from smac import HyperbandFacade, MultiFidelityFacade, Scenario
from smac.facade.abstract_facade import AbstractFacade
from smac.main.exceptions import ConfigurationSpaceExhaustedException
from smac.runhistory.dataclasses import TrialInfo, TrialValue
from smac.runhistory.enumerations import StatusType

from nas_core import (
    Asked, AskTellStrategy, Config, FidelityBudgets, OrderedLocalAndSortedRandomSearch, fidelity_budgets, smac_forest,
    stable_seed,
)

from nas_smac.settings import BOHBSettings, HyperbandSettings

logging.getLogger("smac").setLevel(logging.ERROR)  # SMAC's progress chatter is not the user's concern

_CHALLENGERS = 10000  # random configurations the acquisition maximizer scores (the facade's default)
_INITIAL_PER_DECISION, _INITIAL_AT_MOST = 10, 25  # the facade's initial design at SMAC's default 100 trials


class SMACOptimizer:
    """A SMAC facade as an ``AskTellOptimizer`` (see the module doc for costs and crashes)."""

    def __init__(self, facade: AbstractFacade) -> None:
        self.facade = facade
        self.trials: dict[int, TrialInfo] = {}  # asked and not told, by ask number
        self.asked = 0
        self.worst: float | None = None  # the highest cost told

    def ask(self) -> Asked | None:
        try:
            info = self.facade.ask()
        except (ConfigurationSpaceExhaustedException, StopIteration):
            return None
        self.trials[self.asked] = info
        self.asked += 1
        values = {name: value.item() if hasattr(value, "item") else value for name, value in dict(info.config).items()}
        return Asked(values, info.budget)

    def tell(self, number: int, objective: float | None) -> None:
        info = self.trials.pop(number)
        if objective is None:
            value = TrialValue(cost=0.0 if self.worst is None else self.worst, status=StatusType.CRASHED)
        else:
            value = TrialValue(cost=-objective, status=StatusType.SUCCESS)
            self.worst = value.cost if self.worst is None else max(self.worst, value.cost)
        self.facade.tell(info, value, save=False)


def bohb_facade(scenario: Scenario, settings: BOHBSettings) -> AbstractFacade:
    dimensions = len(list(scenario.configspace.values()))
    initial = settings.initial or min(_INITIAL_PER_DECISION * dimensions, _INITIAL_AT_MOST)
    return MultiFidelityFacade(
        scenario,
        None,
        model=smac_forest(scenario),  # the facade's forest: one thread, grown depth-first
        acquisition_maximizer=OrderedLocalAndSortedRandomSearch(scenario.configspace, challengers=_CHALLENGERS, seed=scenario.seed),
        initial_design=MultiFidelityFacade.get_initial_design(scenario, n_configs=initial),
        intensifier=MultiFidelityFacade.get_intensifier(scenario, eta=settings.eta),
        logging_level=False,
        overwrite=True,
    )


def hyperband_facade(scenario: Scenario, settings: HyperbandSettings) -> AbstractFacade:
    return HyperbandFacade(
        scenario,
        None,
        intensifier=HyperbandFacade.get_intensifier(scenario, eta=settings.eta),
        logging_level=False,
        overwrite=True,
    )


S = TypeVar("S", bound=HyperbandSettings)


def smac_strategy(name: str, config: Config, settings: S, make: Callable[[Scenario, S], AbstractFacade]) -> AskTellStrategy:
    """The strategy ``name``: SMAC's facade from ``make`` over the space's configuration space."""
    budgets = fidelity_budgets(config, settings.eta, settings.min_epochs, f"--{settings.prefix}-min-epochs")
    seed = stable_seed(config.seed, name) % 2**31
    space = config.space

    def optimizer() -> SMACOptimizer:
        return SMACOptimizer(_built(make, space.to_configspace(seed), budgets, settings, seed, name))

    return AskTellStrategy(name, optimizer, space.from_configuration, budgets.fidelity)


def _built(make: Callable[[Scenario, S], AbstractFacade], space: ConfigurationSpace, budgets: FidelityBudgets, settings: S, seed: int, name: str) -> AbstractFacade:
    with tempfile.TemporaryDirectory(prefix=f"nas-{name}-") as scratch:
        scenario = Scenario(
            space,
            name=name,
            output_directory=Path(scratch),
            deterministic=True,
            n_trials=2**31 - 1,  # the nas budget decides when to stop
            min_budget=budgets.low,
            max_budget=budgets.high,
            seed=seed,
        )
        return make(scenario, settings)
