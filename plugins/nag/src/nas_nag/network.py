"""Networks of the open-domain space (paper 3.1.1): a stem, then ``stacks`` times (``cells`` cells
followed by a reduction that halves the resolution with max-pooling and doubles the channels),
then global average pooling and a linear classifier.

The stem is one 3x3 convolution; the paper's stem has 128 channels, but here the stem produces
``channels`` (the width the cells start with) so that the search-phase network of section 4.1.2
(3 cells per stack, 20 channels) is the default. Inputs of shape (C, L) are treated as (C, 1, L)
images and a reduction halves only dimensions larger than one, as the core's NB201 networks do.
The same skeleton carries the one-shot supernet's shared cells (:mod:`nas_nag.supernet`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from nas_core import output_units
from nas_nag.opendomain import DAGCell


def batch_norm(channels: int, track: bool) -> nn.BatchNorm2d:
    """BatchNorm; ``track=False`` always normalises with batch statistics (the supernet's choice,
    since children that share weights would share wrong running statistics)."""
    return nn.BatchNorm2d(channels, track_running_stats=track)


class SepConv(nn.Sequential):
    """DARTS' separable convolution: (ReLU, depthwise k x k, pointwise 1x1, BN) twice."""

    def __init__(self, channels: int, kernel: int, track: bool = True) -> None:
        layers: list[nn.Module] = []
        for _ in range(2):
            layers += [
                nn.ReLU(inplace=False),
                nn.Conv2d(channels, channels, kernel, padding=kernel // 2, groups=channels, bias=False),
                nn.Conv2d(channels, channels, 1, bias=False),
                batch_norm(channels, track),
            ]
        super().__init__(*layers)


def make_op(op: str, channels: int, track: bool = True) -> nn.Module:
    if op == "identity":
        return nn.Identity()
    if op == "sep_conv_3x3":
        return SepConv(channels, 3, track)
    if op == "sep_conv_5x5":
        return SepConv(channels, 5, track)
    if op == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    if op == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"no module for op {op!r}")


class DAGCellModule(nn.Module):
    """One stand-alone cell: node v = op_v(sum of its inputs); the output sums its inputs."""

    def __init__(self, cell: DAGCell, channels: int) -> None:
        super().__init__()
        self.preds = cell.predecessors()
        self.ops = nn.ModuleList(make_op(op, channels) for op in cell.ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for v, op in enumerate(self.ops, start=1):
            nodes.append(op(sum_of(nodes, self.preds[v])))
        return sum_of(nodes, self.preds[-1])


def sum_of(nodes: list[torch.Tensor], indices: list[int]) -> torch.Tensor:
    total = nodes[indices[0]]
    for i in indices[1:]:
        total = total + nodes[i]
    return total


class Reduction(nn.Module):
    """Max-pooling by 2 (on dimensions larger than one), then ReLU, 1x1 convolution to ``c_out``, BN."""

    def __init__(self, c_in: int, c_out: int, stride: tuple[int, int], track: bool = True) -> None:
        super().__init__()
        self.pool = nn.MaxPool2d(stride, stride, ceil_mode=True)
        self.conv = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, 1, bias=False), batch_norm(c_out, track))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.pool(x))


class CellNetwork(nn.Module):
    """The macro skeleton; ``make_cell(channels)`` gives each cell, whose forward receives the
    feature map and whatever extra arguments the network's forward is given."""

    def __init__(
        self,
        make_cell: Callable[[int], nn.Module],
        input_shape: tuple[int, ...],
        num_classes: int,
        channels: int,
        cells: int,
        stacks: int,
        track: bool = True,
    ) -> None:
        super().__init__()
        if len(input_shape) == 2:
            height, width = 1, input_shape[1]
            self.unflatten: nn.Module = nn.Unflatten(1, (input_shape[0], 1))
        elif len(input_shape) == 3:
            height, width = input_shape[1], input_shape[2]
            self.unflatten = nn.Identity()
        else:
            raise ValueError(f"cell networks take (C, L) or (C, H, W) inputs, got {input_shape}")
        self.stem = nn.Sequential(nn.Conv2d(input_shape[0], channels, 3, padding=1, bias=False), batch_norm(channels, track))
        body: list[nn.Module] = []
        c = channels
        for _ in range(stacks):
            body += [make_cell(c) for _ in range(cells)]
            stride = (2 if height > 1 else 1, 2 if width > 1 else 1)
            body.append(Reduction(c, 2 * c, stride, track))
            height, width, c = -(-height // stride[0]), -(-width // stride[1]), 2 * c
        self.body = nn.ModuleList(body)
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, output_units(num_classes)))

    def forward(self, x: torch.Tensor, *cell_args: object) -> torch.Tensor:
        x = self.stem(self.unflatten(x))
        for layer in self.body:
            x = layer(x) if isinstance(layer, Reduction) else layer(x, *cell_args)
        return self.head(x)
