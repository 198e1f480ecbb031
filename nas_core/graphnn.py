"""Graph neural network pieces shared by graph predictors and generators (GPNAS, NAG).

A cell's node-op DAG (``SearchSpace.to_graph``) becomes node features (a distribution over an op
vocabulary per node: one-hot for a real architecture, soft probabilities for a generator's
output) and edges (weighted, for soft adjacency). ``GCNEncoder`` embeds the ops, applies GCN
layers with the renormalized adjacency D^-1/2 (A + I) D^-1/2 (Kipf & Welling), and reads out one
vector per graph. With ``undirected=True`` edges are used in both directions, which is the
symmetric A + A^T of GPNAS's predictor and NAG's discriminator.

Requires torch-geometric (an optional dependency: ``pip install 'nas-core[graph]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import nn

from nas_core.errors import NasError
from nas_core.graph import CellGraph

try:
    from torch_geometric.data import Batch, Data
    from torch_geometric.nn import GCNConv, global_add_pool, global_max_pool, global_mean_pool
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise NasError("graph neural networks need torch-geometric: pip install 'nas-core[graph]'") from exc

Readout = Literal["max", "mean", "sum"]
_READOUTS = {"max": global_max_pool, "mean": global_mean_pool, "sum": global_add_pool}


def graph_data(
    graph: CellGraph,
    vocabulary: Sequence[str],
    *,
    undirected: bool = True,
    node_probs: torch.Tensor | None = None,
    edge_probs: torch.Tensor | None = None,
) -> Data:
    """One graph as a torch-geometric ``Data``.

    ``node_probs`` (nodes x vocabulary) replaces the one-hot ops; ``edge_probs`` (nodes x nodes)
    weights the edges instead of ``graph.adjacency`` (every i < j pair is then an edge).
    """
    n = graph.num_nodes
    if node_probs is None:
        index = {op: k for k, op in enumerate(vocabulary)}
        missing = [op for op in graph.ops if op not in index]
        if missing:
            raise NasError(f"ops {missing} are not in the vocabulary {list(vocabulary)}")
        x = torch.zeros(n, len(vocabulary))
        x[torch.arange(n), torch.tensor([index[op] for op in graph.ops])] = 1.0
    else:
        x = node_probs
    if edge_probs is None:
        pairs = graph.edges()
        weights = torch.ones(len(pairs))
    else:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        weights = torch.stack([edge_probs[i, j] for i, j in pairs]) if pairs else torch.zeros(0)
    sources = [i for i, _ in pairs]
    targets = [j for _, j in pairs]
    if undirected:
        sources, targets = sources + targets, targets + sources
        weights = torch.cat([weights, weights])
    edge_index = torch.tensor([sources, targets], dtype=torch.long).reshape(2, -1)
    return Data(x=x, edge_index=edge_index, edge_weight=weights, num_nodes=n)


def graph_batch(graphs: Sequence[CellGraph], vocabulary: Sequence[str], *, undirected: bool = True) -> Batch:
    return Batch.from_data_list([graph_data(g, vocabulary, undirected=undirected) for g in graphs])


class GCNEncoder(nn.Module):
    """Op distributions -> embeddings -> ``layers`` GCN layers (ReLU) -> one vector per graph."""

    def __init__(
        self, vocabulary_size: int, hidden: int = 64, layers: int = 3, readout: Readout = "max", dropout: float = 0.0
    ) -> None:
        super().__init__()
        if readout not in _READOUTS:
            raise NasError(f"unknown readout {readout!r} (choose from {', '.join(_READOUTS)})")
        # A one-hot row selects an embedding; a soft row mixes them (probability graphs).
        self.embed = nn.Linear(vocabulary_size, hidden, bias=False)
        self.convs = nn.ModuleList(GCNConv(hidden, hidden) for _ in range(layers))
        self.dropout = nn.Dropout(dropout)
        self.readout = _READOUTS[readout]
        self.out_features = hidden

    def node_embeddings(self, x: torch.Tensor, edge_index: torch.Tensor, edge_weight: torch.Tensor) -> torch.Tensor:
        h = self.embed(x)
        for conv in self.convs:
            h = self.dropout(torch.relu(conv(h, edge_index, edge_weight)))
        return h

    def forward(self, batch: Batch) -> torch.Tensor:
        nodes = self.node_embeddings(batch.x, batch.edge_index, batch.edge_weight)
        return self.readout(nodes, batch.batch)
