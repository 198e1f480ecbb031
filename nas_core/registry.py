"""Named datasets and search spaces: the core's own, and those plugins add in ``nas_register``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nas_core.datasets.base import Dataset
from nas_core.errors import ConfigError, PluginError
from nas_core.spaces.base import SearchSpace


@dataclass(frozen=True)
class DatasetRequest:
    """What a dataset loader gets: where user-provided data lives, and the seed of the split."""

    data_dir: Path | None
    split_seed: int


DatasetLoader = Callable[[DatasetRequest], Dataset]
SpaceFactory = Callable[[Mapping[str, Any]], SearchSpace]


class Registry:
    def __init__(self) -> None:
        self._datasets: dict[str, tuple[DatasetLoader, str]] = {}
        self._spaces: dict[str, tuple[SpaceFactory, str]] = {}

    def add_dataset(self, name: str, loader: DatasetLoader, description: str = "") -> None:
        if name in self._datasets:
            raise PluginError(f"dataset '{name}' is registered twice")
        self._datasets[name] = (loader, description)

    def add_space(self, name: str, factory: SpaceFactory, description: str = "") -> None:
        if name in self._spaces:
            raise PluginError(f"search space '{name}' is registered twice")
        self._spaces[name] = (factory, description)

    @property
    def datasets(self) -> dict[str, str]:
        return {name: description for name, (_, description) in self._datasets.items()}

    @property
    def spaces(self) -> dict[str, str]:
        return {name: description for name, (_, description) in self._spaces.items()}

    def dataset(self, name: str, request: DatasetRequest) -> Dataset:
        entry = self._datasets.get(name) or self._datasets.get(name.lower())
        if entry is None:
            raise ConfigError(f"unknown dataset '{name}' (choose from {', '.join(sorted(self._datasets))})")
        return entry[0](request)

    def space(self, name: str, options: Mapping[str, Any]) -> SearchSpace:
        entry = self._spaces.get(name)
        if entry is None:
            raise ConfigError(f"unknown search space '{name}' (choose from {', '.join(sorted(self._spaces))})")
        return entry[0](options)
