"""The MLP chain space of the MLPNAS paper (section 5.1 of ``002_e061d617249b04ed``).

An architecture is a sequence of hidden layers, each a token of the controller's vocabulary:
``"<width>-<activation>"`` for a dense layer or ``"dropout"`` for a dropout layer with the space's
fixed rate. The output layer is not part of the architecture: it follows from the task (one sigmoid
unit for binary problems, a softmax over the classes otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core.architecture import Architecture
from nas_core.errors import ArchitectureError, ConfigError
from nas_core.spaces.base import SearchSpace

if TYPE_CHECKING:
    import torch

DROPOUT = "dropout"
WIDTHS: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512)
ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "elu")


@dataclass(frozen=True)
class MLPChain:
    """Hidden layers in order, e.g. ``("128-relu", "dropout", "64-tanh")``."""

    layers: tuple[str, ...]
    kind: ClassVar[str] = "mlp"

    @property
    def key(self) -> str:
        return "mlp:" + "/".join(self.layers)

    @property
    def dense_layers(self) -> list[tuple[int, str]]:
        return [parse_dense(t) for t in self.layers if t != DROPOUT]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "layers": list(self.layers)}

    def __str__(self) -> str:
        return " > ".join(self.layers)


def parse_dense(token: str) -> tuple[int, str]:
    width, sep, activation = token.partition("-")
    if not sep or not width.isdigit():
        raise ArchitectureError(f"malformed MLP layer {token!r} (expected '<width>-<activation>' or 'dropout')")
    return int(width), activation


class MLPSpace(SearchSpace):
    """Chains of 1..``max_layers`` dense layers, each optionally followed by one dropout layer."""

    name = "mlp"

    def __init__(
        self,
        widths: Sequence[int] = WIDTHS,
        activations: Sequence[str] = ACTIVATIONS,
        max_layers: int = 10,
        dropout_rate: float = 0.2,
    ) -> None:
        if max_layers < 1:
            raise ConfigError(f"max_layers must be >= 1, got {max_layers}")
        if not 0.0 <= dropout_rate < 1.0:
            raise ConfigError(f"dropout rate must be in [0, 1), got {dropout_rate}")
        self.widths = tuple(widths)
        self.activations = tuple(activations)
        self.max_layers = max_layers
        self.dropout_rate = dropout_rate
        self.vocabulary: tuple[str, ...] = tuple(
            f"{w}-{a}" for w in self.widths for a in self.activations
        ) + (DROPOUT,)

    def decode(self, data: Mapping[str, Any]) -> MLPChain:
        if data.get("kind") != MLPChain.kind or not isinstance(data.get("layers"), list):
            raise ArchitectureError(f"not an MLP architecture: {dict(data)!r}")
        arch = MLPChain(tuple(str(t) for t in data["layers"]))
        self.validate(arch)
        return arch

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, MLPChain):
            raise ArchitectureError(f"{self.name} expects an MLPChain, got {type(arch).__name__}")
        dense = 0
        previous = DROPOUT  # a chain may not start with dropout
        for token in arch.layers:
            if token == DROPOUT:
                if previous == DROPOUT:
                    raise ArchitectureError(f"dropout must follow a dense layer: {arch}")
            else:
                width, activation = parse_dense(token)
                if width not in self.widths or activation not in self.activations:
                    raise ArchitectureError(f"layer {token!r} is not in the space's vocabulary")
                dense += 1
            previous = token
        if not 1 <= dense <= self.max_layers:
            raise ArchitectureError(f"an MLP needs 1..{self.max_layers} dense layers, got {dense}")

    @property
    def size(self) -> int:
        per_layer = len(self.widths) * len(self.activations) * 2  # with or without dropout after
        return sum(per_layer**n for n in range(1, self.max_layers + 1))

    def _layer(self, rng: np.random.Generator) -> list[str]:
        token = f"{self.widths[rng.integers(len(self.widths))]}-{self.activations[rng.integers(len(self.activations))]}"
        return [token, DROPOUT] if rng.random() < 0.5 else [token]

    def sample(self, rng: np.random.Generator) -> MLPChain:
        depth = int(rng.integers(1, self.max_layers + 1))
        return MLPChain(tuple(t for _ in range(depth) for t in self._layer(rng)))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> MLPChain:
        """Insert, remove or replace one dense layer (with its dropout), or toggle one dropout."""
        assert isinstance(arch, MLPChain)
        blocks = _blocks(arch.layers)
        moves = ["replace", "toggle_dropout"]
        if len(blocks) < self.max_layers:
            moves.append("insert")
        if len(blocks) > 1:
            moves.append("remove")
        while True:
            move = moves[int(rng.integers(len(moves)))]
            at = int(rng.integers(len(blocks)))
            new = [list(b) for b in blocks]
            if move == "insert":
                new.insert(int(rng.integers(len(blocks) + 1)), self._layer(rng))
            elif move == "remove":
                del new[at]
            elif move == "replace":
                new[at] = self._layer(rng)
            else:
                new[at] = new[at][:1] if len(new[at]) == 2 else new[at] + [DROPOUT]
            child = MLPChain(tuple(t for b in new for t in b))
            if child != arch:
                return child


    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_core.networks.mlp import build_mlp

        assert isinstance(arch, MLPChain)
        layers = [self.dropout_rate if t == DROPOUT else parse_dense(t) for t in arch.layers]
        return build_mlp(layers, input_shape, num_classes)


def _blocks(layers: Sequence[str]) -> list[list[str]]:
    """Group a chain into [dense] or [dense, dropout] blocks."""
    blocks: list[list[str]] = []
    for token in layers:
        if token == DROPOUT:
            blocks[-1].append(token)
        else:
            blocks.append([token])
    return blocks
