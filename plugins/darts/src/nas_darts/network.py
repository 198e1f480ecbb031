"""The DARTS network skeleton and the network of a derived DARTS architecture.

stem (3x3 conv to 3C channels + BN) -> ``layers`` cells, reduction cells at 1/3 and 2/3 of the
depth (channels double there) -> global average pooling -> linear. Every cell reads the outputs
of the two cells before it, each first brought to C channels (a 1x1 ReLU-conv-BN, or a factorized
reduction when the cell before last had a higher resolution). The supernet and the derived
network share this plan (:func:`plan_cells`) and the input preprocessing (:class:`CellInputs`).

The derived network is DARTS' evaluation network without its training extras (auxiliary head,
drop-path): ``nas retrain`` trains it with the core's plain loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from nas_core import output_units

from nas_darts.genotype import INPUTS, STEPS, CellEdges, DartsGenotype
from nas_darts.ops import UNIT, FactorizedReduce, ReLUConvBN, Stride, darts_op, reduction_stride

STEM_MULTIPLIER = 3  # DARTS: the stem has 3C channels


@dataclass(frozen=True)
class CellPlan:
    """Where one cell sits: its input and own widths, and how it and its predecessor reduce."""

    c_prev_prev: int
    c_prev: int
    channels: int
    stride: Stride  # UNIT for normal cells
    prev_stride: Stride  # the stride of the cell before (UNIT unless it reduced)

    @property
    def reduction(self) -> bool:
        return self.stride != UNIT

    @property
    def output_channels(self) -> int:
        return STEPS * self.channels


def image_shape(input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """``(C, H, W)`` for images, ``(C, 1, L)`` for 1-D signals."""
    if len(input_shape) == 3:
        return input_shape[0], input_shape[1], input_shape[2]
    if len(input_shape) == 2:
        return input_shape[0], 1, input_shape[1]
    raise ValueError(f"DARTS networks take (C, L) or (C, H, W) inputs, got {input_shape}")


def plan_cells(input_shape: tuple[int, ...], channels: int, layers: int) -> list[CellPlan]:
    _, height, width = image_shape(input_shape)
    c_pp = c_p = STEM_MULTIPLIER * channels
    c = channels
    prev_stride = UNIT
    plans = []
    for layer in range(layers):
        stride = UNIT
        if layer in (layers // 3, 2 * layers // 3):
            c *= 2
            stride = reduction_stride(height, width)
            height, width = math.ceil(height / stride[0]), math.ceil(width / stride[1])
        plan = CellPlan(c_pp, c_p, c, stride, prev_stride)
        plans.append(plan)
        c_pp, c_p, prev_stride = c_p, plan.output_channels, stride
    return plans


def make_stem(input_shape: tuple[int, ...], channels: int) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Unflatten(1, (input_shape[0], 1))] if len(input_shape) == 2 else []
    layers += [nn.Conv2d(input_shape[0], STEM_MULTIPLIER * channels, 3, padding=1, bias=False)]
    layers += [nn.BatchNorm2d(STEM_MULTIPLIER * channels)]
    return nn.Sequential(*layers)


def make_head(channels: int, num_classes: int) -> nn.Sequential:
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, output_units(num_classes)))


class CellInputs(nn.Module):
    """Brings the two previous cells' outputs to the cell's width (and resolution)."""

    def __init__(self, plan: CellPlan, affine: bool) -> None:
        super().__init__()
        if plan.prev_stride != UNIT:
            self.pre0: nn.Module = FactorizedReduce(plan.c_prev_prev, plan.channels, plan.prev_stride, affine)
        else:
            self.pre0 = ReLUConvBN(plan.c_prev_prev, plan.channels, 1, affine=affine)
        self.pre1 = ReLUConvBN(plan.c_prev, plan.channels, 1, affine=affine)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> list[torch.Tensor]:
        return [self.pre0(s0), self.pre1(s1)]


def edge_stride(plan: CellPlan, source: int) -> Stride:
    """Edges out of the cell inputs stride in a reduction cell; edges between nodes never do."""
    return plan.stride if source < INPUTS else UNIT


class DerivedCell(nn.Module):
    def __init__(self, edges: CellEdges, plan: CellPlan) -> None:
        super().__init__()
        self.inputs = CellInputs(plan, affine=True)
        self.sources = [source for _, source in edges]
        self.ops = nn.ModuleList(
            [darts_op(op, plan.channels, edge_stride(plan, source), affine=True) for op, source in edges]
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = self.inputs(s0, s1)
        for node in range(STEPS):
            a, b = 2 * node, 2 * node + 1
            states.append(self.ops[a](states[self.sources[a]]) + self.ops[b](states[self.sources[b]]))
        return torch.cat(states[INPUTS:], dim=1)


class DartsNetwork(nn.Module):
    """The network of a derived DARTS architecture (plain torch; no dependency on nas to run)."""

    def __init__(
        self, genotype: DartsGenotype, input_shape: tuple[int, ...], num_classes: int, channels: int, layers: int
    ) -> None:
        super().__init__()
        plans = plan_cells(input_shape, channels, layers)
        self.stem = make_stem(input_shape, channels)
        self.cells = nn.ModuleList(
            [DerivedCell(genotype.reduce if plan.reduction else genotype.normal, plan) for plan in plans]
        )
        self.head = make_head(plans[-1].output_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.head(s1)


__all__ = ["CellInputs", "CellPlan", "DartsNetwork", "DerivedCell", "edge_stride", "make_head", "make_stem", "plan_cells"]
