"""Class labels of a user's file (names or integers) as the ids 0..K-1 networks are trained on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from nas_core.errors import DataError

Label = int | str


def class_ids(
    values: np.ndarray | Sequence[str], what: str, where: Callable[[int], str] = "sample {}".format
) -> tuple[np.ndarray, tuple[Label, ...]]:
    """Each value's class id, and the labels by id (sorted: numbers by value, names as text).

    ``values`` are strings as read from a CSV file (integers among them are read as numbers) or a
    NumPy array of integers, whole floats or strings. ``what`` names them in errors, ``where(i)``
    the place of value i (a sample, a line of a file).
    """
    labels = _as_labels(np.asarray(values), what, where)
    unique, ids = np.unique(labels, return_inverse=True)
    if len(unique) < 2:
        raise DataError(f"{what} has one class ({unique[0].item()!r}): a classifier needs at least two")
    return ids.astype(np.int64), tuple(label.item() for label in unique)


def _as_labels(values: np.ndarray, what: str, where: Callable[[int], str]) -> np.ndarray:
    if values.ndim != 1:
        raise DataError(f"{what} has shape {values.shape}: give one class label per sample, shape (N,)")
    if values.dtype.kind in "US":
        text = values.astype(str)
        try:
            return np.array([int(v) for v in text], dtype=np.int64)
        except ValueError:
            pass
        try:
            numbers = np.array([float(v) for v in text])
        except ValueError:
            return text
        return _whole_numbers(numbers, what, where, text)
    if values.dtype.kind in "biu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        return _whole_numbers(values, what, where, values)
    raise DataError(f"{what} holds {values.dtype} values: give class labels as integers or names")


def _whole_numbers(numbers: np.ndarray, what: str, where: Callable[[int], str], shown: np.ndarray) -> np.ndarray:
    bad = np.flatnonzero(~np.isfinite(numbers) | (numbers != np.round(numbers)))
    if len(bad):
        raise DataError(
            f"{what} holds {shown[bad[0]]!s} ({where(int(bad[0]))}), not a class label: "
            "nas classifies; give labels as integers or names"
        )
    return numbers.astype(np.int64)
