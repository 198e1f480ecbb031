"""NAS-Bench-201-style cell networks (Dong & Yang, 2020), for images and 1-D signals.

stem (3x3 conv + BN) -> N cells -> residual reduction -> N cells -> residual reduction -> N cells
-> BN + ReLU -> global average pooling -> linear. Channels double at each reduction. Inputs of
shape (C, L) are treated as (C, 1, L) images; a reduction halves only the dimensions that are
larger than one, so 8x8 digits, 40-sample signals and 32x32 CIFAR images all fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nas_core.networks.common import output_units
from nas_core.spaces.nb201 import EDGES, NUM_NODES

Stride = tuple[int, int]


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, kernel: int, stride: Stride = (1, 1)) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(c_out),
        )


def make_op(op: str, channels: int) -> nn.Module:
    if op == "skip_connect":
        return nn.Identity()
    if op == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1)
    if op == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3)
    if op == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"no module for NB201 op {op!r}")


class Cell(nn.Module):
    """Node j = sum over edges i -> j of op(node i); ``none`` edges are left out (they add zero)."""

    def __init__(self, ops: Sequence[str], channels: int) -> None:
        super().__init__()
        self.live = [(i, j) for (i, j), op in zip(EDGES, ops) if op != "none"]
        self.edges = nn.ModuleList([make_op(op, channels) for op in ops if op != "none"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for node in range(1, NUM_NODES):
            terms = [op(nodes[i]) for op, (i, j) in zip(self.edges, self.live) if j == node]
            nodes.append(torch.stack(terms).sum(0) if terms else torch.zeros_like(x))
        return nodes[-1]


class ResidualReduction(nn.Module):
    """NB201's ResNet basic block with stride 2 between stages."""

    def __init__(self, c_in: int, c_out: int, stride: Stride) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride)
        self.conv_b = ReLUConvBN(c_out, c_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(stride, stride), nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)


class NB201Network(nn.Sequential):
    def __init__(
        self, ops: Sequence[str], input_shape: tuple[int, ...], num_classes: int, channels: int = 16, cells: int = 5
    ) -> None:
        if len(input_shape) == 2:
            height, width = 1, input_shape[1]
        elif len(input_shape) == 3:
            height, width = input_shape[1], input_shape[2]
        else:
            raise ValueError(f"NB201 networks take (C, L) or (C, H, W) inputs, got {input_shape}")
        layers: list[nn.Module] = [nn.Unflatten(1, (input_shape[0], 1))] if len(input_shape) == 2 else []
        layers += [nn.Conv2d(input_shape[0], channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)]
        c = channels
        for stage in range(3):
            if stage > 0:
                stride = (2 if height > 1 else 1, 2 if width > 1 else 1)
                layers.append(ResidualReduction(c, 2 * c, stride))
                height, width, c = -(-height // stride[0]), -(-width // stride[1]), 2 * c
            layers += [Cell(ops, c) for _ in range(cells)]
        layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, output_units(num_classes))]
        super().__init__(*layers)
