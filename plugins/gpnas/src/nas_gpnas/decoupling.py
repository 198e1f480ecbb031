"""The decoupled search spaces of GPNAS (paper III.A): D_sk (topology) and D_op (operators).

A search space states its architectures as categorical decisions. A decision that can be ``none``
is an edge of the cell: in D_sk it becomes "present or absent", and in D_op "which operation, given
that it is present". Every other decision (an activation, an initialization, ...) belongs to D_op.
For NB201 this gives D_sk = which of the 6 edges exist and D_op = which of the 4 operations each
edge carries; for the generalized-operator space D_op also holds each edge's activation and
initialization. A space with no ``none`` decision has no topology to search: D_sk is empty and
GPNAS searches D_op alone.

D_sk forbids topologies whose output is cut off from the input (found through the space's graph
view): such a cell computes zero, whatever its operations, so GPNAS never spends a trial on one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from ConfigSpace import (
    Categorical,
    Configuration,
    ConfigurationSpace,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
)
from ConfigSpace.exceptions import ForbiddenValueError

from nas_core import (
    Architecture, CELL_INPUT, CELL_OUTPUT, Capability, ConfigError, Decision, SearchSpace,
)

from nas_gpnas.graphs import ABSENT, predictor_graph

PRESENT, MISSING = 1, 0
_MAX_ENUMERATED_EDGES = 12  # dead topologies are enumerated (2^edges) only up to this many edges

Values = dict[str, Any]


def plain(config: Configuration | Mapping[str, Any]) -> Values:
    """A configuration as JSON-able Python values (ConfigSpace hands out numpy scalars)."""
    return {name: value.item() if hasattr(value, "item") else value for name, value in dict(config).items()}


def config_key(config: Configuration) -> bytes:
    """A hashable identity of a configuration (its vector)."""
    return config.get_array().tobytes()


@dataclass(frozen=True)
class Decoupling:
    """How a space's decisions split into D_sk and D_op, and back into an architecture."""

    space: SearchSpace
    edges: tuple[Decision, ...]  # decisions that can be ``none``
    others: tuple[Decision, ...]

    @classmethod
    def of(cls, space: SearchSpace) -> Decoupling:
        space.require({Capability.DECISIONS}, who="GPNAS's decoupled search spaces")
        decisions = space.decisions()
        edges = tuple(d for d in decisions if ABSENT in d.choices and len(d.choices) > 1)
        others = tuple(d for d in decisions if d not in edges)
        return cls(space, edges, others)

    @property
    def has_topology(self) -> bool:
        return bool(self.edges)

    def edge_share(self) -> float:
        """How often a uniformly random architecture of the space has a given edge (4/5 on NB201):
        the mean over the edges of the share of their choices that are not ``none``."""
        return float(np.mean([1 - d.choices.count(ABSENT) / len(d.choices) for d in self.edges]))

    def topology_space(self, seed: int = 0, edge_prior: float = 0.5) -> ConfigurationSpace:
        """D_sk: one present/absent choice per edge, dead topologies forbidden. A random draw
        (:func:`random_values`, Algorithm 1's random samples, SMAC's) keeps each edge with
        probability ``edge_prior``; the densities Algorithm 1 fits are not weighted by it."""
        cs = ConfigurationSpace(seed=seed)
        weights = None if edge_prior == 0.5 else (1 - edge_prior, edge_prior)  # even odds: unweighted
        cs.add([Categorical(d.name, (MISSING, PRESENT), default=PRESENT, weights=weights) for d in self.edges])
        if len(self.edges) <= _MAX_ENUMERATED_EDGES:
            for pattern in itertools.product((MISSING, PRESENT), repeat=len(self.edges)):
                topology = dict(zip((d.name for d in self.edges), pattern))
                if not self.connected(topology):
                    cs.add(
                        ForbiddenAndConjunction(
                            *(ForbiddenEqualsClause(cs[name], value) for name, value in topology.items())
                        )
                    )
        return cs

    def operator_space(self, seed: int = 0) -> ConfigurationSpace:
        """D_op: the operation of every edge (given it is present) and every other decision."""
        cs = ConfigurationSpace(seed=seed)
        cs.add([Categorical(d.name, tuple(c for c in d.choices if c != ABSENT)) for d in self.edges])
        cs.add([Categorical(d.name, d.choices) for d in self.others])
        return cs

    def join(self, topology: Mapping[str, Any] | None, operators: Mapping[str, Any]) -> Architecture:
        """The architecture of a D_sk and a D_op configuration (raises ArchitectureError if none)."""
        values = []
        for decision in self.space.decisions():
            if decision in self.edges and topology is not None and topology[decision.name] == MISSING:
                values.append(ABSENT)
            else:
                values.append(str(operators[decision.name]))
        return self.space.from_decisions(values)

    def split(self, arch: Architecture, operators: Mapping[str, Any]) -> tuple[Values | None, Values]:
        """``arch`` as (D_sk, D_op) values; absent edges keep their operation from ``operators``."""
        chosen = dict(zip((d.name for d in self.space.decisions()), self.space.to_decisions(arch)))
        topology = {d.name: MISSING if chosen[d.name] == ABSENT else PRESENT for d in self.edges} or None
        ops = {d.name: operators[d.name] if chosen[d.name] == ABSENT else chosen[d.name] for d in self.edges}
        ops.update({d.name: chosen[d.name] for d in self.others})
        return topology, ops

    def connected(self, topology: Mapping[str, Any]) -> bool:
        """Whether the cell's output is reachable from its input (decided on the graph view)."""
        if Capability.GRAPH not in self.space.capabilities:
            return True
        some_ops = {d.name: next(c for c in d.choices if c != ABSENT) for d in self.edges}
        some_ops.update({d.name: d.choices[0] for d in self.others})
        graph = predictor_graph(self.space, self.join(topology, some_ops))
        reached = {graph.ops.index(CELL_INPUT)}
        for i, j in graph.edges():  # topologically ordered
            if i in reached:
                reached.add(j)
        return graph.ops.index(CELL_OUTPUT) in reached


class CategoricalDraw:
    """Draws a vector of category indices for a space of categorical hyperparameters, each by its
    weights (uniform where it has none) from the caller's ``rng``. A space without weights takes
    one ``rng.integers`` call per vector, the stream GPNAS has always drawn."""

    def __init__(self, space: ConfigurationSpace) -> None:
        hyperparameters = list(space.values())
        self._sizes = np.array([len(h.choices) for h in hyperparameters])
        weighted = any(h.weights is not None for h in hyperparameters)
        width = int(self._sizes.max(initial=0))
        # cumulative probabilities per row, padded with 1 beyond a hyperparameter's categories
        self._cumulative = None
        if weighted:
            rows = [np.cumsum(h.probabilities)[:-1] for h in hyperparameters]
            self._cumulative = np.array([np.pad(row, (0, width - 1 - len(row)), constant_values=1.0) for row in rows])

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        if self._cumulative is None:
            return rng.integers(self._sizes)
        return (rng.random(len(self._sizes))[:, None] >= self._cumulative).sum(axis=1)


def random_values(space: ConfigurationSpace, rng: np.random.Generator, tries: int = 1000) -> Values:
    """A random allowed configuration (by the space's weights), drawn from ``rng`` (not from the
    space's own RNG)."""
    draw = CategoricalDraw(space)
    for _ in range(tries):
        vector = draw(rng).astype(float)
        try:
            config = Configuration(space, vector=vector)
            config.check_valid_configuration()
        except ForbiddenValueError:
            continue
        return plain(config)
    raise ConfigError(f"no allowed configuration found in {tries} random draws")
