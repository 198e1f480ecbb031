"""The macro superkernel space as a nas search space (``--space nasib``).

An architecture is a chain of L layers, one kernel each (a token of :mod:`nas_nasib.kernels`).
The network around the chain is fixed by the space, not searched: a stem convolution, every layer
residual (``x + op(x)``, the paper's ResNet backbone), factorized reductions between layers (how
many and where follows from the input's size, see :func:`nas_nasib.network.reduction_plan`),
global average pooling and a linear classifier.

Besides what NASIB needs (decoding, building), the space samples, mutates, lists neighbours,
offers one categorical decision per layer and a chain graph, so every strategy (random search,
evolution, GPNAS, BOHB, ...) can search it and ``nas draw`` can draw its answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core import (
    CELL_INPUT, CELL_OUTPUT, Architecture, ArchitectureError, CellGraph, ConfigError, Decision, SearchSpace,
    check_decisions,
)

from nas_nasib.kernels import narrow, superkernel

if TYPE_CHECKING:
    import torch

DIMS = (1, 2)


@dataclass(frozen=True)
class KernelChain:
    """The kernel of every layer, input side first, e.g. ``("conv3x3", "sep1x7", "conv2x4")``."""

    layers: tuple[str, ...]
    kind: ClassVar[str] = "nasib"

    @property
    def key(self) -> str:
        return "nasib:" + "/".join(self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "layers": list(self.layers)}

    def __str__(self) -> str:
        return " > ".join(self.layers)


class NasibSpace(SearchSpace):
    """Chains of ``layers`` kernels from a superkernel of size ``m`` (separable above ``k`` weights
    per channel), or from the narrow set; ``dims``: 2 for images (C, H, W), 1 for sequences (C, L)."""

    name = "nasib"

    def __init__(self, layers: int = 6, m: int = 5, k: int = 9, narrow_set: bool = False, dims: int = 2, channels: int = 16) -> None:
        if layers < 1:
            raise ConfigError(f"--nasib-layers must be at least 1, got {layers}")
        if m < 1:
            raise ConfigError(f"--nasib-m must be at least 1, got {m}")
        if k < 1:
            raise ConfigError(f"--nasib-k must be at least 1, got {k}")
        if dims not in DIMS:
            raise ConfigError(f"--nasib-dims must be 1 (sequences) or 2 (images), got {dims}")
        if channels < 1:
            raise ConfigError(f"--nasib-channels must be at least 1, got {channels}")
        self.layers = layers
        self.m = m
        self.k = k
        self.narrow = narrow_set
        self.dims = dims
        self.channels = channels
        self.candidates: tuple[str, ...] = narrow(dims) if narrow_set else superkernel(m, k, dims)

    def describe(self) -> str:
        kernels = "the narrow (ENAS) set" if self.narrow else f"superkernel m={self.m}, separable above {self.k}"
        return f"{self.layers} layers x {len(self.candidates)} candidates ({kernels}, {self.dims}-D)"

    def decode(self, data: Mapping[str, Any]) -> KernelChain:
        if data.get("kind") != KernelChain.kind or not isinstance(data.get("layers"), list):
            raise ArchitectureError(f"not a NASIB architecture: {dict(data)!r}")
        arch = KernelChain(tuple(str(t) for t in data["layers"]))
        self.validate(arch)
        return arch

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, KernelChain):
            raise ArchitectureError(f"{self.name} expects a KernelChain, got {type(arch).__name__}")
        if len(arch.layers) != self.layers:
            raise ArchitectureError(f"{self.name} has {self.layers} layers, the architecture {len(arch.layers)}: {arch}")
        for token in arch.layers:
            if token not in self.candidates:
                raise ArchitectureError(f"{token!r} is not a candidate of this space ({self.describe()})")

    @property
    def size(self) -> int:
        return len(self.candidates) ** self.layers

    def sample(self, rng: np.random.Generator) -> KernelChain:
        return KernelChain(tuple(self.candidates[int(i)] for i in rng.integers(len(self.candidates), size=self.layers)))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> KernelChain:
        """Another kernel in one layer."""
        assert isinstance(arch, KernelChain)
        at = int(rng.integers(self.layers))
        others = [c for c in self.candidates if c != arch.layers[at]]
        if not others:
            raise ArchitectureError(f"a space of one candidate ({self.describe()}) has no mutation")
        return self._with(arch, at, others[int(rng.integers(len(others)))])

    def neighbours(self, arch: Architecture) -> list[KernelChain]:
        assert isinstance(arch, KernelChain)
        return [self._with(arch, at, c) for at in range(self.layers) for c in self.candidates if c != arch.layers[at]]

    def decisions(self) -> tuple[Decision, ...]:
        return tuple(Decision(f"layer{i}", self.candidates) for i in range(self.layers))

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        assert isinstance(arch, KernelChain)
        return arch.layers

    def from_decisions(self, values: Sequence[str]) -> KernelChain:
        return KernelChain(check_decisions(self, values))

    def to_graph(self, arch: Architecture) -> CellGraph:
        """The chain input -> layer 1 -> ... -> layer L -> output (reductions are not searched)."""
        assert isinstance(arch, KernelChain)
        ops = (CELL_INPUT, *arch.layers, CELL_OUTPUT)
        n = len(ops)
        return CellGraph(ops, tuple(tuple(int(j == i + 1) for j in range(n)) for i in range(n)))

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_nasib.network import KernelChainNetwork

        self.validate(arch)
        assert isinstance(arch, KernelChain)
        self.require_shape(input_shape)
        return KernelChainNetwork(arch.layers, input_shape, num_classes, self.channels)

    def require_shape(self, input_shape: tuple[int, ...]) -> None:
        """ConfigError unless inputs of ``input_shape`` are what this space's kernels run on."""
        if len(input_shape) != self.dims + 1:
            have = {2: "1-D (channels, length)", 3: "2-D (channels, height, width)"}.get(len(input_shape), f"of shape {input_shape}")
            flag = {2: 1, 3: 2}.get(len(input_shape))
            hint = f": give --nasib-dims {flag}" if flag else ""
            raise ConfigError(f"the nasib space is {self.dims}-D (--nasib-dims {self.dims}) but the inputs are {have}{hint}")

    def _with(self, arch: KernelChain, at: int, token: str) -> KernelChain:
        layers = list(arch.layers)
        layers[at] = token
        return KernelChain(tuple(layers))
