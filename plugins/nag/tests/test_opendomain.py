"""The open-domain space: validity, canonical keys, mutation, networks."""

import numpy as np
import pytest
import torch

from nas_core import ArchitectureError, CellGraph, ConfigError
from nas_nag.opendomain import OPS, DAGCell, OpenDomainSpace


def test_cells_must_be_connected_from_input_to_output() -> None:
    DAGCell(("sep_conv_3x3",), ((0, 1), (1, 2)))
    with pytest.raises(ArchitectureError, match="read no earlier node"):
        DAGCell(("sep_conv_3x3", "identity"), ((0, 1), (1, 3)))
    with pytest.raises(ArchitectureError, match="read by no later node"):
        DAGCell(("sep_conv_3x3", "identity"), ((0, 1), (0, 2), (2, 3)))
    with pytest.raises(ArchitectureError, match="forward"):
        DAGCell(("sep_conv_3x3",), ((0, 1), (1, 2), (2, 2)))
    space = OpenDomainSpace(max_nodes=4)
    with pytest.raises(ArchitectureError, match="3..4 nodes"):
        space.validate(DAGCell(("identity",) * 3, ((0, 1), (1, 2), (2, 3), (3, 4))))
    with pytest.raises(ArchitectureError, match="unknown ops"):
        space.validate(DAGCell(("conv_7x7",), ((0, 1), (1, 2))))
    with pytest.raises(ConfigError, match="nag-space-max-nodes"):
        OpenDomainSpace(max_nodes=2)


def test_isomorphic_cells_and_identity_nodes_share_keys() -> None:
    a = DAGCell(("sep_conv_3x3", "max_pool_3x3"), ((0, 1), (0, 2), (1, 3), (2, 3)))
    b = DAGCell(("max_pool_3x3", "sep_conv_3x3"), ((0, 1), (0, 2), (1, 3), (2, 3)))
    assert a.key == b.key
    # An identity node between the input and a convolution computes the same as the direct edge.
    direct = DAGCell(("sep_conv_5x5",), ((0, 1), (1, 2)))
    through_identity = DAGCell(("identity", "sep_conv_5x5"), ((0, 1), (1, 2), (2, 3)))
    assert direct.key == through_identity.key
    assert direct.key != DAGCell(("sep_conv_3x3",), ((0, 1), (1, 2))).key
    # Two inputs into the output are not one: the sum doubles the path.
    assert DAGCell(("sep_conv_5x5",), ((0, 1), (0, 2), (1, 2))).key != direct.key


def test_sampled_and_mutated_cells_are_members_that_round_trip() -> None:
    space = OpenDomainSpace(max_nodes=7)
    rng = np.random.default_rng(0)
    arch = space.sample(rng)
    sizes = set()
    for _ in range(300):
        arch = space.mutate(arch, rng) if rng.random() < 0.8 else space.sample(rng)
        space.validate(arch)
        sizes.add(arch.num_nodes)
        assert space.decode(arch.to_dict()) == arch
        assert space.from_graph(space.to_graph(arch)) == arch
    assert sizes == set(range(3, 8))
    with pytest.raises(ArchitectureError):
        space.from_graph(CellGraph(("input", "identity", "output"), ((0, 1, 0), (0, 0, 0), (0, 0, 0))))


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 40), (3, 32, 32)])
def test_networks_take_images_and_signals(shape: tuple[int, ...]) -> None:
    space = OpenDomainSpace(channels=4, cells=1, stacks=3)
    cell = DAGCell(OPS, ((0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6)))
    net = space.build(cell, shape, 10)
    assert net(torch.randn(2, *shape)).shape == (2, 10)
    assert space.build(cell, shape, 2)(torch.randn(2, *shape)).shape == (2, 1)


def test_a_node_applies_its_op_to_the_sum_of_its_inputs() -> None:
    from nas_nag.network import DAGCellModule

    cell = DAGCell(("identity", "max_pool_3x3"), ((0, 1), (0, 2), (1, 2), (1, 3), (2, 3)))
    module = DAGCellModule(cell, 2)
    x = torch.randn(1, 2, 5, 5)
    pooled = torch.nn.functional.max_pool2d(x + x, 3, 1, 1)
    assert torch.allclose(module(x), x + pooled)
