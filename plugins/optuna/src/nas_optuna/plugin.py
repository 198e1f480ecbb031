"""Optuna's samplers as a strategy (plugin ``optuna``): a bridge for Optuna users, and its TPE a
strong generic peer of NAS methods.

An Optuna study in memory asks for one parameter per decision of the space (samplers.py says how
each sampler sees them) and is told the objective, or that a trial failed (``TrialState.FAIL``).
The study is Optuna's in-memory storage: nothing of Optuna is saved. The strategy around it
(``nas_core.AskTellStrategy``) saves its log of asks and tells as data, and a resume rebuilds the
study by replaying that log into a fresh one with the same seeded sampler (checked: every ask
must come back the same), which restores every sampler's state, its random generator and what
CMA-ES and NSGA keep in the trials' system attributes, without unpickling anything.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from optuna.trial import Trial, TrialState

from nas_core import (
    Architecture, Asked, AskTellStrategy, Capability, Config, Decision, OptionGroup, SearchSpace,
    declare, from_options, hookimpl, stable_seed,
)

from nas_optuna.samplers import INDEX_ENCODED, make_sampler
from nas_optuna.settings import OptunaSettings

NAS_REQUIRES = frozenset({Capability.DECISIONS})

optuna.logging.set_verbosity(logging.WARNING)  # a line per trial is not the user's concern


class OptunaOptimizer:
    """An in-memory Optuna study asked and told through Optuna's ask/tell interface."""

    def __init__(self, decisions: Sequence[Decision], sampler: optuna.samplers.BaseSampler, by_index: bool) -> None:
        self.decisions = tuple(decisions)
        self.by_index = by_index
        self.study = optuna.create_study(direction="maximize", sampler=sampler)
        self.distributions: dict[str, BaseDistribution] = {
            d.name: IntDistribution(0, len(d.choices) - 1) if by_index else CategoricalDistribution(d.choices)
            for d in self.decisions
        }
        self.trials: dict[int, Trial] = {}  # asked and not told, by ask number
        self.asked = 0
        self.worst: float | None = None  # the lowest objective told

    def ask(self) -> Asked:
        trial = self.study.ask(self.distributions)
        self.trials[self.asked] = trial
        self.asked += 1
        params = trial.params
        return Asked({d.name: d.choices[params[d.name]] if self.by_index else params[d.name] for d in self.decisions})

    def tell(self, number: int, objective: float | None) -> None:
        """A trial without an objective (failed, or infeasible under ``--constraint``) is told as
        the worst objective told so far: Optuna's samplers leave failed trials out of their
        models, so a GP would ask the same infeasible cell again and again. Before any objective
        there is nothing to compare with, and it is told as failed."""
        trial = self.trials.pop(number)
        if objective is not None:
            self.worst = objective if self.worst is None else min(self.worst, objective)
            self.study.tell(trial, objective)
        elif self.worst is None:
            self.study.tell(trial, state=TrialState.FAIL)
        else:
            self.study.tell(trial, self.worst)


def _member(space: SearchSpace) -> Callable[[Mapping[str, Any]], Architecture]:
    """Values by decision name -> the space's member (decisions read at first use: after the core
    has checked that the space has them)."""
    decisions = functools.cache(space.decisions)

    def architecture(values: Mapping[str, Any]) -> Architecture:
        return space.from_decisions([values[d.name] for d in decisions()])

    return architecture


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, OptunaSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    settings = from_options(OptunaSettings, config.options)
    space = config.space
    seed = stable_seed(config.seed, "optuna") % 2**32

    def optimizer() -> OptunaOptimizer:
        return OptunaOptimizer(space.decisions(), make_sampler(settings, seed), settings.sampler in INDEX_ENCODED)

    config.register(AskTellStrategy("optuna", optimizer, _member(space)))
