"""The datasets that ship with the core; all but CIFAR-10 need no download.

- ``digits`` (1797 8x8 grey images, 10 classes), ``wine`` (178 x 13, 3 classes),
  ``breast_cancer`` (569 x 30, binary): scikit-learn's bundled copies; 60/20/20 splits.
- ``mnist1d`` (40-sample signals, 10 classes): generated from scratch with the mnist1d package's
  default arguments (4000 train / 1000 test); validation is 20% of train.
- ``cifar10``: read from ``<data-dir>/cifar-10-batches-py`` (the python version from the CIFAR
  site: pickles, unpickled allowing numpy arrays and plain data only); 45000/5000/10000.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from nas_core.datasets.base import Dataset, split_and_standardize
from nas_core.errors import DataError
from nas_core.registry import DatasetRequest

CIFAR_FOLDER = "cifar-10-batches-py"


def digits(request: DatasetRequest) -> Dataset:
    from sklearn.datasets import load_digits

    data = load_digits()
    return split_and_standardize("digits", data.images.reshape(-1, 1, 8, 8).astype(np.float32), data.target, seed=request.split_seed)


def wine(request: DatasetRequest) -> Dataset:
    from sklearn.datasets import load_wine

    data = load_wine()
    return split_and_standardize("wine", data.data.astype(np.float32), data.target, seed=request.split_seed)


def breast_cancer(request: DatasetRequest) -> Dataset:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    return split_and_standardize("breast_cancer", data.data.astype(np.float32), data.target, seed=request.split_seed)


def mnist1d(request: DatasetRequest) -> Dataset:
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    data = make_dataset(args)  # generated from its seed, never downloaded
    x = np.asarray(data["x"], dtype=np.float32)[:, None, :]
    x_test = np.asarray(data["x_test"], dtype=np.float32)[:, None, :]
    test = (x_test, np.asarray(data["y_test"]))
    return split_and_standardize("mnist1d", x, np.asarray(data["y"]), seed=request.split_seed, valid_fraction=0.2, test=test)


def cifar10(request: DatasetRequest) -> Dataset:
    folder = (request.data_dir or Path(".")) / CIFAR_FOLDER
    if not folder.is_dir():
        raise DataError(f"CIFAR-10 not found at {folder}: pass --data-dir with the folder that contains {CIFAR_FOLDER}/")
    train = [_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = _cifar_batch(folder / "test_batch")
    x = np.concatenate([b[0] for b in train])
    y = np.concatenate([b[1] for b in train])
    return split_and_standardize("cifar10", x, y, seed=request.split_seed, valid_fraction=0.1, test=(x_test, y_test))


class _ArraysOnly(pickle.Unpickler):
    """Reads a CIFAR batch (a dict of byte-string keys to a uint8 array, lists of labels and file
    names) without running code a crafted file may carry: of the globals a pickle can call, only
    numpy's array reconstruction is allowed (the old and the new name of its module)."""

    _ALLOWED = frozenset({
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
    })  # fmt: skip

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"it calls {module}.{name}, which a CIFAR-10 batch never holds")
        return super().find_class(module, name)


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open("rb") as handle:
            batch = _ArraysOnly(handle, encoding="bytes").load()
        x = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
        return x, np.asarray(batch[b"labels"], dtype=np.int64)
    except (OSError, KeyError, TypeError, ValueError, pickle.UnpicklingError, EOFError) as exc:
        raise DataError(f"cannot read CIFAR-10 batch {path}: {exc}") from None
