"""Reading and joining the raw NB201 tables of ``<data-dir>/nb201/`` (layout: its README).

The accuracy table fixes the rows; every other table is joined on the architecture (the zen
archive's ``idx`` is NASLib's own numbering, never the NB201 index).
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import numpy as np

from nas_core.errors import DataError
from nas_core.spaces.nb201 import NB201Cell
from nas_core.tables.files import data_file
from nas_core.tables.nb201.rows import NB201Rows

FOLDER = "nb201"
EPOCHS_CHARGED = 12
HW_COLUMNS = (
    "edgegpu_latency", "edgegpu_energy", "raspi4_latency", "edgetpu_latency", "pixel3_latency",
    "eyeriss_latency", "eyeriss_energy", "fpga_latency", "fpga_energy",
)  # fmt: skip


def source_files(dataset: str) -> tuple[str, ...]:
    """The raw files, relative to the data folder, that one dataset's table is derived from."""
    return (
        f"{FOLDER}/nasbench201_{dataset}.csv",
        f"{FOLDER}/nb201_zen.zip",
        f"{FOLDER}/nas_landscapes_cifar10_avg.csv",
        f"{FOLDER}/nb201_cost_analytic.csv",
        f"{FOLDER}/hw_{dataset}.csv",
    )


def read_raw(root: Path, name: str) -> NB201Rows:
    """The joined table of dataset ``name`` (canonical spelling) from the raw files under ``root``."""
    accuracy_file, zen_file, landscapes_file, analytic_file, hardware_file = source_files(name)
    accuracy = _read_csv(data_file(root, accuracy_file))
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
        "valid_acc_1seed": column(_single_seed(data_file(root, zen_file), name), "single-seed accuracy"),
    }
    landscapes = _read_csv(data_file(root, landscapes_file))
    columns["cost_seconds"] = column(
        {NB201Cell.from_str(r["arch_str"]): EPOCHS_CHARGED * float(r["train-per-time"]) for r in landscapes},
        "training time",
    )
    analytic = _read_csv(data_file(root, analytic_file))
    suffix = name.replace("-", "_")
    columns["params"] = column({NB201Cell.from_str(r["arch_str"]): float(r[f"params_MB_{suffix}"]) for r in analytic}, "params")
    columns["flops"] = column({NB201Cell.from_str(r["arch_str"]): float(r[f"flops_M_{suffix}"]) for r in analytic}, "flops")
    hardware = _read_csv(data_file(root, hardware_file))
    hw_cells = [NB201Cell.from_naslib_tuple(r["net"]) for r in hardware]
    for metric in HW_COLUMNS:
        values = {cell: float(r[metric]) for cell, r in zip(hw_cells, hardware)}
        columns[f"hw_{metric}"] = np.where(column(values, metric) == -1, np.nan, column(values, metric))
    missing = int(np.isnan(columns["valid_acc_1seed"]).sum() + np.isnan(columns["cost_seconds"]).sum())
    if missing:
        raise DataError(f"{missing} NB201 architectures lack a single-seed accuracy or a training time")
    return NB201Rows(cells, np.array([int(r["file id"]) for r in accuracy]), columns)


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
