"""The DARTS cell architecture: a normal and a reduction cell, each 4 nodes with 2 inputs.

Cell inputs are nodes 0 and 1 (the outputs of the two previous cells); intermediate node ``k``
(2..5) sums ``op(node i)`` over its two edges, with ``i < k`` and the two inputs distinct; the
cell's output concatenates nodes 2..5. ``none`` is never part of a derived cell (DARTS drops it
when deriving), so edges carry one of the other 7 operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from nas_core import ArchitectureError, canonical_cell_hash

from nas_darts.names import DARTS_OPS

GENOTYPE_OPS: tuple[str, ...] = tuple(op for op in DARTS_OPS if op != "none")
STEPS = 4  # intermediate nodes per cell
INPUTS = 2  # cell inputs (the two previous cells)
CELL_TYPES = ("normal", "reduce")

Edge = tuple[str, int]  # (operation, input node)
CellEdges = tuple[Edge, ...]


def node_edges(cell: CellEdges, node: int) -> CellEdges:
    """The two edges into intermediate node ``node`` (0-based among the 4 intermediate nodes)."""
    return cell[2 * node : 2 * node + 2]


def normalize_cell(edges: Iterable[Sequence[Any]]) -> CellEdges:
    """Validated edges, each node's pair sorted by input node; raises ArchitectureError."""
    try:
        pairs = [(str(op), int(source)) for op, source in edges]
    except (TypeError, ValueError) as exc:
        raise ArchitectureError(f"a DARTS cell is a list of (op, input) pairs: {exc}") from None
    if len(pairs) != 2 * STEPS:
        raise ArchitectureError(f"a DARTS cell has {2 * STEPS} edges (2 per node), got {len(pairs)}")
    out: list[Edge] = []
    for node in range(STEPS):
        pair = sorted(pairs[2 * node : 2 * node + 2], key=lambda edge: edge[1])
        for op, source in pair:
            if op not in GENOTYPE_OPS:
                raise ArchitectureError(f"unknown DARTS op '{op}' (expected one of {', '.join(GENOTYPE_OPS)})")
            if not 0 <= source < node + INPUTS:
                raise ArchitectureError(f"node {node + INPUTS} cannot take input from node {source}")
        if pair[0][1] == pair[1][1]:
            raise ArchitectureError(f"node {node + INPUTS} takes node {pair[0][1]} twice; its 2 inputs must differ")
        out += pair
    return tuple(out)


def cell_key(cell: CellEdges) -> str:
    """Canonical hash of one cell as a node-op DAG (isomorphic cells, same hash).

    Renumbering intermediate nodes only permutes the channels of the concatenated output, which
    the next cell's 1x1 preprocessing (or the classifier) absorbs: such cells are the same network.
    """
    labels = ["input0", "input1"]
    edges: list[tuple[int, int]] = []
    node_ids = [0, 1]
    sums: list[int] = []
    for node in range(STEPS):
        total = len(labels) + 2
        for op, source in node_edges(cell, node):
            labels.append(op)
            edges.append((node_ids[source], len(labels) - 1))
            edges.append((len(labels) - 1, total))
        labels.append("add")
        node_ids.append(total)
        sums.append(total)
    labels.append("concat")
    edges += [(s, len(labels) - 1) for s in sums]
    return canonical_cell_hash(labels, edges)


@dataclass(frozen=True)
class DartsGenotype:
    """A DARTS architecture; construct with :meth:`of` (validates and sorts each node's pair)."""

    normal: CellEdges
    reduce: CellEdges
    kind: ClassVar[str] = "darts"

    def __post_init__(self) -> None:
        for name in CELL_TYPES:
            if normalize_cell(getattr(self, name)) != getattr(self, name):
                raise ArchitectureError(f"{name} cell is not in normal form: build genotypes with DartsGenotype.of")

    @classmethod
    def of(cls, normal: Iterable[Sequence[Any]], reduce: Iterable[Sequence[Any]]) -> DartsGenotype:
        return cls(normalize_cell(normal), normalize_cell(reduce))

    def cell(self, name: str) -> CellEdges:
        return self.normal if name == "normal" else self.reduce

    @property
    def key(self) -> str:
        return f"darts:{cell_key(self.normal)}:{cell_key(self.reduce)}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "normal": [list(e) for e in self.normal], "reduce": [list(e) for e in self.reduce]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DartsGenotype:
        if data.get("kind") != cls.kind or "normal" not in data or "reduce" not in data:
            raise ArchitectureError(f"not a DARTS architecture: {dict(data)!r}")
        return cls.of(data["normal"], data["reduce"])

    def __str__(self) -> str:
        """DARTS' own notation, so a result can be compared with published genotypes."""
        concat = list(range(INPUTS, INPUTS + STEPS))
        return (
            f"Genotype(normal={list(self.normal)}, normal_concat={concat}, "
            f"reduce={list(self.reduce)}, reduce_concat={concat})"
        )
