"""The NAS-Bench-201 cell: 4 nodes, 6 edges i -> j (i < j), one of 5 operations per edge.

The official string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` lists, per node 1..3, the operation on
the edge from each earlier node. ``NB201Cell.ops`` keeps that order:
(0->1), (0->2), (1->2), (0->3), (1->3), (2->3).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core.architecture import Architecture
from nas_core.errors import ArchitectureError, ConfigError
from nas_core.graph import INPUT, OUTPUT, CellGraph, canonical_hash
from nas_core.spaces.base import Decision, SearchSpace, check_decisions

if TYPE_CHECKING:
    import torch

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
NUM_NODES = 4
# NASLib's tuple encoding (HW-NAS-Bench, zero-cost tables): its own op ids and edge order.
_NASLIB_OP_IDS = {"skip_connect": 0, "none": 1, "nor_conv_3x3": 2, "nor_conv_1x1": 3, "avg_pool_3x3": 4}
_NASLIB_EDGE_ORDER = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


@dataclass(frozen=True)
class NB201Cell:
    """One NB201 cell; ``ops[e]`` is the operation on edge ``EDGES[e]``."""

    ops: tuple[str, ...]
    kind: ClassVar[str] = "nb201"

    def __post_init__(self) -> None:
        if len(self.ops) != len(EDGES):
            raise ArchitectureError(f"an NB201 cell has {len(EDGES)} edge ops, got {len(self.ops)}")
        for op in self.ops:
            if op not in OPS:
                raise ArchitectureError(f"unknown NB201 op '{op}' (expected one of {', '.join(OPS)})")

    @classmethod
    def from_str(cls, arch_str: str) -> NB201Cell:
        """Parse the official string; raises ArchitectureError on anything malformed."""
        groups = arch_str.strip().split("+")
        if len(groups) != NUM_NODES - 1:
            raise ArchitectureError(f"malformed NB201 string (need 3 '+'-separated groups): {arch_str!r}")
        ops: list[str] = []
        for node, group in enumerate(groups, start=1):
            tokens = [t for t in group.strip().strip("|").split("|")]
            if len(tokens) != node:
                raise ArchitectureError(f"malformed NB201 string (node {node} needs {node} inputs): {arch_str!r}")
            for source, token in enumerate(tokens):
                op, sep, src = token.partition("~")
                if not sep or src != str(source):
                    raise ArchitectureError(f"malformed NB201 string (bad token {token!r}): {arch_str!r}")
                ops.append(op)
        return cls(tuple(ops))

    @property
    def arch_str(self) -> str:
        groups = []
        for node in range(1, NUM_NODES):
            tokens = [f"{self.ops[e]}~{i}" for e, (i, j) in enumerate(EDGES) if j == node]
            groups.append("|" + "|".join(tokens) + "|")
        return "+".join(groups)

    @property
    def naslib_tuple(self) -> str:
        """NASLib's tuple string, e.g. ``"(4, 3, 3, 0, 0, 0)"`` (HW-NAS-Bench, zero-cost tables)."""
        ids = [_NASLIB_OP_IDS[self.ops[EDGES.index(edge)]] for edge in _NASLIB_EDGE_ORDER]
        return "(" + ", ".join(map(str, ids)) + ")"

    @classmethod
    def from_naslib_tuple(cls, text: str) -> NB201Cell:
        names = {v: k for k, v in _NASLIB_OP_IDS.items()}
        try:
            ids = [int(t) for t in text.strip().strip("()").split(",")]
            by_edge = {edge: names[i] for edge, i in zip(_NASLIB_EDGE_ORDER, ids, strict=True)}
        except (ValueError, KeyError) as exc:
            raise ArchitectureError(f"malformed NASLib NB201 tuple {text!r}") from exc
        return cls(tuple(by_edge[edge] for edge in EDGES))

    @property
    def key(self) -> str:
        return canonical_cell_key(self.ops)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "arch_str": self.arch_str}

    def __str__(self) -> str:
        return self.arch_str


