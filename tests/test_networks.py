"""Built networks: NB201 networks are NB201's (params and FLOPs of the analytic table), MLPs the paper's."""

import random

import pytest
import torch

from nas_core.networks.nb201 import NB201Network
from nas_core.tables.loader import load_benchmark
from nas_core.spaces.mlp import MLPChain, MLPSpace
from nas_core.spaces.nb201 import NB201Space
from nas_core.testing import require_data_dir
from nas_core.training.measure import mflops, params_millions


def test_nb201_networks_match_the_published_params_and_flops() -> None:
    table = load_benchmark("nb201", "cifar10", require_data_dir())
    for cell in random.Random(0).sample(list(table.space.enumerate()), 25):
        published = table.query(cell).metrics
        net = NB201Network(cell.ops, (3, 32, 32), 10)
        assert params_millions(net) == pytest.approx(published["params"], abs=1e-6)
        assert mflops(net, (3, 32, 32), torch.device("cpu")) == pytest.approx(published["flops"], abs=1e-3)


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 40), (3, 32, 32)])
def test_nb201_networks_take_images_and_signals(shape: tuple[int, ...]) -> None:
    space = NB201Space(channels=8, cells=1)
    net = space.build(space.sample(__import__("numpy").random.default_rng(0)), shape, 10)
    assert net(torch.randn(2, *shape)).shape == (2, 10)


def test_mlps_follow_the_chain_and_the_task() -> None:
    space = MLPSpace()
    net = space.build(MLPChain(("64-relu", "dropout", "8-tanh")), (1, 8, 8), 10)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Flatten", "Linear", "ReLU", "Dropout", "Linear", "Tanh", "Linear"]
    assert net[1].in_features == 64 and net[3].p == 0.2 and net[-1].out_features == 10
    binary = space.build(MLPChain(("16-elu",)), (30,), 2)
    assert binary[-1].out_features == 1  # one sigmoid unit for binary problems
