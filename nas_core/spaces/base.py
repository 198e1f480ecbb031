"""Search spaces and the capabilities they declare.

A space offers a subset of operations (sampling, mutation, a graph view, a ConfigSpace encoding,
building a torch module, ...). Strategies and estimators state which capabilities they need
(``NAS_REQUIRES`` on the plugin), and the core rejects an impossible combination before the run
starts. A space's capabilities are derived from the methods its class implements, so a space can
never claim what it cannot do.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from nas_core.architecture import Architecture
from nas_core.errors import ArchitectureError, ConfigError
from nas_core.graph import CellGraph

if TYPE_CHECKING:
    import torch
    from ConfigSpace import Configuration, ConfigurationSpace

    from nas_core.types import Candidate


class Capability(StrEnum):
    SAMPLE = "sample"  # draw a uniformly random member
    MUTATE = "mutate"  # a random small change
    NEIGHBOURS = "neighbours"  # all members one small change away
    ENUMERATE = "enumerate"  # iterate over every member
    DECISIONS = "decisions"  # a fixed list of categorical decisions (token sequences)
    CONFIGSPACE = "configspace"  # a ConfigSpace configuration space (for BOHB / SMAC)
    GRAPH = "graph"  # a node-op DAG view (for graph predictors and generators)
    BUILD = "build"  # a trainable torch.nn.Module


@dataclass(frozen=True)
class Decision:
    """One categorical choice of a fixed-length encoding, e.g. the operation on one cell edge."""

    name: str
    choices: tuple[str, ...]


# Which methods a subclass must override to offer a capability.
_PROVIDERS: dict[Capability, tuple[str, ...]] = {
    Capability.SAMPLE: ("sample",),
    Capability.MUTATE: ("mutate",),
    Capability.NEIGHBOURS: ("neighbours",),
    Capability.ENUMERATE: ("enumerate",),
    Capability.DECISIONS: ("decisions", "to_decisions", "from_decisions"),
    Capability.GRAPH: ("to_graph",),
    Capability.BUILD: ("build",),
}


class SearchSpace(ABC):
    """Base class of every search space; subclasses implement what they can do."""

    name: str = "space"

    # -- always required ---------------------------------------------------------------------
    @abstractmethod
    def decode(self, data: Mapping[str, Any]) -> Architecture:
        """Architecture from its ``to_dict()`` form; raises ArchitectureError if not a member."""

    @abstractmethod
    def validate(self, arch: Architecture) -> None:
        """Raise ArchitectureError unless ``arch`` is a member of this space."""

    @property
    def size(self) -> int | None:
        """Number of members, or None when unbounded or unknown."""
        return None

    # -- capabilities --------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Architecture:
        raise self._missing(Capability.SAMPLE)

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> Architecture:
        raise self._missing(Capability.MUTATE)

    def neighbours(self, arch: Architecture) -> list[Architecture]:
        raise self._missing(Capability.NEIGHBOURS)

    def enumerate(self) -> Iterator[Architecture]:
        raise self._missing(Capability.ENUMERATE)

    def decisions(self) -> tuple[Decision, ...]:
        raise self._missing(Capability.DECISIONS)

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        raise self._missing(Capability.DECISIONS)

    def from_decisions(self, values: Sequence[str]) -> Architecture:
        raise self._missing(Capability.DECISIONS)

    def to_graph(self, arch: Architecture) -> CellGraph:
        raise self._missing(Capability.GRAPH)

    def build(
        self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int
    ) -> torch.nn.Module:
        raise self._missing(Capability.BUILD)

    def building(self, candidate: Candidate) -> AbstractContextManager[None]:
        """Entered around building and training ``candidate`` wherever the run trains it (in
        process or on a Dask worker). A space whose networks depend on what the strategy asked
        for with a candidate (its ``meta``), not on the architecture alone, sets that up here:
        GPNAS's generalized space drops skip connections at the rate its strategy chose."""
        return nullcontext()

    def to_configspace(self, seed: int = 0) -> ConfigurationSpace:
        """One categorical hyper-parameter per decision (override for richer encodings)."""
        from ConfigSpace import Categorical, ConfigurationSpace

        cs = ConfigurationSpace(seed=seed)
        cs.add([Categorical(d.name, list(d.choices)) for d in self.decisions()])
        return cs

    def from_configuration(self, config: Configuration | Mapping[str, Any]) -> Architecture:
        return self.from_decisions([str(config[d.name]) for d in self.decisions()])

    @property
    def capabilities(self) -> frozenset[Capability]:
        cls = type(self)
        have = {
            cap
            for cap, methods in _PROVIDERS.items()
            if all(getattr(cls, m) is not getattr(SearchSpace, m) for m in methods)
        }
        overrides_configspace = cls.to_configspace is not SearchSpace.to_configspace
        if Capability.DECISIONS in have or overrides_configspace:
            have.add(Capability.CONFIGSPACE)
        return frozenset(have)

    def require(self, needed: frozenset[Capability] | set[Capability], who: str) -> None:
        """Raise ConfigError naming ``who`` and what this space lacks."""
        missing = sorted(set(needed) - self.capabilities)
        if missing:
            raise ConfigError(
                f"{who} needs {', '.join(missing)} from the search space, "
                f"which search space '{self.name}' does not offer "
                f"(it offers: {', '.join(sorted(self.capabilities)) or 'nothing'})"
            )

    def _missing(self, cap: Capability) -> ConfigError:
        return ConfigError(f"search space '{self.name}' does not offer '{cap}'")


def check_decisions(space: SearchSpace, values: Sequence[str]) -> tuple[str, ...]:
    """Validate a decision vector against ``space.decisions()``; returns it as a tuple."""
    decisions = space.decisions()
    if len(values) != len(decisions):
        raise ArchitectureError(
            f"{space.name} expects {len(decisions)} decisions, got {len(values)}"
        )
    for value, decision in zip(values, decisions):
        if value not in decision.choices:
            raise ArchitectureError(
                f"{space.name}: '{value}' is not a choice of {decision.name} "
                f"({', '.join(decision.choices)})"
            )
    return tuple(values)
