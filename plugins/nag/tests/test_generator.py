"""Decoding under the grammars, the probability graph, and gradients from D to G."""

import numpy as np
import pytest
import torch

from nas_core import NB201Space
from nas_nag.discriminator import Batch, Discriminator
from nas_nag.generator import Generator
from nas_nag.grammar import NB201Grammar, OpenGrammar, grammar_for
from nas_nag.opendomain import OpenDomainSpace
from nagtest_tiny import TINY_GAN


def decode(grammar, batch: int = 64, seed: int = 0):
    torch.manual_seed(seed)
    generator = Generator(grammar, (3,), TINY_GAN)
    return generator, generator(torch.randn(batch, TINY_GAN.noise_dim), torch.randint(3, (batch, 1)))


def test_nb201_graphs_have_the_cell_shape_and_decode_to_cells() -> None:
    space = NB201Space()
    grammar = NB201Grammar(space)
    _, out = decode(grammar)
    graphs = out.graphs(grammar)
    assert all(g.adjacency == grammar.template.adjacency for g in graphs)
    cells = [grammar.from_graph(g) for g in graphs]
    assert len({c.ops for c in cells}) > 10  # the Gumbel noise and z make them differ
    assert not out.repaired.any()
    for cell in cells:
        assert grammar.from_graph(grammar.to_graph(cell)) == cell


def test_open_graphs_are_valid_cells_of_every_size_the_grammar_allows() -> None:
    space = OpenDomainSpace(max_nodes=6)
    grammar = OpenGrammar(space)
    _, out = decode(grammar, batch=256)
    cells = [grammar.from_graph(g) for g in out.graphs(grammar)]  # raises if any is invalid
    for cell in cells:
        space.validate(cell)
    assert {c.num_nodes for c in cells} <= set(range(3, 7))
    assert len({c.num_nodes for c in cells}) > 1
    # The soft graph of every real node is a distribution; padding and the input are not generated.
    n = out.num_nodes
    alive = torch.arange(out.node_probs.shape[1]).unsqueeze(0) < n.unsqueeze(1)
    sums = out.node_probs.sum(2)
    assert torch.allclose(sums[alive], torch.ones(int(alive.sum()))) and torch.all(sums[~alive] == 0)


def test_open_grammar_forces_an_input_for_orphans_and_feeds_dangling_nodes_to_the_output() -> None:
    grammar = OpenGrammar(OpenDomainSpace())
    probs = torch.tensor([[0.1, 0.3, 0.2], [0.9, 0.1, 0.2]], requires_grad=True)
    adjacency = torch.tensor([[[0, 1, 0], [0, 0, 0], [0, 0, 0]], [[0, 1, 1], [0, 0, 1], [0, 0, 0]]], dtype=torch.float)
    not_output = grammar.edges(3, probs, adjacency, torch.tensor([False, False]))
    assert not_output.hard.tolist() == [[False, True, False], [True, False, False]]
    assert not_output.repaired.tolist() == [True, False]
    as_output = grammar.edges(3, probs, adjacency, torch.tensor([True, True]))
    assert as_output.hard.tolist() == [[False, True, True], [True, False, True]]  # nodes 1, 2 / 2 read by none
    # A forced edge reaches the discriminator at full weight, with its probability's gradient.
    assert as_output.soft[0].tolist() == pytest.approx([0.1, 1.0, 1.0])
    as_output.soft.sum().backward()
    assert torch.all(probs.grad == 1)


@pytest.mark.parametrize("straight_through", [False, True])
def test_the_discriminator_s_verdict_reaches_every_generator_module(straight_through: bool) -> None:
    grammar = grammar_for(OpenDomainSpace(max_nodes=5))
    generator, out = decode(grammar, batch=16)
    discriminator = Discriminator(grammar.graph_vocabulary, (3,), TINY_GAN)
    fake = discriminator.fake_batch(out, straight_through)
    discriminator(fake, torch.zeros(16, 1, dtype=torch.long)).sum().backward()
    for name in ("add_node", "add_edge", "prop", "labels"):
        grads = [p.grad for p in getattr(generator, name).parameters()]
        assert any(g is not None and g.abs().sum() > 0 for g in grads), name
    if straight_through:  # the forward pass sees exactly the kept graph
        assert torch.all((fake.x == 0) | (fake.x == 1))


def test_real_graphs_enter_the_discriminator_one_hot() -> None:
    space = NB201Space()
    grammar = NB201Grammar(space)
    discriminator = Discriminator(grammar.graph_vocabulary, (), TINY_GAN)
    cells = [space.sample(np.random.default_rng(i)) for i in range(3)]
    batch = Batch.from_data_list([discriminator.real_data(grammar.to_graph(c)) for c in cells])
    assert torch.all(batch.x.sum(1) == 1)
    assert discriminator(batch, torch.zeros(3, 0, dtype=torch.long)).shape == (3,)


@pytest.mark.parametrize("space", [NB201Space(), OpenDomainSpace(max_nodes=6)], ids=["nb201", "open"])
@pytest.mark.parametrize("straight_through", [False, True])
def test_the_batched_fake_graphs_are_the_core_s_graph_data(space, straight_through: bool) -> None:
    from nas_core import graph_data

    grammar = grammar_for(space)
    _, out = decode(grammar, batch=12)
    discriminator = Discriminator(grammar.graph_vocabulary, (3,), TINY_GAN).eval()
    fake = discriminator.fake_batch(out, straight_through)
    nodes, edges = out.node_probs, out.edge_probs
    if straight_through:
        nodes = torch.zeros_like(nodes).scatter_(2, nodes.argmax(2, keepdim=True), 1.0)
        edges = out.adjacency
    reference = Batch.from_data_list([
        graph_data(graph, grammar.graph_vocabulary, node_probs=nodes[b, :n], edge_probs=edges[b, :n, :n])
        for b, (graph, n) in enumerate(zip(out.graphs(grammar), out.num_nodes.tolist()))
    ])  # fmt: skip
    labels = torch.zeros(12, 1, dtype=torch.long)
    assert torch.allclose(discriminator(fake, labels), discriminator(reference, labels), atol=1e-6)
    assert fake.x.shape == reference.x.shape and fake.edge_index.shape == reference.edge_index.shape


def test_dropout_keeps_each_unit_with_probability_one_minus_p_and_rescales() -> None:
    from nas_nag.generator import Dropout

    torch.manual_seed(0)
    out = Dropout(0.5).train()(torch.ones(200_000))
    assert set(out.unique().tolist()) == {0.0, 2.0}
    assert abs(out.mean().item() - 1.0) < 0.01
    assert torch.equal(Dropout(0.5).eval()(torch.ones(3)), torch.ones(3))
