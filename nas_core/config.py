"""What a run is (``RunSpec``, stored with the study) and what plugins see while configuring it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from nas_core.budget import Budget
from nas_core.datasets.files import absolute_path, is_data_file
from nas_core.constraints import Constraints
from nas_core.errors import ConfigError
from nas_core.options import option_name

if TYPE_CHECKING:
    from nas_core.tables.base import Benchmark
    from nas_core.datasets.base import Dataset
    from nas_core.spaces.base import SearchSpace

# Fields that define the experiment: a resumed run must agree on them. The budget may grow, and
# where the data lives, which device trains and how many workers run trials may change.
EXPERIMENT_FIELDS = ("plugins", "seed", "benchmark", "dataset", "space", "options", "constraints")
# What --device accepts, checked without torch (a table run never imports it); whether a CUDA
# device is there is checked where one is used (nas_core.training.device).
_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to start, repeat or resume a search; JSON round-trippable.

    ``constraints`` are ``--constraint`` texts (:mod:`nas_core.constraints`), kept in a canonical
    spelling (``hw_edgegpu_latency<=5``), each once, so that a resumed run compares them exactly.
    """

    plugins: tuple[str, ...]
    budget: Budget
    seed: int = 0
    benchmark: str | None = None
    dataset: str | None = None
    space: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    device: str = "auto"
    data_dir: str | None = None
    workers: int = 0  # > 0: a local Dask cluster of this many single-threaded worker processes
    scheduler: str | None = None  # the address of a running Dask scheduler
    dashboard: bool = False
    constraints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        canonical = Constraints.parse(self.constraints).texts
        object.__setattr__(self, "constraints", canonical)
        if not _DEVICE.fullmatch(self.device):
            raise ConfigError(f"unknown --device {self.device!r} (use auto, cpu, cuda or cuda:N)")
        if self.workers < 0:
            raise ConfigError(f"--workers must be positive, got {self.workers}")
        if self.workers and self.scheduler:
            raise ConfigError("give either --workers (a local cluster) or --scheduler (a running one), not both")

    @property
    def parallel(self) -> bool:
        return bool(self.workers or self.scheduler)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugins": list(self.plugins),
            "budget": self.budget.to_dict(),
            "seed": self.seed,
            "benchmark": self.benchmark,
            "dataset": self.dataset,
            "space": self.space,
            "options": dict(self.options),
            "device": self.device,
            "data_dir": self.data_dir,
            "workers": self.workers,
            "scheduler": self.scheduler,
            "dashboard": self.dashboard,
            "constraints": list(self.constraints),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        return cls(
            plugins=tuple(data["plugins"]),
            budget=Budget.from_dict(data["budget"]),
            seed=int(data.get("seed", 0)),
            benchmark=data.get("benchmark"),
            dataset=data.get("dataset"),
            space=data.get("space"),
            options=dict(data.get("options") or {}),
            device=data.get("device", "auto"),
            data_dir=data.get("data_dir"),
            workers=int(data.get("workers", 0)),
            scheduler=data.get("scheduler"),
            dashboard=bool(data.get("dashboard", False)),
            constraints=tuple(data.get("constraints") or ()),
        )

    def with_absolute_paths(self) -> RunSpec:
        """The data folder, a table file and a dataset file given by a path, made absolute: a
        stored run then reads the same files from whichever folder its study is opened in. A
        table named relative to the data folder (not found from here) stays relative to it."""
        data_dir = absolute_path(self.data_dir) if self.data_dir else None
        benchmark = self.benchmark
        if benchmark and Path(benchmark).suffix and Path(benchmark).expanduser().exists():
            benchmark = absolute_path(benchmark)
        dataset = self.dataset
        if dataset and not benchmark and is_data_file(dataset):
            dataset = absolute_path(dataset)
        return replace(self, data_dir=data_dir, benchmark=benchmark, dataset=dataset)

    def conflicts_with(self, other: RunSpec) -> list[str]:
        """Names of the experiment fields on which two specs disagree (paths compared absolute)."""
        mine, theirs = self.with_absolute_paths().to_dict(), other.with_absolute_paths().to_dict()
        return [name for name in EXPERIMENT_FIELDS if mine[name] != theirs[name]]


def stable_seed(*parts: object) -> int:
    """A seed from names and numbers that, unlike ``hash()``, is the same in every process."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Config:
    """The run as plugins see it in ``nas_configure``.

    ``space`` is what is searched; ``benchmark`` answers queries when the run is on a table;
    ``dataset`` is what candidates train on otherwise. ``plugin`` is the name of the plugin being
    configured; objects it registers are named after it (``evolution.RegularizedEvolution``), which
    is the key their saved state is stored under.
    """

    def __init__(
        self,
        spec: RunSpec,
        options: Mapping[str, Any],
        space: SearchSpace,
        benchmark: Benchmark | None,
        dataset: Dataset | None,
        register: Callable[[object, str, str], None],
    ) -> None:
        self.spec = spec
        self.space = space
        self.benchmark = benchmark
        self.dataset = dataset
        self.plugin = ""
        self._options = dict(options)
        self._register = register

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def device(self) -> str:
        return self.spec.device

    @property
    def data_dir(self) -> Path | None:
        return Path(self.spec.data_dir) if self.spec.data_dir else None

    @property
    def options(self) -> Mapping[str, Any]:
        """Every option's value (plugins' and the core's), by name."""
        return MappingProxyType(self._options)

    def option(self, name: str) -> Any:
        key = option_name(name)
        if key not in self._options:
            raise ConfigError(f"no option --{key.replace('_', '-')} was declared by the loaded plugins")
        return self._options[key]

    def rng(self, name: str) -> np.random.Generator:
        """A generator seeded by ``--seed`` and ``name``: independent streams per component."""
        return np.random.default_rng(stable_seed(self.spec.seed, name))

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register an object implementing hooks (and optionally state_dict/load_state_dict)."""
        suffix = name or type(plugin).__name__
        self._register(plugin, f"{self.plugin}.{suffix}" if self.plugin else suffix, self.plugin)
