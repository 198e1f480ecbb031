"""A dataset as searches use it: fixed train/validation/test splits, standardized on train only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nas_core.errors import DataError


@dataclass(frozen=True, eq=False)
class Dataset:
    """Standardized float32 inputs and int64 labels per split.

    ``mean``/``std`` are what standardization used (fitted on the training split; per feature for
    tabular inputs, per channel for images and signals), so a model can be exported to take raw
    inputs: ``raw = x * std + mean``.
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

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Undo the standardization (for exported models, which standardize themselves)."""
        return (x * self.std + self.mean).astype(np.float32)


def split_and_standardize(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int,
    valid_fraction: float = 0.2,
    test_fraction: float = 0.2,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> Dataset:
    """Stratified, seeded splits; with ``test`` given, only train/validation are split from x."""
    from sklearn.model_selection import train_test_split

    y = np.asarray(y).astype(np.int64)
    if len(x) != len(y) or len(x) == 0:
        raise DataError(f"dataset {name}: {len(x)} inputs for {len(y)} labels")
    if test is None:
        x, x_test, y, y_test = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
        valid_fraction = valid_fraction / (1 - test_fraction)
    else:
        x_test, y_test = test
    x_train, x_valid, y_train, y_valid = train_test_split(
        x, y, test_size=valid_fraction, random_state=seed, stratify=y
    )
    axes = (0,) if x_train.ndim == 2 else (0, *range(2, x_train.ndim))  # per feature / per channel
    mean = x_train.mean(axis=axes, keepdims=True)[0]
    std = x_train.std(axis=axes, keepdims=True)[0]
    std = np.where(std > 0, std, 1.0)

    def scale(values: np.ndarray) -> np.ndarray:
        scaled = ((values - mean) / std).astype(np.float32)
        scaled.flags.writeable = False  # datasets are cached and shared between runs
        return scaled

    labels = np.unique(np.concatenate([y_train, y_valid, np.asarray(y_test)]))
    if labels.min() < 0 or labels.max() >= len(labels):
        raise DataError(f"dataset {name}: labels must be 0..k-1, got {labels.tolist()[:10]}")
    return Dataset(
        name, scale(x_train), y_train, scale(x_valid), y_valid, scale(x_test), np.asarray(y_test, dtype=np.int64),
        mean.astype(np.float32), std.astype(np.float32), int(len(labels)),
    )  # fmt: skip
