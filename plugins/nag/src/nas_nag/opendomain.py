"""The paper's open-domain cell space (section 3.1): DAG cells with a variable number of nodes.

A cell is a node-op DAG: node 0 is the cell's input, node ``n-1`` its output, and every node in
between carries one of identity, 3x3 / 5x5 separable convolution, 3x3 average / max pooling
(section 4.1.1). A node applies its op to the sum of its inputs; the output sums its inputs. A
cell is valid when every node but the input reads some earlier node and every node but the output
is read by a later one (so every node lies on a path from input to output), with 3..``max_nodes``
nodes (the paper's N = 10 counts input and output, as its 5-node example does).

The key contracts identity nodes (a consumer of an identity node reads the identity's inputs
directly, which computes the same sum) and hashes the remaining DAG up to isomorphism, so cells
that compute the same function the same way share a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core import (
    Architecture, ArchitectureError, CELL_INPUT, CELL_OUTPUT, CellGraph, ConfigError, SearchSpace,
    canonical_cell_hash,
)

if TYPE_CHECKING:
    import torch

OPS: tuple[str, ...] = ("identity", "sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3")
IDENTITY = "identity"
MIN_NODES = 3  # input, one operation, output


@dataclass(frozen=True)
class DAGCell:
    """``ops[k]`` is the operation of node ``k + 1``; ``edges`` are sorted (i, j) pairs, i < j."""

    ops: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    kind: ClassVar[str] = "nag-dag"

    def __post_init__(self) -> None:
        n = self.num_nodes
        if len(set(self.edges)) != len(self.edges) or list(self.edges) != sorted(self.edges):
            raise ArchitectureError(f"a DAG cell lists its edges sorted and once each, got {self.edges}")
        for i, j in self.edges:
            if not 0 <= i < j < n:
                raise ArchitectureError(f"edge {i}->{j} does not go forward between nodes 0..{n - 1}")
        has_input = {j for _, j in self.edges}
        has_output = {i for i, _ in self.edges}
        if missing := [v for v in range(1, n) if v not in has_input]:
            raise ArchitectureError(f"nodes {missing} of the cell read no earlier node")
        if missing := [v for v in range(n - 1) if v not in has_output]:
            raise ArchitectureError(f"nodes {missing} of the cell are read by no later node")

    @property
    def num_nodes(self) -> int:
        return len(self.ops) + 2

    @property
    def graph(self) -> CellGraph:
        n = self.num_nodes
        rows = [[0] * n for _ in range(n)]
        for i, j in self.edges:
            rows[i][j] = 1
        return CellGraph((CELL_INPUT, *self.ops, CELL_OUTPUT), tuple(tuple(row) for row in rows))

    def predecessors(self) -> list[list[int]]:
        """Inputs of every node, by node (empty for the input node)."""
        preds: list[list[int]] = [[] for _ in range(self.num_nodes)]
        for i, j in self.edges:
            preds[j].append(i)
        return preds

    @property
    def key(self) -> str:
        return self._key

    @cached_property
    def _key(self) -> str:
        labels = [CELL_INPUT, *self.ops, CELL_OUTPUT]
        preds = self.predecessors()

        def sources(v: int) -> list[int]:
            return [s for p in preds[v] for s in (sources(p) if labels[p] == IDENTITY else [p])]

        kept = [v for v in range(self.num_nodes) if labels[v] != IDENTITY]
        index = {v: k for k, v in enumerate(kept)}
        edges = [(index[s], index[v]) for v in kept for s in sources(v)]
        return "nag-dag:" + canonical_cell_hash([labels[v] for v in kept], edges)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ops": list(self.ops), "edges": [list(e) for e in self.edges]}

    def __str__(self) -> str:
        return f"{'/'.join(self.ops)} {' '.join(f'{i}>{j}' for i, j in self.edges)}"


def connect(num_nodes: int, edges: set[tuple[int, int]], rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    """Make a cell valid: a node that reads nothing reads a random earlier node, and a node that
    nothing reads feeds the output (the same two rules the generator's decoding enforces)."""
    out = set(edges)
    for j in range(1, num_nodes):
        if not any(b == j for _, b in out):
            out.add((int(rng.integers(j)), j))
    for i in range(num_nodes - 1):
        if not any(a == i for a, _ in out):
            out.add((i, num_nodes - 1))
    return tuple(sorted(out))


class OpenDomainSpace(SearchSpace):
    """DAG cells of 3..``max_nodes`` nodes, built as the paper's macro network (section 3.1.1)."""

    name = "nag-open"

    def __init__(self, max_nodes: int = 10, channels: int = 20, cells: int = 3, stacks: int = 3) -> None:
        if max_nodes < MIN_NODES:
            raise ConfigError(f"--nag-space-max-nodes must be at least {MIN_NODES}, got {max_nodes}")
        for flag, value in (("channels", channels), ("cells", cells), ("stacks", stacks)):
            if value < 1:
                raise ConfigError(f"--nag-space-{flag} must be at least 1, got {value}")
        self.max_nodes = max_nodes
        self.channels = channels
        self.cells = cells
        self.stacks = stacks
        self.ops = OPS

    def decode(self, data: Mapping[str, Any]) -> DAGCell:
        if data.get("kind") != DAGCell.kind or not isinstance(data.get("ops"), list) or not isinstance(data.get("edges"), list):
            raise ArchitectureError(f"not a NAG DAG cell: {dict(data)!r}")
        try:
            edges = tuple(sorted((int(i), int(j)) for i, j in data["edges"]))
        except (TypeError, ValueError):
            raise ArchitectureError(f"malformed edges of a NAG DAG cell: {data['edges']!r}") from None
        arch = DAGCell(tuple(str(op) for op in data["ops"]), edges)
        self.validate(arch)
        return arch

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, DAGCell):
            raise ArchitectureError(f"{self.name} expects a DAGCell, got {type(arch).__name__}")
        if not MIN_NODES <= arch.num_nodes <= self.max_nodes:
            raise ArchitectureError(f"a {self.name} cell has {MIN_NODES}..{self.max_nodes} nodes, got {arch.num_nodes}")
        if unknown := sorted(set(arch.ops) - set(self.ops)):
            raise ArchitectureError(f"unknown ops {unknown} (expected {', '.join(self.ops)})")

    def from_graph(self, graph: CellGraph) -> DAGCell:
        """The cell of a node-op DAG (the inverse of ``to_graph``); raises ArchitectureError."""
        if graph.num_nodes < 2 or graph.ops[0] != CELL_INPUT or graph.ops[-1] != CELL_OUTPUT:
            raise ArchitectureError(f"a cell graph runs from {CELL_INPUT} to {CELL_OUTPUT}, got ops {graph.ops}")
        arch = DAGCell(tuple(graph.ops[1:-1]), tuple(graph.edges()))
        self.validate(arch)
        return arch

    def sample(self, rng: np.random.Generator) -> DAGCell:
        """A random cell: a uniform node count, uniform ops, each forward edge with probability 1/2,
        then :func:`connect` (so not exactly uniform over cells, which no simple process is)."""
        n = int(rng.integers(MIN_NODES, self.max_nodes + 1))
        ops = tuple(self.ops[int(k)] for k in rng.integers(len(self.ops), size=n - 2))
        edges = {(i, j) for j in range(1, n) for i in range(j) if rng.random() < 0.5}
        return DAGCell(ops, connect(n, edges, rng))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> DAGCell:
        """One random change that keeps the cell valid: an op, an added or removed edge, or an
        inserted or deleted node."""
        assert isinstance(arch, DAGCell)
        n, ops, edges = arch.num_nodes, list(arch.ops), set(arch.edges)
        absent = [(i, j) for j in range(1, n) for i in range(j) if (i, j) not in edges]
        removable = [e for e in sorted(edges) if _still_valid(n, edges - {e})]
        moves = ["op"] + ["add"] * bool(absent) + ["remove"] * bool(removable)
        moves += ["insert"] * (n < self.max_nodes) + ["delete"] * (n > MIN_NODES)
        move = moves[int(rng.integers(len(moves)))]
        if move == "op":
            k = int(rng.integers(len(ops)))
            others = [op for op in self.ops if op != ops[k]]
            ops[k] = others[int(rng.integers(len(others)))]
        elif move == "add":
            edges.add(absent[int(rng.integers(len(absent)))])
        elif move == "remove":
            edges.discard(removable[int(rng.integers(len(removable)))])
        elif move == "insert":
            v = int(rng.integers(1, n))  # the new node's index; nodes v.. shift up by one
            edges = {(i + (i >= v), j + (j >= v)) for i, j in edges}
            edges |= {(int(rng.integers(v)), v), (v, int(rng.integers(v + 1, n + 1)))}
            ops.insert(v - 1, self.ops[int(rng.integers(len(self.ops)))])
            n += 1
        else:
            v = int(rng.integers(1, n - 1))
            edges = {(i - (i > v), j - (j > v)) for i, j in edges if v not in (i, j)}
            del ops[v - 1]
            n -= 1
        return DAGCell(tuple(ops), connect(n, edges, rng))

    def to_graph(self, arch: Architecture) -> CellGraph:
        assert isinstance(arch, DAGCell)
        return arch.graph

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_nag.network import CellNetwork, DAGCellModule

        assert isinstance(arch, DAGCell)
        return CellNetwork(
            lambda channels: DAGCellModule(arch, channels), input_shape, num_classes, self.channels, self.cells, self.stacks
        )


def _still_valid(num_nodes: int, edges: set[tuple[int, int]]) -> bool:
    return all(any(j == v for _, j in edges) for v in range(1, num_nodes)) and all(
        any(i == v for i, _ in edges) for v in range(num_nodes - 1)
    )

