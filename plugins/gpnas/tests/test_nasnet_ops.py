"""The paper's operator set (III.A): NASNet's 13 operations x 3 initializations x 4 activations,
``--space nb201-gen13``: every operation on images and signals, the counts, the moves, a real run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nas_core import ArchitectureError
from nas_core.testing import PluginConformance, torch_on_one_thread  # noqa: F401 (an autouse fixture)

from nas_gpnas.decoupling import Decoupling
from nas_gpnas.generalized import (
    ACTIVATIONS, INITIALIZATIONS, NASNET_OPERATIONS, GeneralizedOp, GeneralizedSpace, NASNetOpsCell, NASNetOpsSpace,
    operator_labels,
)
from nas_gpnas.graphs import graph_vocabulary
from nas_gpnas.networks import make_operator

NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))
THIRTEEN = NASNET_OPERATIONS[1:]
POOLS = ("avg_pool_3x3", "max_pool_3x3", "max_pool_5x5", "max_pool_7x7")


def cell(*ops: str) -> NASNetOpsCell:
    return NASNetOpsCell(tuple(GeneralizedOp.parse(op) for op in ops))


class TestNASNetOpsSpaceWithEvolution(PluginConformance):
    """The core's contract for the space, searched by regularized evolution and trained on digits."""

    plugins = ("evolution", "gpnas-space")
    benchmark = None
    dataset = "digits"
    space = "nb201-gen13"
    budget = 3
    options = {"nb201_channels": 4, "nb201_cells": 1, "train_epochs": 1, "evolution_population": 2, "evolution_sample_size": 2}
    bad_options = {"evolution_population": 1}


def test_the_operations_are_nasnets_thirteen() -> None:
    assert len(THIRTEEN) == 13 and NASNET_OPERATIONS[0] == "none"
    assert {"skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"} < set(THIRTEEN)  # NB201's names kept


@pytest.mark.parametrize("shape", [(2, 4, 6, 6), (2, 4, 1, 12)], ids=["image", "signal"])
@pytest.mark.parametrize("operation", THIRTEEN)
def test_every_operation_keeps_the_shape_and_trains(operation: str, shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    module = make_operator(GeneralizedOp(operation, "elu", "gauss2"), channels=4, skip_dropout=0.0)
    x = torch.randn(*shape, requires_grad=True)
    y = module(x)
    assert y.shape == x.shape
    (y * torch.randn_like(y)).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in module.parameters())
    assert (sum(p.numel() for p in module.parameters()) == 0) == (operation in ("skip_connect", *POOLS))


def test_on_a_signal_a_factorized_convolution_is_a_k_tap_one_then_a_channel_mix() -> None:
    """On a (C, 1, L) signal the 7x1 factor meets zero padding but for its middle tap."""
    torch.manual_seed(0)
    module = make_operator(GeneralizedOp("conv_1x7_7x1", "tanh", "gauss"), channels=3, skip_dropout=0.0).eval()
    _, along, across, norm = module
    x = torch.randn(2, 3, 1, 20)
    mixed = F.conv2d(F.conv2d(torch.tanh(x), along.weight, padding=(0, 3)), across.weight[:, :, 3:4, :])
    assert torch.allclose(module(x), norm(mixed), atol=1e-6)


def test_a_separable_convolution_is_applied_twice() -> None:
    module = make_operator(GeneralizedOp("sep_conv_5x5", "relu", "uniform"), channels=4, skip_dropout=0.0)
    convolutions = [m for m in module if isinstance(m, torch.nn.Conv2d)]
    assert [(c.kernel_size, c.groups) for c in convolutions] == [((5, 5), 4), ((1, 1), 1)] * 2


def test_the_counts_of_the_product() -> None:
    space = NASNetOpsSpace(channels=4, cells=1)
    assert space.size == (14 * 4 * 3) ** 6  # none and 13 operations, 4 activations, 3 initializations
    # distinct operators: the identity once, a pool per activation, a convolution per activation and init
    assert len(operator_labels(NASNET_OPERATIONS)) == 1 + 4 * 4 + 8 * 4 * 3 == 113
    assert graph_vocabulary(space) == space.op_vocabulary and len(space.op_vocabulary) == 2 + 113
    # one edge from input to output alone: every distinct operator is a distinct function, none is zero
    rest = ["none/relu/gauss"] * 5
    keys = {cell(*rest[:3], f"{o}/{a}/{i}", *rest[3:]).key for o in NASNET_OPERATIONS for a in ACTIVATIONS for i in INITIALIZATIONS}
    assert len(keys) == 113 + 1


