"""Locating benchmark data: ``--data-dir``, else ``NAS_DATA_DIR``; every miss says how to fix it."""

from __future__ import annotations

import os
from pathlib import Path

from nas_core.errors import DataError

ENV = "NAS_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None) -> Path:
    chosen = explicit or os.environ.get(ENV)
    if not chosen:
        raise DataError(f"no data directory: pass --data-dir or set {ENV} to the folder that contains nb201/")
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise DataError(f"data directory {path} does not exist (from {'--data-dir' if explicit else ENV})")
    return path


def data_file(root: Path, relative: str) -> Path:
    path = root / relative
    if not path.is_file():
        raise DataError(
            f"missing data file {path}: point --data-dir or {ENV} at the folder that contains {relative}"
        )
    return path
