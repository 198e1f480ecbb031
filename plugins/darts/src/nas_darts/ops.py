"""The candidate operations of the two cell spaces, as ``torch.nn`` modules.

DARTS cell (Liu et al., 2019): ``none``, 3x3 max and average pooling, skip connection, 3x3 and 5x5
separable convolutions, 3x3 and 5x5 dilated convolutions. NB201 cell (Dong & Yang, 2020): ``none``,
skip connection, 1x1 and 3x3 ReLU-conv-BN, 3x3 average pooling.

Strides are per dimension, ``(sh, sw)``: 1-D signals run as ``(C, 1, L)`` images whose height is
never reduced, as in the core's NB201 networks. Supernets use ``affine=False`` batch norms (as in
both papers' search networks: the architecture weights, not BN scales, decide between ops);
networks built from a derived architecture use ``affine=True``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

Stride = tuple[int, int]
UNIT: Stride = (1, 1)


def reduction_stride(height: int, width: int) -> Stride:
    """Halve only the dimensions that are larger than one (8x8 images and 1x40 signals alike)."""
    return (2 if height > 1 else 1, 2 if width > 1 else 1)


class ReLUConvBN(nn.Sequential):
    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: Stride = UNIT, padding: int = 0, affine: bool = True
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """ReLU, depthwise (dilated) convolution, pointwise convolution, BN."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: Stride, padding: int, dilation: int, affine: bool
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride, padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class SepConv(nn.Sequential):
    """Two stacked depthwise-separable convolutions; only the first one strides (DARTS' SepConv)."""

    def __init__(self, channels: int, kernel: int, stride: Stride, affine: bool) -> None:
        padding = kernel // 2
        super().__init__(
            DilConv(channels, channels, kernel, stride, padding, 1, affine),
            DilConv(channels, channels, kernel, UNIT, padding, 1, affine),
        )


class FactorizedReduce(nn.Module):
    """Reduce resolution with two strided 1x1 convolutions, the second on the input shifted by one.

    DARTS' shortcut for strided skip connections and for inputs coming from before a reduction.
    The shift pads at the end, so odd sizes reduce to ``ceil(n / 2)`` like every other op.
    """

    def __init__(self, c_in: int, c_out: int, stride: Stride, affine: bool = True) -> None:
        super().__init__()
        self.stride = stride
        half = c_out // 2
        self.conv_1 = nn.Conv2d(c_in, half, 1, stride=stride, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - half, 1, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(x)
        sh, sw = (1 if s > 1 else 0 for s in self.stride)
        shifted = F.pad(x, (0, sw, 0, sh))[:, :, sh:, sw:]
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


class Zero(nn.Module):
    """The ``none`` op of a cell built from a derived architecture (supernets skip it instead)."""

    def __init__(self, stride: Stride = UNIT) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, :: self.stride[0], :: self.stride[1]].mul(0.0)


def darts_op(name: str, channels: int, stride: Stride, affine: bool) -> nn.Module:
    """One DARTS-cell operation from ``channels`` to ``channels`` channels."""
    if name == "none":
        return Zero(stride)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == UNIT else FactorizedReduce(channels, channels, stride, affine)
    if name in ("sep_conv_3x3", "sep_conv_5x5"):
        return SepConv(channels, int(name[-1]), stride, affine)
    if name == "dil_conv_3x3":
        return DilConv(channels, channels, 3, stride, 2, 2, affine)
    if name == "dil_conv_5x5":
        return DilConv(channels, channels, 5, stride, 4, 2, affine)
    raise ValueError(f"no module for DARTS op {name!r}")


def nb201_op(name: str, channels: int, affine: bool) -> nn.Module:
    """One NB201-cell operation (NB201 cells never stride)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name in ("nor_conv_1x1", "nor_conv_3x3"):
        kernel = int(name[-1])
        return ReLUConvBN(channels, channels, kernel, UNIT, kernel // 2, affine)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"no module for NB201 op {name!r}")
