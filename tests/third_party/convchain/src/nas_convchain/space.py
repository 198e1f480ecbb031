"""Chains of 1-D convolutions over the flattened input.

An architecture is ``depth`` layers, each one of ``conv3`` or ``conv5`` (a 1-D convolution with
that kernel, ``channels`` channels and a ReLU) or ``pool`` (a max-pool of width 3 that keeps the
length). The network reads any input as a one-channel signal (8x8 digits become 64 samples),
applies the layers, averages over the length and ends in a linear layer. The space implements
``sample``, ``mutate``, the three decision methods and ``build``, so it offers those capabilities
(and ConfigSpace, which follows from the decisions) to every strategy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core import Architecture, ArchitectureError, Decision, SearchSpace

if TYPE_CHECKING:
    import torch

OPS: tuple[str, ...] = ("conv3", "conv5", "pool")


@dataclass(frozen=True)
class ConvChain:
    ops: tuple[str, ...]
    kind: ClassVar[str] = "convchain"

    @property
    def key(self) -> str:
        return "convchain:" + "-".join(self.ops)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ops": list(self.ops)}


class ConvChainSpace(SearchSpace):
    name = "convchain"

    def __init__(self, depth: int, channels: int) -> None:
        self.depth = depth
        self.channels = channels

    def decode(self, data: Mapping[str, Any]) -> ConvChain:
        if data.get("kind") != ConvChain.kind:
            raise ArchitectureError(f"not a convchain architecture: {dict(data)!r}")
        return self.from_decisions([str(op) for op in data.get("ops", ())])

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, ConvChain) or len(arch.ops) != self.depth or not set(arch.ops) <= set(OPS):
            raise ArchitectureError(f"not a chain of {self.depth} layers of {', '.join(OPS)}: {arch}")

    @property
    def size(self) -> int:
        return len(OPS) ** self.depth

    def sample(self, rng: np.random.Generator) -> ConvChain:
        return ConvChain(tuple(OPS[i] for i in rng.integers(len(OPS), size=self.depth)))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> ConvChain:
        """Another operation on one layer."""
        self.validate(arch)
        assert isinstance(arch, ConvChain)
        layer = int(rng.integers(self.depth))
        others = [op for op in OPS if op != arch.ops[layer]]
        return ConvChain(arch.ops[:layer] + (others[int(rng.integers(len(others)))],) + arch.ops[layer + 1 :])

    def decisions(self) -> tuple[Decision, ...]:
        return tuple(Decision(f"layer_{i}", OPS) for i in range(self.depth))

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        self.validate(arch)
        assert isinstance(arch, ConvChain)
        return arch.ops

    def from_decisions(self, values: Sequence[str]) -> ConvChain:
        arch = ConvChain(tuple(values))
        self.validate(arch)
        return arch

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        """One output for two classes (the core trains binary tasks with a logistic loss)."""
        from torch import nn

        self.validate(arch)
        assert isinstance(arch, ConvChain)
        layers: list[nn.Module] = [nn.Flatten(), nn.Unflatten(1, (1, math.prod(input_shape)))]
        width = 1
        for op in arch.ops:
            if op == "pool":
                layers.append(nn.MaxPool1d(3, stride=1, padding=1))
                continue
            kernel = int(op.removeprefix("conv"))
            layers += [nn.Conv1d(width, self.channels, kernel, padding=kernel // 2), nn.ReLU()]
            width = self.channels
        layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, 1 if num_classes == 2 else num_classes)]
        return nn.Sequential(*layers)
