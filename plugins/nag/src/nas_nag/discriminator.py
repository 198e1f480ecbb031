"""NAG's discriminator (paper 3.2.2): the core's GCN over A + A^T + I, label embeddings, an MLP.

Real graphs enter as one-hot ops and 0/1 edges. Generated graphs enter either as the
generator's soft op distributions and edge probabilities (the paper's probability graph, section
3.5: the GCN's first layer is a linear map of the op distribution, eq. 12), or straight-through:
one-hot ops and 0/1 edges in the forward pass, whose gradients are those of the probabilities
(the default; see :mod:`nas_nag.settings`). Either way the discriminator's verdict reaches the
generator's modules.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import nn

from nas_core import CellGraph
from nas_nag.generator import Dropout, GeneratedBatch, LabelEmbeddings
from nas_nag.settings import GANSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # torch-geometric's own imports
    from torch_geometric.data import Batch, Data

    from nas_core import GCNEncoder, graph_data


class Discriminator(nn.Module):
    def __init__(self, vocabulary: Sequence[str], label_classes: Sequence[int], settings: GANSettings) -> None:
        super().__init__()
        s = settings
        self.vocabulary = tuple(vocabulary)
        self.encoder = GCNEncoder(len(vocabulary), s.node_dim, s.gcn_layers, s.discriminator_readout, s.dropout)
        self.encoder.dropout = Dropout(s.dropout)  # the same dropout, its mask drawn faster
        self.project = nn.Linear(s.node_dim, s.graph_dim)
        self.labels = LabelEmbeddings(label_classes, s.label_dim)
        self.head = nn.Sequential(
            nn.Linear(s.graph_dim + self.labels.out_features, s.graph_dim),
            nn.ReLU(),
            Dropout(s.dropout),
            nn.Linear(s.graph_dim, 1),
        )

    def forward(self, graphs: Batch, labels: torch.Tensor) -> torch.Tensor:
        """One real/fake logit per graph."""
        h_graph = self.project(self.encoder(graphs))
        return self.head(torch.cat([h_graph, self.labels(labels)], dim=1)).squeeze(1)

    def real_data(self, graph: CellGraph) -> Data:
        return graph_data(graph, self.vocabulary)

    def fake_batch(self, generated: GeneratedBatch, straight_through: bool) -> Batch:
        """The generated graphs as the discriminator sees them (gradients reach the generator).

        The batch ``graph_data(..., node_probs=, edge_probs=)`` + ``Batch.from_data_list`` would
        give (every i < j pair of a graph is an edge, in both directions), built from the padded
        tensors at once: per graph, that is a tenth of a training iteration's time."""
        nodes, edges = generated.node_probs, generated.edge_probs
        if straight_through:
            hard_nodes = torch.zeros_like(nodes).scatter_(2, nodes.argmax(2, keepdim=True), 1.0)
            nodes = hard_nodes - nodes.detach() + nodes
            edges = generated.adjacency - edges.detach() + edges
        count, size = generated.num_nodes, nodes.shape[1]
        first = torch.cumsum(count, 0) - count  # each graph's first node in the batch
        source, target = torch.triu_indices(size, size, 1)
        graph, pair = (target.unsqueeze(0) < count.unsqueeze(1)).nonzero(as_tuple=True)
        source, target = source[pair], target[pair]
        weight = edges[graph, source, target]
        source, target = source + first[graph], target + first[graph]
        return Batch(
            x=nodes[torch.arange(size).unsqueeze(0) < count.unsqueeze(1)],
            edge_index=torch.stack([torch.cat([source, target]), torch.cat([target, source])]),
            edge_weight=torch.cat([weight, weight]),
            batch=torch.repeat_interleave(torch.arange(len(count)), count),
        )