def test_choices_an_operation_ignores_leave_the_key_alone() -> None:
    assert cell(*["max_pool_7x7/tanh/uniform"] * 6).key == cell(*["max_pool_7x7/tanh/gauss2"] * 6).key
    assert cell(*["max_pool_7x7/tanh/uniform"] * 6).key != cell(*["max_pool_7x7/relu/uniform"] * 6).key
    assert cell(*["skip_connect/selu/gauss"] * 6).key == cell(*["skip_connect/tanh/uniform"] * 6).key
    assert cell(*["sep_conv_7x7/elu/gauss"] * 6).key != cell(*["sep_conv_7x7/elu/gauss2"] * 6).key


def test_moves_decisions_and_encodings_stay_in_the_space() -> None:
    space = NASNetOpsSpace(channels=4, cells=1)
    rng = np.random.default_rng(0)
    arch = space.sample(rng)
    assert space.from_decisions(space.to_decisions(arch)) == arch and space.decode(arch.to_dict()) == arch
    neighbours = space.neighbours(arch)
    assert len(set(neighbours)) == 6 * (13 + 3 + 2)
    for child in [*neighbours, *(space.mutate(arch, rng) for _ in range(50))]:
        space.validate(child)
        assert sum(a != b for a, b in zip(space.to_decisions(arch), space.to_decisions(child))) == 1
    seen = {op.operation for _ in range(100) for op in space.sample(rng).ops}
    assert seen == set(NASNET_OPERATIONS)
    # GPNAS's operator space D_op: the 13 operations of a present edge, its activation and init
    operators = Decoupling.of(space).operator_space()
    assert tuple(operators["edge_0_1"].choices) == THIRTEEN


def test_the_two_generalized_spaces_do_not_take_each_others_cells() -> None:
    ours, nb201 = NASNetOpsSpace(channels=4, cells=1), GeneralizedSpace(channels=4, cells=1)
    arch = cell(*["nor_conv_3x3/relu/gauss"] * 6)  # operations both spaces have
    with pytest.raises(ArchitectureError):
        nb201.decode(arch.to_dict())
    with pytest.raises(ArchitectureError):
        nb201.validate(arch)
    with pytest.raises(ArchitectureError, match="unknown operation 'max_pool_3x3' in a nb201-gen cell"):
        nb201.from_decisions(("max_pool_3x3", "relu", "gauss") * 6)
    assert arch.key != nb201.from_decisions(("nor_conv_3x3", "relu", "gauss") * 6).key
    assert ours.decode(arch.to_dict()) == arch


@pytest.mark.parametrize("input_shape", [(1, 8, 8), (1, 40)], ids=["digits", "signal"])
def test_a_network_of_all_thirteen_learns_a_batch(input_shape: tuple[int, ...]) -> None:
    space = NASNetOpsSpace(channels=4, cells=1)
    torch.manual_seed(0)
    losses = []
    for ops in (THIRTEEN[:6], THIRTEEN[6:12], THIRTEEN[12:] + THIRTEEN[:5]):
        net = space.build(cell(*(f"{o}/selu/gauss" for o in ops)), input_shape, 10)
        x, y = torch.randn(16, *input_shape), torch.randint(0, 10, (16,))
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
        for _ in range(10):
            optimizer.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert losses[-1] < losses[-10]


def nas_json(*args: str, cwd: Path) -> dict:
    done = subprocess.run([NAS, *args, "--json"], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gpnas_searches_the_space_and_its_answer_retrains(tmp_path: Path) -> None:
    shown = nas_json("search", "--plugin", "gpnas", "--space", "nb201-gen13", "--dataset", "digits",
                     "--nb201-channels", "4", "--nb201-cells", "1", "--train-epochs", "1", "--budget", "4",
                     "--gpnas-warmup", "6", "--gpnas-predictor-epochs", "10", "--seed", "1",
                     "--storage", "study.db", cwd=tmp_path)  # fmt: skip
    assert shown["status_counts"] == {"complete": 4} and shown["best"]["arch"]["kind"] == "nb201-gen13"
    retrained = nas_json("retrain", "study.db", "--epochs", "1", cwd=tmp_path)
    assert retrained["arch"] == shown["best"]["arch"] and retrained["params"] == shown["best"]["metrics"]["params"]
    assert 0.0 <= retrained["test_acc"] <= 100.0
