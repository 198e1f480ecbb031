"""What a client needs to know to take part, as JSON the server hands it through the store: the
model (a supernet to search, or a fixed architecture to train), the local schedule, its weight in
the aggregation. A client on another machine needs nothing else but its address and rank."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from nas_core import ConfigError, NB201Space, SearchSpace, stable_seed
from nas_darts import DartsCellSpace, SearchSettings


def space_to_dict(space: SearchSpace) -> dict[str, Any]:
    """The cell spaces whose models clients can build: NB201 and the DARTS cell space."""
    if isinstance(space, NB201Space):
        return {"name": "nb201", "channels": space.channels, "cells": space.cells}
    if isinstance(space, DartsCellSpace):
        return {"name": "darts", "channels": space.channels, "layers": space.layers}
    raise ConfigError(f"fednas searches cell spaces with a supernet (--space nb201 or darts), not '{space.name}'")


def space_from_dict(data: dict[str, Any]) -> SearchSpace:
    if data["name"] == "nb201":
        return NB201Space(channels=data["channels"], cells=data["cells"])
    return DartsCellSpace(channels=data["channels"], layers=data["layers"])


def client_seed(seed: int, rank: int) -> int:
    """The seed of client ``rank``'s batches (its model starts from the server's)."""
    return stable_seed(seed, "fednas", "client", rank)


@dataclass(frozen=True)
class ModelPlan:
    space: dict[str, Any]
    settings: dict[str, Any]  # SearchSettings' fields: the local search, or the fixed network's SGD
    arch: dict[str, Any] | None  # FedAvg's fixed architecture; None: search a supernet
    input_shape: tuple[int, ...]
    num_classes: int

    @property
    def search_settings(self) -> SearchSettings:
        return SearchSettings(**self.settings)

    @classmethod
    def of(cls, space: SearchSpace, settings: SearchSettings, arch: dict[str, Any] | None, input_shape: tuple[int, ...], num_classes: int) -> ModelPlan:
        fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(SearchSettings)}
        return cls(space_to_dict(space), fields, arch, tuple(input_shape), num_classes)


@dataclass(frozen=True)
class ClientPlan:
    model: ModelPlan
    weights: tuple[float, ...]  # N_k / N per client: its share of the training samples
    local_epochs: int
    seed: int
    timeout: float  # --fednas-timeout: seconds a round may take

    @property
    def clients(self) -> int:
        return len(self.weights)

    def to_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> ClientPlan:
        raw = json.loads(data)
        model = raw.pop("model")
        model["input_shape"] = tuple(model["input_shape"])
        return cls(ModelPlan(**model), weights=tuple(raw.pop("weights")), **raw)
