"""First-improvement hill climbing with random restarts (plugin ``hillclimb``).

Start from a random architecture; evaluate its neighbours in random order and move to the first
one that is better; when no neighbour is better (a local optimum), restart from a random
architecture. Simple, and a strong baseline on NAS benchmarks (White et al., 2021, "Local search
is state of the art for NAS benchmarks").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import (
    Architecture, Candidate, Capability, Config, Result, SearchSpace, StudyView, hookimpl,
)

NAS_REQUIRES = frozenset({Capability.SAMPLE, Capability.NEIGHBOURS})


class HillClimbing:
    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng
        self.current: tuple[Architecture, float] | None = None
        self.queue: list[Architecture] = []

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        if self.current is None or not self.queue:
            self.current = None
            return [Candidate(arch, origin="hillclimb:restart") for arch in study.sample(self.rng, 1)]
        return [Candidate(self.queue.pop(), origin="hillclimb:neighbour")]

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if not result.ok:
            return
        assert result.objective is not None
        if self.current is None or result.objective > self.current[1]:
            self.current = (candidate.arch, result.objective)
            neighbours = self.space.neighbours(candidate.arch)
            self.queue = [neighbours[i] for i in self.rng.permutation(len(neighbours))]

    def state_dict(self) -> dict[str, Any]:
        return {
            "rng": self.rng.bit_generator.state,
            "current": None if self.current is None else (self.current[0].to_dict(), self.current[1]),
            "queue": [arch.to_dict() for arch in self.queue],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        current = state["current"]
        self.current = None if current is None else (self.space.decode(current[0]), float(current[1]))
        self.queue = [self.space.decode(arch) for arch in state["queue"]]


@hookimpl
def nas_configure(config: Config) -> None:
    config.register(HillClimbing(config.space, config.rng("hillclimb")))
