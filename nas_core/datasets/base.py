"""A dataset as searches use it: fixed train/validation/test splits, standardized on train only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nas_core.errors import DataError

if TYPE_CHECKING:
    from nas_core.datasets.provenance import DataFile


@dataclass(frozen=True, eq=False)
class Dataset:
    """Standardized float32 inputs and int64 labels per split.

    ``mean``/``std`` are what standardization used (fitted on the training split; per feature for
    tabular inputs, per channel for images and signals), so a model can be exported to take raw
    inputs: ``raw = x * std + mean``. ``source`` describes a dataset read from a user's file
    (``--dataset file.csv``): the file's hash, its labels, and for a CSV file how its columns
    became these features (for which ``raw`` gives the one-hot encoded rows).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    num_classes: int
    source: DataFile | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Undo the standardization (for exported models, which standardize themselves)."""
        return (x * self.std + self.mean).astype(np.float32)


@dataclass(frozen=True, eq=False)
class SplitRows:
    """Row indices of each split; ``test`` is None when the test split came separately."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray | None

    def take(
        self, x: np.ndarray, y: np.ndarray, test: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """``(x, y)`` of the train, validation and test splits (``test`` when it came separately)."""
        held_out = test if self.test is None else (x[self.test], y[self.test])
        if held_out is None:
            raise ValueError("the test split was given separately: pass it as test")
        return (x[self.train], y[self.train]), (x[self.valid], y[self.valid]), held_out


def split_rows(
    name: str,
    y: np.ndarray,
    *,
    seed: int,
    valid_fraction: float = 0.2,
    test_fraction: float = 0.2,
    test_given: bool = False,
) -> SplitRows:
    """Stratified, seeded splits of the rows of ``y``: test first (unless given), then validation.

    Only ``y`` and the seed decide them, so data that is encoded after splitting (a CSV file's
    categories, learned on the training rows) is split exactly as arrays are.
    """
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    try:
        if test_given:
            test = None
        else:
            rows, test = train_test_split(rows, test_size=test_fraction, random_state=seed, stratify=y)
            valid_fraction = valid_fraction / (1 - test_fraction)
        train, valid = train_test_split(rows, test_size=valid_fraction, random_state=seed, stratify=y[rows])
    except ValueError:
        classes, counts = np.unique(y, return_counts=True)
        raise DataError(
            f"dataset {name}: {len(y)} samples are too few for stratified train/validation/test splits of "
            f"{len(classes)} classes (the rarest has {counts.min()}): every class needs a few samples in each split"
        ) from None
    return SplitRows(train, valid, test)


def standardize_splits(
    name: str,
    train: tuple[np.ndarray, np.ndarray],
    valid: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    source: DataFile | None = None,
) -> Dataset:
    """Each split's ``(x, y)`` standardized with the training split's statistics."""
    x_train = train[0]
    axes = (0,) if x_train.ndim == 2 else (0, *range(2, x_train.ndim))  # per feature / per channel
    mean = x_train.mean(axis=axes, keepdims=True)[0]
    std = x_train.std(axis=axes, keepdims=True)[0]
    std = np.where(std > 0, std, 1.0)

    def scale(values: np.ndarray) -> np.ndarray:
        scaled = ((values - mean) / std).astype(np.float32)
        scaled.flags.writeable = False  # datasets are cached and shared between runs
        return scaled

    y_train, y_valid, y_test = (np.asarray(part[1], dtype=np.int64) for part in (train, valid, test))
    labels = np.unique(np.concatenate([y_train, y_valid, y_test]))
    if labels.min() < 0 or labels.max() >= len(labels):
        raise DataError(f"dataset {name}: labels must be 0..k-1, got {labels.tolist()[:10]}")
    return Dataset(
        name, scale(x_train), y_train, scale(valid[0]), y_valid, scale(test[0]), y_test,
        mean.astype(np.float32), std.astype(np.float32), int(len(labels)), source,
    )  # fmt: skip


def split_and_standardize(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int,
    valid_fraction: float = 0.2,
    test_fraction: float = 0.2,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    source: DataFile | None = None,
) -> Dataset:
    """Stratified, seeded splits; with ``test`` given, only train/validation are split from x."""
    y = np.asarray(y).astype(np.int64)
    if len(x) != len(y) or len(x) == 0:
        raise DataError(f"dataset {name}: {len(x)} inputs for {len(y)} labels")
    rows = split_rows(
        name, y, seed=seed, valid_fraction=valid_fraction, test_fraction=test_fraction, test_given=test is not None
    )
    return standardize_splits(name, *rows.take(x, y, test), source=source)
