"""NAS-Bench-201 over the published tables in ``<data-dir>/nb201/`` (see its README).

A query answers with the single-seed 200-epoch validation accuracy (NASLib's ``nb201_zen.zip``),
a realistic noisy signal, and charges 12 x the cell's per-epoch training time from the
NAS-Landscapes table, the NB201 paper's protocol (12000 s then buys about 110 queries). That
timing table exists for cifar10-valid only; its timings are used for all three datasets, as the
cells are the same and only the input resolution and head differ. Reports use the seed-averaged
validation and test accuracies, params and FLOPs of the analytic table, and HW-NAS-Bench
latencies and energies (``hw_*``; -1, "not measurable", is left out).
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import numpy as np

from nas_core.tables.base import TableBenchmark
from nas_core.tables.files import data_file
from nas_core.errors import ConfigError, DataError
from nas_core.spaces.nb201 import NB201Cell, NB201Space

DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "imagenet16-120": "ImageNet16-120"}
EPOCHS_CHARGED = 12
_HW_COLUMNS = (
    "edgegpu_latency", "edgegpu_energy", "raspi4_latency", "edgetpu_latency", "pixel3_latency",
    "eyeriss_latency", "eyeriss_energy", "fpga_latency", "fpga_energy",
)  # fmt: skip


def canonical_dataset(dataset: str | None) -> str:
    if dataset is None:
        raise ConfigError(f"nb201 needs --dataset ({', '.join(DATASETS.values())})")
    name = DATASETS.get(dataset.lower())
    if name is None:
        raise ConfigError(f"nb201 has no dataset '{dataset}' (choose from {', '.join(DATASETS.values())})")
    return name


def load_nb201(root: Path, dataset: str | None) -> TableBenchmark:
    name = canonical_dataset(dataset)
    folder = "nb201"
    accuracy = _read_csv(data_file(root, f"{folder}/nasbench201_{name}.csv"))
    cells = [NB201Cell.from_str(r["arch str"]) for r in accuracy]
    position = {cell: i for i, cell in enumerate(cells)}
    if len(position) != len(cells):
        raise DataError(f"nasbench201_{name}.csv lists an architecture twice")
    n = len(cells)

    def column(values: dict[NB201Cell, float], what: str) -> np.ndarray:
        out = np.full(n, np.nan)
        for cell, value in values.items():
            if cell in position:
                out[position[cell]] = value
        if np.isnan(out).all():
            raise DataError(f"no {what} matched the architectures of nasbench201_{name}.csv")
        return out

    columns = {
        "valid_acc": np.array([float(r["validation accuracy"]) for r in accuracy]),
        "test_acc": np.array([float(r["test accuracy"]) for r in accuracy]),
        "train_acc": np.array([float(r["train accuracy"]) for r in accuracy]),
        "valid_acc_1seed": column(_single_seed(data_file(root, f"{folder}/nb201_zen.zip"), name), "single-seed accuracy"),
    }
    landscapes = _read_csv(data_file(root, f"{folder}/nas_landscapes_cifar10_avg.csv"))
    columns["cost_seconds"] = column(
        {NB201Cell.from_str(r["arch_str"]): EPOCHS_CHARGED * float(r["train-per-time"]) for r in landscapes},
        "training time",
    )
    analytic = _read_csv(data_file(root, f"{folder}/nb201_cost_analytic.csv"))
    suffix = name.replace("-", "_")
    columns["params"] = column({NB201Cell.from_str(r["arch_str"]): float(r[f"params_MB_{suffix}"]) for r in analytic}, "params")
    columns["flops"] = column({NB201Cell.from_str(r["arch_str"]): float(r[f"flops_M_{suffix}"]) for r in analytic}, "flops")
    hardware = _read_csv(data_file(root, f"{folder}/hw_{name}.csv"))
    hw_cells = [NB201Cell.from_naslib_tuple(r["net"]) for r in hardware]
    for metric in _HW_COLUMNS:
        values = {cell: float(r[metric]) for cell, r in zip(hw_cells, hardware)}
        columns[f"hw_{metric}"] = np.where(column(values, metric) == -1, np.nan, column(values, metric))
    missing = int(np.isnan(columns["valid_acc_1seed"]).sum() + np.isnan(columns["cost_seconds"]).sum())
    if missing:
        raise DataError(f"{missing} NB201 architectures lack a single-seed accuracy or a training time")
    return TableBenchmark(
        "nb201",
        name,
        NB201Space(),
        cells,
        columns,
        objective="valid_acc_1seed",
        cost="cost_seconds",
        info_columns={"nb201_index": [int(r["file id"]) for r in accuracy]},
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None


def _single_seed(path: Path, dataset: str) -> dict[NB201Cell, float]:
    """NASLib's single-seed validation accuracies, joined on the architecture (never on ``idx``)."""
    prefix = f"zen/benchmark--nasbench201--{dataset}--"
    values: dict[NB201Cell, float] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.startswith(prefix) and member.endswith(".json"):
                    for record in json.loads(archive.read(member)):
                        values[NB201Cell.from_naslib_tuple(record["arch"])] = float(record["val_accuracy"])
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, KeyError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    return values
