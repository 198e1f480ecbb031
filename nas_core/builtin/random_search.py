"""Random search (plugin ``random``): every candidate drawn from ``study.sample`` (uniform over the
space, unless a generator plugin answers ``nas_sample``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core.config import Config
from nas_core.hookspecs import hookimpl
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.types import Candidate

NAS_REQUIRES = frozenset({Capability.SAMPLE})


class RandomSearch:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        return [Candidate(arch, origin="random") for arch in study.sample(self.rng, n)]

    def state_dict(self) -> dict[str, Any]:
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]


@hookimpl
def nas_configure(config: Config) -> None:
    config.register(RandomSearch(config.rng("random")))
