"""How the rows of a CSV file become a network's inputs.

A row's *codes* are one number per feature column: a numeric column's value, a categorical
column's category index (-1 for a category the training split did not have). Its *features* are
the codes one-hot expanded: one per numeric column, one per category of a categorical column (all
zero for -1). Categories are learned from the training split, sorted. Networks train on the
features (standardized); an exported model takes codes and expands them itself, so running it on
raw rows needs only the lookup of each category's index (:meth:`TabularEncoding.codes`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nas_core.errors import DataError

# Values that mean "no value" in a CSV file (compared stripped and lower-cased).
MISSING = frozenset({"", "na", "n/a", "nan", "null"})


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip().lower() in MISSING


@dataclass(frozen=True)
class Column:
    """A feature column: numeric (``categories`` None) or categorical with its known categories."""

    name: str
    categories: tuple[str, ...] | None = None

    @property
    def width(self) -> int:
        return 1 if self.categories is None else len(self.categories)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "categories": None if self.categories is None else list(self.categories)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Column:
        categories = data.get("categories")
        return cls(str(data["name"]), None if categories is None else tuple(map(str, categories)))


@dataclass(frozen=True)
class TabularEncoding:
    columns: tuple[Column, ...]

    @classmethod
    def fit(cls, names: Sequence[str], numeric: Sequence[bool], train_rows: Sequence[Sequence[str]]) -> TabularEncoding:
        """Categorical columns take the categories of the training rows."""
        columns = []
        for j, (name, is_number) in enumerate(zip(names, numeric)):
            categories = None if is_number else tuple(sorted({row[j] for row in train_rows}))
            columns.append(Column(name, categories))
        return cls(tuple(columns))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def width(self) -> int:
        """The number of features."""
        return sum(column.width for column in self.columns)

    def codes(self, rows: Sequence[Sequence[object]]) -> np.ndarray:
        """``rows`` (values in column order: strings as read from a CSV file, or numbers) as a
        float32 array of codes; a missing or non-numeric value where a number belongs is a
        DataError naming ``rows[i]`` and the column."""
        codes = np.empty((len(rows), len(self.columns)), dtype=np.float32)
        for j, column in enumerate(self.columns):
            index = None if column.categories is None else {c: k for k, c in enumerate(column.categories)}
            for i, row in enumerate(rows):
                value = row[j]
                if is_missing(value):
                    raise DataError(f"rows[{i}]: column '{column.name}' has no value")
                if index is not None:
                    codes[i, j] = index.get(str(value).strip(), -1)
                    continue
                try:
                    codes[i, j] = float(value)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    raise DataError(f"rows[{i}]: column '{column.name}' holds {value!r}, not a number") from None
        return codes

    def features(self, codes: np.ndarray) -> np.ndarray:
        """Codes one-hot expanded (the same expansion exported models do inside)."""
        parts = []
        for j, column in enumerate(self.columns):
            if column.categories is None:
                parts.append(codes[:, j : j + 1])
            else:
                parts.append(codes[:, j : j + 1] == np.arange(len(column.categories), dtype=np.float32))
        return np.concatenate(parts, axis=1).astype(np.float32)

    def to_dict(self) -> list[dict[str, Any]]:
        return [column.to_dict() for column in self.columns]

    @classmethod
    def from_dict(cls, data: Sequence[Mapping[str, Any]]) -> TabularEncoding:
        return cls(tuple(Column.from_dict(column) for column in data))