@lru_cache(maxsize=len(OPS) ** len(EDGES))
def canonical_cell_key(ops: tuple[str, ...]) -> str:
    """``nb201:`` + the canonical form of the function a cell computes.

    Edges with ``none`` contribute nothing and are dropped; nodes that the input cannot reach or
    that cannot reach the output are dead; identity edges (``skip_connect``) are contracted. What
    remains is hashed as a node-op DAG, so isomorphic cells (same computation up to renumbering
    the intermediate nodes) share a key. A cell whose output is cut off from its input is ``zero``.
    """
    live = [(i, j, op) for (i, j), op in zip(EDGES, ops) if op != "none"]
    reach_from_input = {0}
    for i, j, _ in live:  # EDGES are topologically ordered
        if i in reach_from_input:
            reach_from_input.add(j)
    reach_output = {NUM_NODES - 1}
    for i, j, _ in reversed(live):
        if j in reach_output:
            reach_output.add(i)
    alive = reach_from_input & reach_output
    if NUM_NODES - 1 not in alive:
        return "nb201:zero"
    live = [(i, j, op) for i, j, op in live if i in alive and j in alive]

    # Node-op DAG: node 0 = input, one node per live edge, last node = output.
    labels = [INPUT] + [op for _, _, op in live] + [OUTPUT]
    out_id = len(labels) - 1
    preds: dict[int, list[int]] = {v: [] for v in range(len(labels))}
    for k, (i, _, _) in enumerate(live, start=1):
        preds[k] = [0] if i == 0 else [m for m, (_, j2, _) in enumerate(live, start=1) if j2 == i]
    preds[out_id] = [k for k, (_, j, _) in enumerate(live, start=1) if j == NUM_NODES - 1]

    # Contract identities: a skip node's consumers read its inputs directly (multi-edges kept).
    def sources(v: int) -> list[int]:
        return [s for p in preds[v] for s in (sources(p) if labels[p] == "skip_connect" else [p])]

    kept = [v for v in range(len(labels)) if labels[v] != "skip_connect"]
    index = {v: k for k, v in enumerate(kept)}
    edges = [(index[s], index[v]) for v in kept for s in sources(v)]
    return "nb201:" + canonical_hash([labels[v] for v in kept], edges)


class NB201Space(SearchSpace):
    """All 15,625 NB201 cells; built as NB201 networks with ``cells`` cells per stage."""

    name = "nb201"

    def __init__(self, channels: int = 16, cells: int = 5) -> None:
        if channels < 1 or cells < 1:
            raise ConfigError(f"NB201 networks need channels >= 1 and cells >= 1, got {channels} and {cells}")
        self.channels = channels
        self.cells = cells

    def decode(self, data: Mapping[str, Any]) -> NB201Cell:
        if data.get("kind") != NB201Cell.kind or "arch_str" not in data:
            raise ArchitectureError(f"not an NB201 architecture: {dict(data)!r}")
        return NB201Cell.from_str(str(data["arch_str"]))

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, NB201Cell):
            raise ArchitectureError(f"{self.name} expects an NB201Cell, got {type(arch).__name__}")

    @property
    def size(self) -> int:
        return len(OPS) ** len(EDGES)

    def sample(self, rng: np.random.Generator) -> NB201Cell:
        return NB201Cell(tuple(OPS[i] for i in rng.integers(len(OPS), size=len(EDGES))))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> NB201Cell:
        """Change the op of one random edge to a different op (the NB201 REA mutation)."""
        assert isinstance(arch, NB201Cell)
        edge = int(rng.integers(len(EDGES)))
        others = [op for op in OPS if op != arch.ops[edge]]
        ops = list(arch.ops)
        ops[edge] = others[int(rng.integers(len(others)))]
        return NB201Cell(tuple(ops))

    def neighbours(self, arch: Architecture) -> list[NB201Cell]:
        assert isinstance(arch, NB201Cell)
        return [
            NB201Cell(arch.ops[:e] + (op,) + arch.ops[e + 1 :])
            for e in range(len(EDGES))
            for op in OPS
            if op != arch.ops[e]
        ]

    def enumerate(self) -> Iterator[NB201Cell]:
        for ops in itertools.product(OPS, repeat=len(EDGES)):
            yield NB201Cell(ops)

    def decisions(self) -> tuple[Decision, ...]:
        return tuple(Decision(f"edge_{i}_{j}", OPS) for i, j in EDGES)

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        assert isinstance(arch, NB201Cell)
        return arch.ops

    def from_decisions(self, values: Sequence[str]) -> NB201Cell:
        return NB201Cell(check_decisions(self, values))

    def to_graph(self, arch: Architecture) -> CellGraph:
        """Node-op DAG: input, one node per edge (in ``EDGES`` order, ``none`` included), output."""
        assert isinstance(arch, NB201Cell)
        n = len(EDGES) + 2
        adj = [[0] * n for _ in range(n)]
        for e, (i, j) in enumerate(EDGES, start=1):
            if i == 0:
                adj[0][e] = 1
            for f, (_, j2) in enumerate(EDGES, start=1):
                if j2 == i:
                    adj[f][e] = 1
            if j == NUM_NODES - 1:
                adj[e][n - 1] = 1
        return CellGraph((INPUT, *arch.ops, OUTPUT), tuple(tuple(row) for row in adj))

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_core.networks.nb201 import NB201Network

        assert isinstance(arch, NB201Cell)
        return NB201Network(arch.ops, input_shape, num_classes, self.channels, self.cells)
