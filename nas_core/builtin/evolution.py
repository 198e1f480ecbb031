"""Regularized evolution with aging (Real et al. 2019), plugin ``evolution``.

The population holds the most recent ``population`` answered candidates. Until it is full,
candidates are random; afterwards each is a mutation of the best of ``sample_size`` members drawn
at random, and every answer (including a cached duplicate) enters the population, pushing out the
oldest. Defaults follow the NB201 reference runs: population 10, tournament size 3.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from nas_core.architecture import Architecture
from nas_core.config import Config
from nas_core.errors import ConfigError
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.types import Candidate, Result

NAS_REQUIRES = frozenset({Capability.SAMPLE, Capability.MUTATE})


class RegularizedEvolution:
    def __init__(self, space: SearchSpace, rng: np.random.Generator, population: int, sample_size: int) -> None:
        self.space = space
        self.rng = rng
        self.sample_size = sample_size
        self.population: deque[tuple[Architecture, float]] = deque(maxlen=population)

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        if len(self.population) < (self.population.maxlen or 0):
            return [Candidate(arch, origin="evolution:random") for arch in study.sample(self.rng, n)]
        proposals = []
        for _ in range(n):
            picks = self.rng.integers(len(self.population), size=self.sample_size)
            parent, _ = max((self.population[i] for i in picks), key=lambda member: member[1])
            proposals.append(Candidate(space.mutate(parent, self.rng), origin="evolution:mutation"))
        return proposals

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if result.ok:
            assert result.objective is not None
            self.population.append((candidate.arch, result.objective))

    def state_dict(self) -> dict[str, Any]:
        return {
            "rng": self.rng.bit_generator.state,
            "population": [(arch.to_dict(), score) for arch, score in self.population],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.population.clear()
        self.population.extend((self.space.decode(arch), float(score)) for arch, score in state["population"])


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--evolution-population", type=int, default=10, help="population size (aging window)")
    group.addoption("--evolution-sample-size", type=int, default=3, help="tournament size")


@hookimpl
def nas_configure(config: Config) -> None:
    population = config.option("evolution_population")
    sample_size = config.option("evolution_sample_size")
    if population < 2:
        raise ConfigError(f"--evolution-population must be at least 2, got {population}")
    if not 1 <= sample_size <= population:
        raise ConfigError(f"--evolution-sample-size must be in 1..{population}, got {sample_size}")
    config.register(RegularizedEvolution(config.space, config.rng("evolution"), population, sample_size))
