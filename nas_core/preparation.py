"""Turning a run's spec into its parts: loaded plugins, resolved options, the space, the table or
the data, and the run's own estimator.

A search (:mod:`nas_core.session`) and a Dask worker (:mod:`nas_core.parallel.worker`) prepare
the same spec the same way. Reading a stored study needs less: :func:`study_space` builds only
the searched space, from the plugins' code, without reading a benchmark's values or a dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nas_core.tables.base import Benchmark
from nas_core.tables.loader import benchmark_space, load_benchmark
from nas_core.config import RunSpec
from nas_core.constraints import Constraints
from nas_core.datasets.base import Dataset
from nas_core.datasets.files import is_data_file, load_data_file
from nas_core.datasets.provenance import DataFile, require_recorded_file
from nas_core.errors import ConfigError
from nas_core.estimators import TRAIN_METRICS, Estimator, core_estimator
from nas_core.options import OptionGroup
from nas_core.plugin_manager import PluginManager, installed_plugins
from nas_core.registry import DatasetRequest, Registry
from nas_core.spaces.base import SearchSpace


def load_plugins(plugins: Iterable[str]) -> tuple[PluginManager, Registry, OptionGroup]:
    """The named plugins (with their requirements and the core's essentials) loaded, with the
    datasets and spaces they register and the options they declare."""
    manager = PluginManager()
    manager.load(plugins)
    registry = Registry()
    manager.hooks.register(registry)
    group = OptionGroup()
    manager.hooks.addoption(group)
    return manager, registry, group


def collect_options(plugins: tuple[str, ...]) -> OptionGroup:
    """The options the named plugins (and the core's essentials) declare."""
    return load_plugins(plugins)[2]


@dataclass
class Prepared:
    """A spec turned into loaded plugins, resolved options and the things searched and trained on."""

    spec: RunSpec
    plugins: PluginManager
    registry: Registry
    options: dict[str, Any]
    space: SearchSpace
    benchmark: Benchmark | None
    dataset: Dataset | None

    @property
    def constraints(self) -> Constraints:
        return Constraints.parse(self.spec.constraints)

    def estimator(self) -> Estimator | None:
        """The run's own estimator (table lookup or training), decided here and nowhere else."""
        return core_estimator(
            self.space, self.benchmark, self.dataset, self.options, self.spec.seed, self.spec.device, self.constraints
        )

    def reported_metrics(self) -> tuple[tuple[str, ...], str] | None:
        """The metrics the run's own estimator reports, and what it is (for messages); None where
        they are not known before the search."""
        if self.benchmark is not None:
            names = self.benchmark.metric_names
            return None if names is None else (names, f"benchmark {self.spec.benchmark}")
        if self.dataset is not None:
            return TRAIN_METRICS, "training"
        return None


def _plugins_and_options(spec: RunSpec) -> tuple[PluginManager, Registry, dict[str, Any]]:
    manager, registry, group = load_plugins(spec.plugins)
    return manager, registry, group.resolve(spec.options)


def prepare(spec: RunSpec) -> Prepared:
    manager, registry, options = _plugins_and_options(spec)
    benchmark = dataset = None
    if spec.benchmark:
        benchmark = load_benchmark(spec.benchmark, spec.dataset, spec.data_dir)
        space = benchmark.space
        if spec.space and spec.space != space.name:
            raise ConfigError(
                f"--space {spec.space} does not match benchmark {spec.benchmark}, whose space is {space.name}"
            )
    elif spec.space:
        space = _space(registry, spec.space, options)
        if spec.dataset:
            dataset = _dataset(registry, spec.dataset, spec.data_dir, options)
    else:
        raise ConfigError("nothing to search: give --benchmark (a table), or --space with --dataset to train")
    return Prepared(spec, manager, registry, options, space, benchmark, dataset)


def prepare_checked(spec: RunSpec, recorded: DataFile | None, doing: str) -> Prepared:
    """:func:`prepare` for a study that recorded the data file it searched (``recorded``): a data
    file must hold that data still, wherever ``spec.dataset`` now points (``doing`` starts the error)."""
    if recorded is not None and spec.dataset == recorded.path:
        require_recorded_file(recorded.path, doing)
    prepared = prepare(spec)
    source = None if prepared.dataset is None else prepared.dataset.source
    if recorded is not None and source is not None:
        source.require_same_as(recorded, doing)
    return prepared


def _space(registry: Registry, name: str, options: dict[str, Any]) -> SearchSpace:
    """The registered space ``name``; one not registered by the loaded plugins but by an installed
    ``<name>-space`` plugin (the convention of darts-space, nasib-space) is named in the error."""
    if name not in registry.spaces and f"{name}-space" in installed_plugins():
        raise ConfigError(f"search space '{name}' comes with the plugin {name}-space: add --plugin {name}-space")
    return registry.space(name, options)


def _dataset(registry: Registry, name: str, data_dir: str | None, options: dict[str, Any]) -> Dataset:
    """A file's dataset (``--target`` names a CSV file's label column), or a registered one."""
    if is_data_file(name):
        return load_data_file(name, options["target"], options["split_seed"])
    if options["target"] is not None:
        raise ConfigError(f"--target names the label column of a CSV --dataset; {name} has its own labels")
    return registry.dataset(name, DatasetRequest(Path(data_dir) if data_dir else None, options["split_seed"]))


def study_space(spec: RunSpec) -> SearchSpace:
    """The space a stored run searched: what decoding, drawing and exporting its answers needs."""
    if spec.benchmark:
        return benchmark_space(spec.benchmark, spec.dataset, spec.data_dir)
    if not spec.space:
        raise ConfigError("the stored run names neither a benchmark nor a space")
    _, registry, options = _plugins_and_options(spec)
    return _space(registry, spec.space, options)
