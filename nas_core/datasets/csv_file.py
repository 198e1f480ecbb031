"""``--dataset file.csv --target COLUMN``: a table of samples, one row each, read without pandas.

The first row names the columns. ``--target`` names the column of class labels (names or
integers); every other column is a feature: numeric when all its values are numbers, else
categorical (one-hot encoded, :mod:`nas_core.datasets.encoding`). Values are stripped of spaces;
an empty value, NA, N/A, NaN or null (any case) is missing, and a missing value anywhere is an
error naming its column and line, as is every other thing that makes the file unusable.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from nas_core.datasets.base import Dataset, split_rows, standardize_splits
from nas_core.datasets.encoding import TabularEncoding, is_missing
from nas_core.datasets.labels import class_ids
from nas_core.datasets.provenance import DataFile, sha256_of
from nas_core.errors import ConfigError, DataError


@dataclass(frozen=True, eq=False)
class CsvTable:
    """The cells of a CSV file, stripped; ``lines[i]`` is the file line where row i starts."""

    header: tuple[str, ...]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        j = self.header.index(name)
        return [row[j] for row in self.rows]


def read_csv(path: Path, content: bytes) -> CsvTable:
    """The header and rows of a CSV file, or a one-line DataError saying what is wrong with it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: tuple[str, ...] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if not record:
                continue  # a blank line
            cells = [cell.strip() for cell in record]
            if header is None:
                header = _checked_header(path, cells)
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"{path} line {reader.line_num}: {len(cells)} fields, but the header names {len(header)} columns"
                )
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(f"{path} line {reader.line_num}: {exc}") from None
    if header is None:
        raise DataError(
            f"{path} is empty: a CSV dataset needs a header row naming its columns, then one row per sample"
        )
    if not rows:
        raise DataError(f"{path} has a header row but no samples")
    return CsvTable(header, rows, lines)


def _checked_header(path: Path, names: list[str]) -> tuple[str, ...]:
    if all(_is_number(name) for name in names):
        raise DataError(
            f"{path}: the first row ({', '.join(names[:4])}, ...) is all numbers: the first row must name the columns"
        )
    seen: set[str] = set()
    for j, name in enumerate(names):
        if not name:
            raise DataError(f"{path}: column {j + 1} of the header row has no name")
        if name in seen:
            raise DataError(f"{path}: the header names column '{name}' twice")
        seen.add(name)
    return tuple(names)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def load_csv(path: Path, content: bytes, target: str | None, seed: int) -> Dataset:
    """The dataset in a CSV file: seeded stratified 60/20/20 splits, categories and
    standardization learned on the training split."""
    table = read_csv(path, content)
    if target is None:
        raise ConfigError(
            f"--dataset {path} needs --target COLUMN, its column of class labels (columns: {', '.join(table.header)})"
        )
    if target not in table.header:
        raise ConfigError(f"{path} has no column '{target}' (--target); its columns: {', '.join(table.header)}")
    _refuse_missing(path, table)
    y, labels = class_ids(table.column(target), f"{path}: target column '{target}'", lambda i: f"line {table.lines[i]}")
    names = [name for name in table.header if name != target]
    if not names:
        raise DataError(f"{path} has no feature columns besides the target '{target}'")
    numeric = [_numeric_column(path, table, name) for name in names]
    features = [[row[table.header.index(name)] for name in names] for row in table.rows]
    rows = split_rows(str(path), y, seed=seed)
    encoding = TabularEncoding.fit(names, numeric, [features[i] for i in rows.train])
    x = encoding.features(encoding.codes(features))
    source = DataFile(str(path), sha256_of(content), "csv", labels, target, encoding)
    return standardize_splits(str(path), *rows.take(x, y), source=source)


def _refuse_missing(path: Path, table: CsvTable) -> None:
    for row, line in zip(table.rows, table.lines):
        for name, value in zip(table.header, row):
            if is_missing(value):
                shown = f" ({value!r})" if value else ""
                raise DataError(
                    f"{path}: column '{name}' has a missing value{shown} on line {line}: fill it in or drop the row"
                )


def _numeric_column(path: Path, table: CsvTable, name: str) -> bool:
    """Whether every value of the column is a number; a column of numbers may not hold inf."""
    values = table.column(name)
    if not all(_is_number(value) for value in values):
        return False
    for value, line in zip(values, table.lines):
        if not math.isfinite(float(value)):
            raise DataError(f"{path}: column '{name}' holds {value!r} on line {line}, not a finite number")
    return True

