"""The shared GCN: renormalized propagation, invariance to node numbering, soft graphs."""

import warnings

import pytest
import torch

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from nas_core.graphnn import GCNEncoder, graph_batch, graph_data

from nas_core.graph import CellGraph
from nas_core.spaces.nb201 import OPS, NB201Cell, NB201Space

VOCAB = ("input", "output", *OPS)


def test_one_hot_nodes_and_symmetric_edges() -> None:
    graph = NB201Space().to_graph(NB201Cell(("nor_conv_3x3",) * 6))
    data = graph_data(graph, VOCAB)
    assert data.x.shape == (8, len(VOCAB)) and torch.all(data.x.sum(1) == 1)
    assert data.edge_index.shape[1] == 2 * len(graph.edges())
    directed = graph_data(graph, VOCAB, undirected=False)
    assert directed.edge_index.shape[1] == len(graph.edges())


def test_gcn_propagation_is_the_renormalized_adjacency() -> None:
    graph = CellGraph(("input", "output"), ((0, 1), (0, 0)))
    encoder = GCNEncoder(len(VOCAB), hidden=2, layers=1, readout="sum")
    conv = encoder.convs[0]
    torch.nn.init.eye_(conv.lin.weight)
    torch.nn.init.zeros_(conv.bias)
    data = graph_data(graph, VOCAB)
    h = encoder.embed(data.x)
    out = conv(h, data.edge_index, data.edge_weight)
    # Two nodes joined by an edge, plus self loops: every degree is 2, so A_hat = [[.5,.5],[.5,.5]].
    assert torch.allclose(out, 0.5 * (h[0] + h[1]).expand(2, -1), atol=1e-6)


def test_isomorphic_graphs_embed_alike_and_soft_equals_hard_for_one_hot() -> None:
    space = NB201Space()
    encoder = GCNEncoder(len(VOCAB), hidden=16, layers=3).eval()
    a = NB201Cell(("nor_conv_3x3", "none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "none"))
    graph = space.to_graph(a)
    permutation = [0, 2, 1, 3, 4, 5, 6, 7]  # swap two op nodes that are not connected to each other
    assert graph.adjacency[1][2] == 0 and graph.adjacency[2][1] == 0
    swapped = CellGraph(
        tuple(graph.ops[p] for p in permutation),
        tuple(tuple(graph.adjacency[permutation[i]][permutation[j]] for j in range(8)) for i in range(8)),
    )
    batch = graph_batch([graph, swapped], VOCAB)
    with torch.no_grad():
        out = encoder(batch)
        assert torch.allclose(out[0], out[1], atol=1e-5)
        soft = graph_data(graph, VOCAB, node_probs=graph_data(graph, VOCAB).x, edge_probs=torch.tensor(graph.adjacency, dtype=torch.float))
        assert torch.allclose(encoder.node_embeddings(soft.x, soft.edge_index, soft.edge_weight).max(0).values, out[0], atol=1e-5)


def test_unknown_ops_and_readouts_are_errors() -> None:
    from nas_core.errors import NasError

    with pytest.raises(NasError, match="not in the vocabulary"):
        graph_data(CellGraph(("input", "conv7", "output"), ((0, 1, 0), (0, 0, 1), (0, 0, 0))), VOCAB)
    with pytest.raises(NasError, match="unknown readout"):
        GCNEncoder(3, readout="attention")
