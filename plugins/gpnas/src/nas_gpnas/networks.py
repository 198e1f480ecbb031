"""Torch modules of the generalized-operator space: operators, their initializations, the network."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from nas_core import NB201CellModule, NB201Network, NB201_EDGES, ResidualReduction

from nas_gpnas.generalized import NONE, POOL, SKIP, GeneralizedOp

ACTIVATIONS: dict[str, type[nn.Module]] = {"selu": nn.SELU, "relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh}
# torch's recommended gains (calculate_gain); ELU has none there and is ReLU-like on its active side.
_GAIN_OF = {"selu": "selu", "relu": "relu", "elu": "relu", "tanh": "tanh"}


@torch.no_grad()
def initialize(weight: torch.Tensor, scheme: str, activation: str) -> None:
    """Fill ``weight`` by ``scheme`` with variance gain(activation)^2 / fan_in."""
    fan_in = weight[0].numel()
    std = nn.init.calculate_gain(_GAIN_OF[activation]) / math.sqrt(fan_in)
    if scheme == "uniform":
        bound = math.sqrt(3.0) * std
        weight.uniform_(-bound, bound)
    elif scheme == "gauss":
        weight.normal_(0.0, std)
    elif scheme == "gauss2":  # the product of two independent standard normals, scaled
        weight.normal_(0.0, 1.0).mul_(torch.randn_like(weight)).mul_(std)
    else:
        raise ValueError(f"unknown initialization {scheme!r}")


def make_operator(op: GeneralizedOp, channels: int, skip_dropout: float) -> nn.Module:
    if op.operation == SKIP:
        return nn.Dropout(skip_dropout) if skip_dropout > 0 else nn.Identity()
    activation = ACTIVATIONS[op.activation]()
    if op.operation == POOL:
        return nn.Sequential(activation, nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False))
    kernel = 3 if op.operation == "nor_conv_3x3" else 1
    conv = nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False)
    initialize(conv.weight, op.initialization, op.activation)
    return nn.Sequential(activation, conv, nn.BatchNorm2d(channels))


class GeneralizedCellModule(NB201CellModule):
    """NB201's cell (node j = sum of op(node i) over present edges i -> j) with generalized operators."""

    def __init__(self, ops: Sequence[GeneralizedOp], channels: int, skip_dropout: float) -> None:
        super().__init__([NONE] * len(NB201_EDGES), channels)  # NB201's wiring; the operators are ours
        self.live = [(i, j) for (i, j), op in zip(NB201_EDGES, ops) if op.operation != NONE]
        self.edges = nn.ModuleList(make_operator(op, channels, skip_dropout) for op in ops if op.operation != NONE)


def build_generalized_network(
    ops: Sequence[GeneralizedOp],
    input_shape: tuple[int, ...],
    num_classes: int,
    channels: int,
    cells: int,
    skip_dropout: float = 0.0,
) -> nn.Sequential:
    """NB201's network (stem, stages, reductions, head) with every cell made of ``ops``.

    The skeleton is built by ``NB201Network`` with empty cells, which are then replaced by
    generalized ones of the width of their stage.
    """
    net = NB201Network((NONE,) * len(NB201_EDGES), input_shape, num_classes, channels, cells)
    width = channels
    for index, module in enumerate(net):
        if isinstance(module, ResidualReduction):
            width = module.conv_b[1].out_channels
        elif isinstance(module, NB201CellModule):
            net[index] = GeneralizedCellModule(ops, width, skip_dropout)
    return net
