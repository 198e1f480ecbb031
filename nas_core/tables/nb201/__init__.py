"""NAS-Bench-201 over the published tables in ``<data-dir>/nb201/`` (see its README), or over the
compact copy of them that the ``nas-tables-nb201`` distribution ships (the default).

A query answers with the single-seed 200-epoch validation accuracy (NASLib's ``nb201_zen.zip``),
a realistic noisy signal, and charges 12 x the cell's per-epoch training time from the
NAS-Landscapes table, the NB201 paper's protocol (12000 s then buys about 110 queries). That
timing table exists for cifar10-valid only; its timings are used for all three datasets, as the
cells are the same and only the input resolution and head differ. Reports use the seed-averaged
validation and test accuracies, params and FLOPs of the analytic table, and HW-NAS-Bench
latencies and energies (``hw_*``; -1, "not measurable", is left out).
"""

from __future__ import annotations

from pathlib import Path

from nas_core.errors import ConfigError
from nas_core.spaces.nb201 import NB201Space
from nas_core.tables.base import TableBenchmark
from nas_core.tables.nb201.compact import compact_path, read_compact
from nas_core.tables.nb201.raw import EPOCHS_CHARGED, read_raw

__all__ = ["DATASETS", "EPOCHS_CHARGED", "canonical_dataset", "load_nb201"]

DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "imagenet16-120": "ImageNet16-120"}


def canonical_dataset(dataset: str | None) -> str:
    if dataset is None:
        raise ConfigError(f"nb201 needs --dataset ({', '.join(DATASETS.values())})")
    name = DATASETS.get(dataset.lower())
    if name is None:
        raise ConfigError(f"nb201 has no dataset '{dataset}' (choose from {', '.join(DATASETS.values())})")
    return name


def load_nb201(root: Path, dataset: str | None) -> TableBenchmark:
    """The benchmark from ``root``: the compact copy where ``root`` holds one, else the raw tables."""
    name = canonical_dataset(dataset)
    compact = compact_path(root, name)
    rows = read_compact(compact) if compact.is_file() else read_raw(root, name)
    return TableBenchmark(
        "nb201",
        name,
        NB201Space(),
        rows.cells,
        rows.columns,
        objective="valid_acc_1seed",
        cost="cost_seconds",
        info_columns={"nb201_index": [int(i) for i in rows.index]},
    )
