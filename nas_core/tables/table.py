"""Loading a "bring your own" tabular benchmark (format: docs/table-format.md).

A table is a CSV, JSON (a list of records) or JSON-lines file with one row per architecture (or
per architecture and fidelity). Column names follow ours (``arch``, ``valid_acc``, ...) or are
mapped by a TOML card: either ``--benchmark card.toml`` or ``table.toml`` beside ``table.csv``.
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nas_core.tables.base import TableBenchmark
from nas_core.errors import DataError
from nas_core.spaces.table import TableArch, TableSpace, tokenize_all

SUFFIXES = (".csv", ".json", ".jsonl", ".toml")
# Our column names; a card maps each to the table's own column name.
REQUIRED = ("arch", "valid_acc")
SPECIAL = ("arch", "objective", "cost_seconds", "fidelity")


@dataclass(frozen=True)
class TableCard:
    """How to read a table: where it is, what its columns are called, how to split encodings."""

    file: Path
    name: str
    columns: Mapping[str, str] = field(default_factory=dict)
    tokens: str = "auto"

    @classmethod
    def read(cls, path: Path) -> TableCard:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DataError(f"cannot read table card {path}: {exc}") from None
        if "file" not in data:
            raise DataError(f"table card {path} needs a 'file' entry naming the table")
        unknown = set(data) - {"file", "name", "columns", "tokens"}
        if unknown:
            raise DataError(f"table card {path}: unknown entries {', '.join(sorted(unknown))}")
        return cls(
            file=(path.parent / data["file"]).resolve(),
            name=str(data.get("name", path.stem)),
            columns=dict(data.get("columns", {})),
            tokens=str(data.get("tokens", "auto")),
        )

    @classmethod
    def for_path(cls, path: Path) -> TableCard:
        if path.suffix == ".toml":
            return cls.read(path)
        beside = path.with_suffix(".toml")
        if beside.is_file():
            card = cls.read(beside)
            return TableCard(path.resolve(), card.name, card.columns, card.tokens)
        return cls(path.resolve(), path.stem)


def load_table(path: Path, dataset: str | None) -> TableBenchmark:
    card = TableCard.for_path(path)
    records = _read_records(card.file)
    if not records:
        raise DataError(f"table {card.file} has no rows")
    for ours, theirs in card.columns.items():
        if theirs not in records[0]:  # else the table's own column of our name would be used silently
            raise DataError(f"table {card.file}: its card maps {ours} to {theirs!r}, a column {card.file.name} does not have")
    rename = {theirs: ours for ours, theirs in card.columns.items()}
    rows = [{rename.get(k, k): v for k, v in record.items()} for record in records]
    for name in REQUIRED:
        if name not in rows[0]:
            raise DataError(f"table {card.file} has no {name!r} column; see docs/table-format.md")

    empty = next((i for i, r in enumerate(rows) if r.get("arch") is None or not str(r["arch"]).strip()), None)
    if empty is not None:
        raise DataError(f"table {card.file}: record {empty + 1} has no 'arch' encoding")
    encodings = [str(r["arch"]) for r in rows]
    tokens = tokenize_all(encodings, card.tokens)
    archs = [TableArch(e, t) for e, t in zip(encodings, tokens)]
    space = TableSpace(card.name, archs)

    columns: dict[str, np.ndarray] = {}
    info: dict[str, list[Any]] = {}
    for name in rows[0]:
        if name in ("arch", "fidelity"):
            continue
        values = [r.get(name) for r in rows]
        numeric = _as_floats(values)
        if numeric is not None:
            columns[name] = numeric
        elif name in ("valid_acc", "objective", "cost_seconds", "test_acc"):
            raise DataError(f"table {card.file}: column {name!r} must be numeric")
        else:
            info[name] = values
    if np.isnan(columns["valid_acc"]).all():
        raise DataError(f"table {card.file}: column 'valid_acc' has no values")
    fidelity = None
    if "fidelity" in rows[0]:
        levels = _as_floats([r.get("fidelity") for r in rows])
        if levels is None or np.isnan(levels).any() or not np.all(levels == np.round(levels)):
            raise DataError(f"table {card.file}: 'fidelity' must be an integer in every row")
        fidelity = levels.astype(int)
    seen: set[tuple[str, int | None]] = set()
    for i, arch in enumerate(archs):
        level = None if fidelity is None else int(fidelity[i])
        if (arch.encoding, level) in seen:
            raise DataError(f"table {card.file} lists {arch.encoding!r} twice" + (f" at fidelity {level}" if level is not None else ""))
        seen.add((arch.encoding, level))
    return TableBenchmark(
        card.name,
        dataset,
        space,
        archs,
        columns,
        objective="objective" if "objective" in columns else "valid_acc",
        cost="cost_seconds" if "cost_seconds" in columns else None,
        fidelity=fidelity,
        info_columns=info,
    )


def _read_records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DataError(f"missing table file {path}")
    try:
        if path.suffix == ".csv":
            with path.open(newline="") as handle:
                return list(csv.DictReader(handle))
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise DataError(f"table {path} must be a JSON list of records")
            return data
    except (OSError, csv.Error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read table {path}: {exc}") from None
    raise DataError(f"table {path}: use a .csv, .json or .jsonl file")


def _as_floats(values: list[Any]) -> np.ndarray | None:
    """Floats (empty cells as NaN), or None when a value is not a number."""
    out = np.empty(len(values))
    for i, value in enumerate(values):
        if value is None or value == "":
            out[i] = math.nan
            continue
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            return None
    return out
