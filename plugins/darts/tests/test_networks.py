"""Supernets and derived networks on 8x8 images and 1-D signals."""

from __future__ import annotations

import pytest
import torch

from nas_core import NB201Cell, NB201Space

from nas_darts.genotype import DartsGenotype
from nas_darts.ops import FactorizedReduce
from nas_darts.space import DartsCellSpace
from nas_darts.supernet import DartsSupernet, NB201Supernet, build_supernet

@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 40)])
def test_supernets_and_derived_networks_run_on_images_and_signals(shape) -> None:
    torch.manual_seed(0)
    x = torch.randn(4, *shape)
    for space in (NB201Space(channels=4, cells=1), DartsCellSpace(channels=4, layers=3)):
        supernet = build_supernet(space, shape, 10)
        assert supernet(x).shape == (4, 10)
        arch = supernet.derive()
        space.validate(arch)
        network = space.build(arch, shape, 10)
        assert network(x).shape == (4, 10)


def test_darts_networks_take_odd_sizes() -> None:
    space = DartsCellSpace(channels=4, layers=3)
    supernet = build_supernet(space, (3, 5, 7), 10)
    x = torch.randn(2, 3, 5, 7)
    assert supernet(x).shape == space.build(supernet.derive(), (3, 5, 7), 10)(x).shape == (2, 10)


def test_weights_and_alphas_are_disjoint_and_complete() -> None:
    for supernet in (NB201Supernet((1, 8, 8), 10, 4, 1), DartsSupernet((1, 8, 8), 10, 4, 3)):
        weights, alphas = supernet.weights(), supernet.arch_parameters()
        assert len(weights) + len(alphas) == len(list(supernet.parameters()))
        assert {tuple(a.shape) for a in alphas} == ({(6, 5)} if isinstance(supernet, NB201Supernet) else {(14, 8)})


def test_binary_tasks_get_one_logit() -> None:
    assert NB201Supernet((1, 8, 8), 2, 4, 1)(torch.randn(3, 1, 8, 8)).shape == (3, 1)


def test_factorized_reduce_halves_odd_sizes_like_the_strided_ops() -> None:
    out = FactorizedReduce(4, 6, (2, 2))(torch.randn(2, 4, 7, 5))
    assert out.shape == (2, 6, 4, 3)


def test_nb201_derivation_lands_in_the_core_space() -> None:
    supernet = NB201Supernet((1, 8, 8), 10, 4, 1)
    assert isinstance(supernet.derive(), NB201Cell)
    assert isinstance(DartsSupernet((1, 8, 8), 10, 4, 3).derive(), DartsGenotype)
