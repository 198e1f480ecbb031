"""The DAG view of cell architectures and its canonical form.

Graph predictors (GCNs) and generators work on a node-labelled DAG: node 0 is the input, the last
node the output, every other node carries one operation. ``canonical_hash`` gives isomorphic DAGs the
same string, which cell spaces use as their architecture ``key``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

INPUT = "input"
OUTPUT = "output"


@dataclass(frozen=True)
class CellGraph:
    """A DAG with one operation label per node; ``adjacency[i][j] == 1`` means an edge i -> j.

    Nodes are topologically ordered: node 0 is ``input``, node ``n-1`` is ``output``.
    """

    ops: tuple[str, ...]
    adjacency: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        n = len(self.ops)
        if len(self.adjacency) != n or any(len(row) != n for row in self.adjacency):
            raise ValueError(f"adjacency must be {n}x{n} for {n} ops")
        if any(self.adjacency[i][j] for i in range(n) for j in range(i + 1)):
            raise ValueError("adjacency must be strictly upper triangular (a topologically ordered DAG)")

    @property
    def num_nodes(self) -> int:
        return len(self.ops)

    def edges(self) -> list[tuple[int, int]]:
        n = self.num_nodes
        return [(i, j) for i in range(n) for j in range(i + 1, n) if self.adjacency[i][j]]

    def predecessors(self, node: int) -> list[int]:
        return [i for i in range(node) if self.adjacency[i][node]]

    def successors(self, node: int) -> list[int]:
        return [j for j in range(node + 1, self.num_nodes) if self.adjacency[node][j]]

    def depths(self) -> list[int]:
        """Each node's longest path from a node without inputs: the column a drawing puts it in."""
        depth = [0] * self.num_nodes
        for node in range(self.num_nodes):  # topologically ordered
            depth[node] = max((depth[p] + 1 for p in self.predecessors(node)), default=0)
        return depth


def canonical_hash(ops: Sequence[str], edges: Sequence[tuple[int, int]]) -> str:
    """A string equal for isomorphic node-labelled DAGs (multi-edges allowed).

    Weisfeiler-Lehman refinement over in- and out-neighbourhoods, as NAS-Bench-101 uses for its
    module hashes: after as many rounds as there are nodes, every node's label summarises its whole
    up- and downstream structure, and the sorted labels identify the graph. For the small cells of
    NAS spaces this separates every non-isomorphic pair we know of.
    """
    n = len(ops)
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for i, j in edges:
        outs[i].append(j)
        ins[j].append(i)
    labels = [_digest(op) for op in ops]
    for _ in range(n):
        labels = [
            _digest(
                "|".join(sorted(labels[i] for i in ins[v]))
                + "/"
                + "|".join(sorted(labels[j] for j in outs[v]))
                + "/"
                + labels[v]
            )
            for v in range(n)
        ]
    return _digest("".join(sorted(labels)))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
