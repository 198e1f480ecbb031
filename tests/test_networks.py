"""Built networks: NB201 networks are NB201's (params and FLOPs of the analytic table), MLPs the paper's."""

import csv
import random
from pathlib import Path

import pytest
import torch

from nas_core.networks.nb201 import NB201Network
from nas_core.spaces.mlp import MLPChain, MLPSpace
from nas_core.spaces.nb201 import NB201Cell, NB201Space
from nas_core.testing import require_data_dir
from nas_core.training.measure import mflops, params_millions


def test_nb201_networks_match_the_published_params_and_flops() -> None:
    table = Path(require_data_dir()) / "nb201" / "nb201_cost_analytic.csv"
    rows = list(csv.DictReader(table.open()))
    for row in random.Random(0).sample(rows, 25):
        net = NB201Network(NB201Cell.from_str(row["arch_str"]).ops, (3, 32, 32), 10)
        assert params_millions(net) == pytest.approx(float(row["params_MB_cifar10"]), abs=1e-6)
        assert mflops(net, (3, 32, 32), torch.device("cpu")) == pytest.approx(float(row["flops_M_cifar10"]), abs=1e-3)


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
