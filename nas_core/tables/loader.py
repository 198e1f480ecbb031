"""``--benchmark NAME``: ``nb201``, or the path of your own table (.csv, .json, .jsonl, .toml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nas_core.tables.base import Benchmark
from nas_core.tables.files import data_dir
from nas_core.tables.nb201 import canonical_dataset, load_nb201
from nas_core.tables.table import SUFFIXES, load_table
from nas_core.errors import ConfigError, DataError
from nas_core.spaces.base import SearchSpace
from nas_core.spaces.nb201 import NB201Space


def load_benchmark(name: str, dataset: str | None, data_dir_option: str | None) -> Benchmark:
    """The named benchmark; tables are read once per process and shared between runs."""
    if name.lower() == "nb201":
        return _nb201(str(data_dir(data_dir_option).resolve()), canonical_dataset(dataset))
    path = Path(name).expanduser()
    if path.suffix in SUFFIXES:
        if not path.exists() and data_dir_option and (Path(data_dir_option) / path).exists():
            path = Path(data_dir_option) / path
        if not path.exists():
            raise DataError(f"no benchmark table at {path}")
        return _table(str(path.resolve()), dataset)
    raise ConfigError(f"unknown benchmark '{name}': use nb201, or the path of a table ({', '.join(SUFFIXES)})")


def benchmark_space(name: str, dataset: str | None, data_dir_option: str | None) -> SearchSpace:
    """The space a benchmark searches, without reading its values where the space is known
    (NB201's is fixed); a table of your own defines its space by its rows, so it is read."""
    if name.lower() == "nb201":
        return NB201Space()
    return load_benchmark(name, dataset, data_dir_option).space


@lru_cache(maxsize=8)
def _nb201(root: str, dataset: str) -> Benchmark:
    return load_nb201(Path(root), dataset)


@lru_cache(maxsize=8)
def _table(path: str, dataset: str | None) -> Benchmark:
    return load_table(Path(path), dataset)
