"""``--dataset PATH``: a dataset read from the user's own file, CSV or NumPy ``.npz``.

A ``--dataset`` value that ends in a data file's suffix (.csv, .npz, .parquet) or contains a path
separator is a file; any other value is the name of a registered dataset. Parquet is not read:
no Parquet reader (pyarrow, pandas) is a dependency of nas, so a .parquet file is refused with one
line saying so.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from nas_core.datasets.base import Dataset
from nas_core.errors import ConfigError, DataError

READERS = (".csv", ".npz")
PARQUET = (".parquet", ".pq")


def is_data_file(name: str | None) -> bool:
    """Whether ``--dataset name`` names a file (rather than a registered dataset)."""
    if not name:
        return False
    return Path(name).suffix.lower() in READERS + PARQUET or "/" in name or os.sep in name


def absolute_path(name: str) -> str:
    """An absolute, normalized path that keeps the user's symbolic links (unlike ``resolve``)."""
    return os.path.abspath(os.path.expanduser(name))


def load_data_file(name: str, target: str | None, split_seed: int) -> Dataset:
    """The dataset in the file ``name``; the same file (by size and modification time), target and
    seed give the same, cached, dataset."""
    path = Path(absolute_path(name))
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        raise DataError(
            f"{path}: Parquet files are not read (no Parquet reader is a dependency of nas); save it as CSV, "
            "e.g. pandas.read_parquet(path).to_csv('data.csv', index=False)"
        )
    if suffix not in READERS:
        raise DataError(
            f"--dataset {name}: nas reads data files ending in {' or '.join(READERS)}, not '{suffix or path.name}'"
        )
    if suffix == ".npz" and target is not None:
        raise ConfigError(f"--target names the label column of a CSV file; {path.name} holds its labels in y")
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"no data file {path}") from None
    if not path.is_file():
        raise DataError(f"--dataset {path} is not a file")
    return _load(str(path), stat.st_size, stat.st_mtime_ns, target, split_seed)


@lru_cache(maxsize=4)
def _load(path: str, size: int, mtime_ns: int, target: str | None, split_seed: int) -> Dataset:
    from nas_core.datasets.csv_file import load_csv
    from nas_core.datasets.npz_file import load_npz

    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.lower().endswith(".csv"):
        return load_csv(Path(path), content, target, split_seed)
    return load_npz(Path(path), content, split_seed)
