"""Architectures as the predictor sees them: undirected cell graphs over a fixed op vocabulary.

GPNAS's predictor (paper III.C) reads the cell as an undirected graph whose adjacency comes from the
skip-connection (topology) decisions and whose nodes carry operator embeddings. The core's node-op
DAG (``SearchSpace.to_graph``) keeps a node for every edge, ``none`` included; here ``none`` nodes
are dropped with their edges, so the adjacency is exactly the sampled topology and a missing edge
is not mistaken for a connection.
"""

from __future__ import annotations

from collections.abc import Sequence

from nas_core import (
    Architecture, CELL_INPUT, CELL_OUTPUT, Capability, CellGraph, ConfigError, SearchSpace,
)

ABSENT = "none"
_VOCABULARY_SCAN_LIMIT = 100_000  # enumerate a space's graphs to find its ops only when it is this small


def without_absent_ops(graph: CellGraph) -> CellGraph:
    """The graph without ``none`` nodes (an absent edge carries nothing, so it connects nothing)."""
    keep = [v for v, op in enumerate(graph.ops) if op != ABSENT]
    if len(keep) == graph.num_nodes:
        return graph
    adjacency = tuple(tuple(graph.adjacency[i][j] for j in keep) for i in keep)
    return CellGraph(tuple(graph.ops[v] for v in keep), adjacency)


def graph_vocabulary(space: SearchSpace) -> tuple[str, ...]:
    """Every op label the space's graphs can carry (``input``/``output`` first).

    Spaces that list their labels (``op_vocabulary``, as the generalized-operator space does) are
    taken at their word; otherwise the labels come from the space's decisions, or from enumerating
    a small space. ``none`` is kept out: absent ops are removed from the graphs.
    """
    space.require({Capability.GRAPH}, who="the GPNAS predictor")
    listed = getattr(space, "op_vocabulary", None)
    if listed is not None:
        labels: Sequence[str] = tuple(listed)
    elif Capability.DECISIONS in space.capabilities:
        labels = [choice for decision in space.decisions() for choice in decision.choices]
    elif Capability.ENUMERATE in space.capabilities and (space.size or _VOCABULARY_SCAN_LIMIT + 1) <= _VOCABULARY_SCAN_LIMIT:
        labels = [op for arch in space.enumerate() for op in space.to_graph(arch).ops]
    else:
        raise ConfigError(
            f"the GPNAS predictor cannot tell which ops the graphs of search space '{space.name}' carry "
            "(it offers neither decisions nor a small enumeration)"
        )
    ordered = dict.fromkeys([CELL_INPUT, CELL_OUTPUT, *labels])
    ordered.pop(ABSENT, None)
    return tuple(ordered)


def predictor_graph(space: SearchSpace, arch: Architecture) -> CellGraph:
    return without_absent_ops(space.to_graph(arch))
