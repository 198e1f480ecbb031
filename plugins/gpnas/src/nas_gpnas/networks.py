"""Torch modules of the generalized-operator space: operators, their initializations, the network."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

from nas_core import NB201CellModule, NB201Network, NB201_EDGES, ResidualReduction

from nas_gpnas.generalized import NONE, POOL, SKIP, GeneralizedOp

ACTIVATIONS: dict[str, type[nn.Module]] = {"selu": nn.SELU, "relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh}
# torch's recommended gains (calculate_gain); ELU has none there and is ReLU-like on its active side.
_GAIN_OF = {"selu": "selu", "relu": "relu", "elu": "relu", "tanh": "tanh"}


@torch.no_grad()
def initialize(weight: torch.Tensor, scheme: str, activation: str | None) -> None:
    """Fill ``weight`` by ``scheme`` with variance gain(activation)^2 / fan_in; ``None``: the layer
    reads another convolution's linear output (gain 1)."""
    fan_in = weight[0].numel()
    gain = nn.init.calculate_gain(_GAIN_OF[activation]) if activation is not None else 1.0
    std = gain / math.sqrt(fan_in)
    if scheme == "uniform":
        bound = math.sqrt(3.0) * std
        weight.uniform_(-bound, bound)
    elif scheme == "gauss":
        weight.normal_(0.0, std)
    elif scheme == "gauss2":  # the product of two independent standard normals, scaled
        weight.normal_(0.0, 1.0).mul_(torch.randn_like(weight)).mul_(std)
    else:
        raise ValueError(f"unknown initialization {scheme!r}")


class _Conv(NamedTuple):
    kernel: tuple[int, int]  # (height, width)
    dilation: int = 1
    depthwise: bool = False


# The weighted operations, each a chain of convolutions read after the edge's activation, then a BN.
# On a 1-D signal the network works on (C, 1, L) images (nas_core.NB201Network), so every kernel's
# rows but the middle one meet only zero padding: a 3x3 convolution is a 3-tap one along the signal,
# and a factorized 1xk-then-kx1 is a k-tap convolution along the signal followed by a channel mix
# (the kx1's middle tap), as the 2-D operation computes on an image of height one.
_CONVOLUTIONS: dict[str, tuple[_Conv, ...]] = {
    "nor_conv_1x1": (_Conv((1, 1)),),
    "nor_conv_3x3": (_Conv((3, 3)),),
    "conv_1x3_3x1": (_Conv((1, 3)), _Conv((3, 1))),
    "conv_1x7_7x1": (_Conv((1, 7)), _Conv((7, 1))),
    "dil_conv_3x3": (_Conv((3, 3), dilation=2),),
    **{f"sep_conv_{k}x{k}": (_Conv((k, k), depthwise=True), _Conv((1, 1))) for k in (3, 5, 7)},
}
# NASNet applies a depthwise-separable convolution twice: (activation -> depthwise -> pointwise -> BN) x 2.
_SEPARABLE_REPEATS = 2
_POOL_SIZES: dict[str, int] = {POOL: 3, "max_pool_3x3": 3, "max_pool_5x5": 5, "max_pool_7x7": 7}


def _convolution(spec: _Conv, channels: int, scheme: str, activation: str | None) -> nn.Conv2d:
    (height, width), dilation = spec.kernel, spec.dilation
    conv = nn.Conv2d(
        channels, channels, spec.kernel, padding=(dilation * (height // 2), dilation * (width // 2)),
        dilation=dilation, groups=channels if spec.depthwise else 1, bias=False,
    )  # fmt: skip
    initialize(conv.weight, scheme, activation)
    return conv


def _weighted(op: GeneralizedOp, channels: int) -> list[nn.Module]:
    """activation -> the operation's convolutions -> BN (twice for a separable one)."""
    repeats = _SEPARABLE_REPEATS if op.operation.startswith("sep_conv") else 1
    layers: list[nn.Module] = []
    for _ in range(repeats):
        layers.append(ACTIVATIONS[op.activation]())
        for position, spec in enumerate(_CONVOLUTIONS[op.operation]):  # the first reads the activation
            layers.append(_convolution(spec, channels, op.initialization, op.activation if position == 0 else None))
        layers.append(nn.BatchNorm2d(channels))
    return layers


def _pool(operation: str) -> nn.Module:
    size = _POOL_SIZES[operation]
    if operation == POOL:
        return nn.AvgPool2d(size, stride=1, padding=size // 2, count_include_pad=False)
    return nn.MaxPool2d(size, stride=1, padding=size // 2)


def make_operator(op: GeneralizedOp, channels: int, skip_dropout: float) -> nn.Module:
    if op.operation == SKIP:
        return nn.Dropout(skip_dropout) if skip_dropout > 0 else nn.Identity()
    if op.operation in _POOL_SIZES:
        return nn.Sequential(ACTIVATIONS[op.activation](), _pool(op.operation))
    return nn.Sequential(*_weighted(op, channels))


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
