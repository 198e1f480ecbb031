"""The macro network of the NASIB space: stem, residual kernel layers, factorized reductions, head.

The paper's CIFAR-10 network has 12 layers with 3 factorized reductions between them; a
reduction halves the map (a 2 x 2 max-pool branch and a 2 x 2 stride-2 convolution branch,
concatenated along the channels, which doubles them). Small inputs cannot halve three times:
:func:`reduction_plan` reduces at most 3 times and only while the smaller side stays at least 2
(digits' 8 x 8: two reductions, 8 -> 4 -> 2; mnist1d's length 40: three, 40 -> 20 -> 10 -> 5;
CIFAR's 32 x 32: the paper's three), spread evenly between the layers.

:class:`ChainBackbone` is the network around the layers; the fixed network computes one kernel
per layer, the supernet (:mod:`nas_nasib.supernet`) a mixed op of the candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nas_core import output_units

from nas_nasib.kernels import Kernel

MAX_REDUCTIONS = 3  # the paper's, between 12 layers
MIN_SIDE = 2  # a reduction may not leave a side below this


def reduction_plan(layers: int, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """After which layers (1-based) a factorized reduction follows: as many as the input's
    smaller side allows (at most 3, fewer than ``layers``), evenly spaced."""
    side = min(input_shape[1:])
    count = 0
    while count < min(MAX_REDUCTIONS, layers - 1) and side // 2 >= MIN_SIDE:
        side //= 2
        count += 1
    return tuple(round(layers * (r + 1) / (count + 1)) for r in range(count))


def _layers(dims: int) -> tuple[type[nn.Module], type[nn.Module], type[nn.Module], type[nn.Module], type[nn.Module]]:
    if dims == 2:
        return nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d
    return nn.Conv1d, nn.BatchNorm1d, nn.MaxPool1d, nn.AvgPool1d, nn.AdaptiveAvgPool1d


def _same_padding(size: int) -> tuple[int, int]:
    """(before, after) padding that keeps a stride-1 map's size; an even kernel pads more after."""
    return (size - 1) // 2, size // 2


def kernel_op(token: str, channels: int, dims: int) -> nn.Module:
    """The operation of one candidate, keeping channels and map size: ReLU-conv-BN (ENAS'
    order), ReLU-depthwise-pointwise-BN, or a stride-1 pooling."""
    kernel = Kernel.parse(token)
    conv, norm, max_pool, avg_pool, _ = _layers(dims)
    if kernel.kind in ("max", "avg"):
        if kernel.height % 2 == 0 or kernel.width % 2 == 0:
            raise ValueError(f"pooling needs an odd kernel to keep the map's size, got {token}")
        pool = max_pool if kernel.kind == "max" else avg_pool
        if dims == 2:
            return pool((kernel.height, kernel.width), stride=1, padding=(kernel.height // 2, kernel.width // 2))
        return pool(kernel.width, stride=1, padding=kernel.width // 2)
    if dims == 2:
        size: int | tuple[int, int] = (kernel.height, kernel.width)
        pad: nn.Module = nn.ZeroPad2d(_same_padding(kernel.width) + _same_padding(kernel.height))
    else:
        size, pad = kernel.width, nn.ConstantPad1d(_same_padding(kernel.width), 0.0)
    groups = channels if kernel.kind == "sep" else 1
    spatial = conv(channels, channels, size, groups=groups, bias=False)
    pointwise = [conv(channels, channels, 1, bias=False)] if kernel.kind == "sep" else []
    return nn.Sequential(nn.ReLU(), pad, spatial, *pointwise, norm(channels))


class FactorizedReduction(nn.Module):
    """Half the map, twice the channels: a 2 x 2 max-pool branch and a 2 x 2 stride-2 convolution
    branch, concatenated along the channels (the paper's section 4.1)."""

    def __init__(self, channels: int, dims: int) -> None:
        super().__init__()
        conv, norm, max_pool, _, _ = _layers(dims)
        self.pool = max_pool(2, stride=2)
        self.conv = conv(channels, channels, 2, stride=2, bias=False)
        self.norm = norm(2 * channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(torch.cat([self.pool(x), self.conv(torch.relu(x))], dim=1))


class ChainBackbone(nn.Module):
    """Stem, then per layer ``x + layer(x)`` with the reductions between, then the classifier.

    ``make_layer(index, channels)`` builds layer ``index``'s module; :meth:`run_layer` applies
    it (a subclass passes what its layers need)."""

    def __init__(
        self, layers: int, input_shape: tuple[int, ...], num_classes: int, channels: int, make_layer: Callable[[int, int], nn.Module]
    ) -> None:
        super().__init__()
        dims = len(input_shape) - 1
        conv, norm, _, _, global_pool = _layers(dims)
        self.stem = nn.Sequential(conv(input_shape[0], channels, 3, padding=1, bias=False), norm(channels))
        self.reduce_after = reduction_plan(layers, input_shape)
        self.layers = nn.ModuleList()
        self.reductions = nn.ModuleDict()
        width = channels
        for index in range(layers):
            self.layers.append(make_layer(index, width))
            if index + 1 in self.reduce_after:
                self.reductions[str(index + 1)] = FactorizedReduction(width, dims)
                width *= 2
        self.pool = global_pool(1)
        self.classifier = nn.Linear(width, output_units(num_classes))

    def run_layer(self, index: int, layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return layer(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for index, layer in enumerate(self.layers):
            x = x + self.run_layer(index, layer, x)
            reduction = self.reductions[str(index + 1)] if str(index + 1) in self.reductions else None
            if reduction is not None:
                x = reduction(x)
        return self.classifier(torch.relu(self.pool(x)).flatten(1))


class KernelChainNetwork(ChainBackbone):
    """The network of one architecture: one kernel per layer."""

    def __init__(self, kernels: Sequence[str], input_shape: tuple[int, ...], num_classes: int, channels: int) -> None:
        dims = len(input_shape) - 1
        super().__init__(len(kernels), input_shape, num_classes, channels, lambda i, width: kernel_op(kernels[i], width, dims))
        self.kernels = tuple(kernels)
