"""The superkernel space: its candidate sets, the separable rule, its members and their networks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nas_core import ArchitectureError, ConfigError

from nas_nasib.kernels import Kernel, narrow, superkernel
from nas_nasib.network import FactorizedReduction, reduction_plan
from nas_nasib.space import KernelChain, NasibSpace


def test_the_superkernel_holds_every_i_by_j_kernel_and_separates_those_above_k() -> None:
    candidates = superkernel(5, 9, dims=2)
    kernels = [Kernel.parse(c) for c in candidates]
    assert len(candidates) == 25
    assert {(k.height, k.width) for k in kernels} == {(i, j) for i in range(1, 6) for j in range(1, 6)}
    assert all((k.kind == "sep") == (k.height * k.width > 9) for k in kernels)
    assert "conv3x3" in candidates and "conv1x5" in candidates and "sep2x5" in candidates and "sep5x5" in candidates
    assert superkernel(3, 4, dims=2).count("conv2x2") == 1 and "sep3x2" in superkernel(3, 4, dims=2)


def test_sequences_get_1_by_j_kernels_and_the_narrow_set_is_enas_six() -> None:
    assert superkernel(12, 9, dims=1) == tuple(f"conv1x{j}" for j in range(1, 10)) + ("sep1x10", "sep1x11", "sep1x12")
    assert narrow(2) == ("conv3x3", "conv5x5", "sep3x3", "sep5x5", "max3x3", "avg3x3")
    assert narrow(1) == ("conv1x3", "conv1x5", "sep1x3", "sep1x5", "max1x3", "avg1x3")


def test_members_decode_mutate_and_list_neighbours_within_the_space() -> None:
    space = NasibSpace(layers=3, m=3)
    rng = np.random.default_rng(0)
    arch = space.sample(rng)
    assert space.decode(arch.to_dict()) == arch and space.size == 9**3
    child = space.mutate(arch, rng)
    assert sum(a != b for a, b in zip(arch.layers, child.layers)) == 1
    assert len(space.neighbours(arch)) == 3 * 8
    assert space.from_decisions(space.to_decisions(arch)) == arch
    graph = space.to_graph(arch)
    assert graph.ops[1:-1] == arch.layers and graph.edges() == [(0, 1), (1, 2), (2, 3), (3, 4)]
    with pytest.raises(ArchitectureError, match="not a candidate"):
        space.validate(KernelChain(("conv3x3", "conv4x4", "conv1x1")))
    with pytest.raises(ArchitectureError, match="3 layers"):
        space.validate(KernelChain(("conv3x3",)))


def test_reductions_stop_before_the_map_vanishes() -> None:
    assert reduction_plan(12, (3, 32, 32)) == (3, 6, 9)  # the paper's CIFAR-10 network
    assert reduction_plan(6, (1, 8, 8)) == (2, 4)  # digits: 8 -> 4 -> 2
    assert len(reduction_plan(6, (1, 40))) == 3 and reduction_plan(1, (1, 40)) == ()
    reduce = FactorizedReduction(4, dims=2)
    assert reduce(torch.randn(2, 4, 8, 8)).shape == (2, 8, 4, 4)


@pytest.mark.parametrize(("dims", "shape"), [(2, (1, 8, 8)), (1, (1, 40))])
def test_every_candidate_builds_a_network_of_the_input(dims: int, shape: tuple[int, ...]) -> None:
    space = NasibSpace(layers=len(superkernel(4, 9, dims)), m=4, dims=dims, channels=4)
    net = space.build(KernelChain(space.candidates), shape, 10)
    assert net(torch.randn(3, *shape)).shape == (3, 10)


def test_a_space_of_the_wrong_dimensionality_is_one_line() -> None:
    space = NasibSpace(layers=2, m=3, dims=2)
    with pytest.raises(ConfigError, match="--nasib-dims 1"):
        space.build(space.sample(np.random.default_rng(0)), (1, 40), 10)
