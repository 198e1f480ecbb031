"""What a generated DAG may look like in a target space, enforced while it is decoded.

The generator grows a DAG node by node (paper 3.2.1). At step ``t`` it picks the op of node ``t``
from ``generated_vocabulary`` (the space's ops and ``output``, which ends the graph) and then the
edges from nodes ``0..t-1`` into it. A grammar masks the op choices and fixes, forces or forbids
edges, so that every decoded graph is a member of the space; it also says which of its
interventions count as *repairs* of the generator's own decision (reported with the samples).

- :class:`NB201Grammar`: NB201's node-op DAG (``NB201Space.to_graph``) always has the same shape,
  input, six edge-op nodes, output, wired as the cell's edges are. The generator chooses the six
  ops; the shape is the space's definition, not a repair.
- :class:`OpenGrammar`: the open-domain space. Node 1 is an op (a cell has one at least), node
  ``max_nodes - 1`` is the output, in between ``output`` may end the cell. Edges come from the
  generator's probabilities (kept above 0.5); a node that would read nothing reads the earlier
  node of highest probability, and the output also reads every node that nothing reads yet.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch

from nas_core import (
    Architecture, ArchitectureError, CELL_INPUT, CELL_OUTPUT, CellGraph, ConfigError, NB201Cell,
    NB201Space, NB201_OPS, SearchSpace,
)
from nas_nag.opendomain import MIN_NODES, OpenDomainSpace


@dataclass(frozen=True)
class EdgeChoice:
    """Edges into a new node, per graph of a batch: ``soft`` are the probabilities the discriminator
    sees (forced edges at 1 with the gradient of their probability), ``hard`` the kept edges."""

    soft: torch.Tensor  # (B, t) float
    hard: torch.Tensor  # (B, t) bool
    repaired: torch.Tensor  # (B,) bool


class CellGrammar(ABC):
    ops: tuple[str, ...]
    max_nodes: int
    free_edges: bool  # False when the grammar fixes every edge (the generator's AddEdge is unused)
    # True when node ``max_nodes - 1`` is always the output, with fixed edges, by the space's
    # definition (not a repair): the generator then skips its modules at that step.
    fixed_output: bool

    @property
    def generated_vocabulary(self) -> tuple[str, ...]:
        """What the generator's AddNode chooses from."""
        return (*self.ops, CELL_OUTPUT)

    @property
    def graph_vocabulary(self) -> tuple[str, ...]:
        """Every node label of a graph (the discriminator's one-hot features)."""
        return (CELL_INPUT, *self.ops, CELL_OUTPUT)

    @abstractmethod
    def op_mask(self, t: int) -> torch.Tensor:
        """Allowed choices for node ``t`` (bool over ``generated_vocabulary``)."""

    @abstractmethod
    def op_repaired(self, t: int, choice: torch.Tensor) -> torch.Tensor:
        """(B,) bool: the unmasked choices (indices) that the mask overrode, counted as repairs."""

    @abstractmethod
    def edges(self, t: int, probs: torch.Tensor | None, adjacency: torch.Tensor, is_output: torch.Tensor) -> EdgeChoice:
        """Edges into node ``t`` given the generator's probabilities (B, t) (None when edges are not
        free), the kept adjacency among nodes ``0..t-1`` (B, t, t) and whether node t is the output."""

    @abstractmethod
    def to_graph(self, arch: Architecture) -> CellGraph: ...

    @abstractmethod
    def from_graph(self, graph: CellGraph) -> Architecture:
        """The space's architecture of a decoded graph; raises ArchitectureError if it is none."""


class NB201Grammar(CellGrammar):
    free_edges = False
    fixed_output = True

    def __init__(self, space: NB201Space) -> None:
        self.space = space
        self.ops = NB201_OPS
        self.template = space.to_graph(NB201Cell(NB201_OPS[:1] * 6))
        self.max_nodes = self.template.num_nodes
        self._adjacency = torch.tensor(self.template.adjacency, dtype=torch.float)

    def op_mask(self, t: int) -> torch.Tensor:
        mask = torch.zeros(len(self.generated_vocabulary), dtype=torch.bool)
        if t == self.max_nodes - 1:
            mask[-1] = True
        else:
            mask[:-1] = True
        return mask

    def op_repaired(self, t: int, choice: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(choice, dtype=torch.bool)

    def edges(self, t: int, probs: torch.Tensor | None, adjacency: torch.Tensor, is_output: torch.Tensor) -> EdgeChoice:
        column = self._adjacency[:t, t].expand(adjacency.shape[0], t)
        return EdgeChoice(column, column > 0, torch.zeros(adjacency.shape[0], dtype=torch.bool))

    def to_graph(self, arch: Architecture) -> CellGraph:
        return self.space.to_graph(arch)

    def from_graph(self, graph: CellGraph) -> NB201Cell:
        if graph.num_nodes != self.max_nodes or graph.adjacency != self.template.adjacency:
            raise ArchitectureError("the graph does not have the shape of an NB201 cell")
        if graph.ops[0] != CELL_INPUT or graph.ops[-1] != CELL_OUTPUT:
            raise ArchitectureError(f"an NB201 cell graph runs from {CELL_INPUT} to {CELL_OUTPUT}, got {graph.ops}")
        return NB201Cell(tuple(graph.ops[1:-1]))


class OpenGrammar(CellGrammar):
    free_edges = True
    fixed_output = False  # forcing the output at the node limit is a repair, and its edges are free

    def __init__(self, space: OpenDomainSpace) -> None:
        self.space = space
        self.ops = space.ops
        self.max_nodes = space.max_nodes

    def op_mask(self, t: int) -> torch.Tensor:
        mask = torch.ones(len(self.generated_vocabulary), dtype=torch.bool)
        if t < MIN_NODES - 1:
            mask[-1] = False
        if t == self.max_nodes - 1:
            mask[:-1] = False
        return mask

    def op_repaired(self, t: int, choice: torch.Tensor) -> torch.Tensor:
        return ~self.op_mask(t)[choice]

    def edges(self, t: int, probs: torch.Tensor | None, adjacency: torch.Tensor, is_output: torch.Tensor) -> EdgeChoice:
        assert probs is not None
        chosen = probs > 0.5
        forced = torch.zeros_like(chosen)
        orphan = ~chosen.any(1)
        forced[orphan, probs[orphan].argmax(1)] = True
        dangling = adjacency.sum(2) == 0  # nodes that no later node reads yet
        forced |= dangling & is_output[:, None]
        forced &= ~chosen
        soft = probs + (1 - probs).detach() * forced
        return EdgeChoice(soft, chosen | forced, forced.any(1))

    def to_graph(self, arch: Architecture) -> CellGraph:
        return self.space.to_graph(arch)

    def from_graph(self, graph: CellGraph) -> Architecture:
        return self.space.from_graph(graph)


def grammar_for(space: SearchSpace) -> CellGrammar:
    if isinstance(space, NB201Space):
        return NB201Grammar(space)
    if isinstance(space, OpenDomainSpace):
        return OpenGrammar(space)
    raise ConfigError(
        f"NAG generates cells of the nb201 and nag-open spaces, not of search space '{space.name}'"
    )
