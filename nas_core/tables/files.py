"""Locating benchmark data: ``--data-dir``, else ``NAS_DATA_DIR``, else the NB201 tables shipped
in the ``nas-tables-nb201`` distribution; every miss says how to fix it."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from nas_core.errors import DataError

ENV = "NAS_DATA_DIR"
SHIPPED = "nas_tables_nb201"  # the package of the nas-tables-nb201 distribution


def data_dir(explicit: str | os.PathLike[str] | None) -> Path:
    chosen = explicit or os.environ.get(ENV)
    if not chosen:
        shipped = shipped_data_dir()
        if shipped is None:
            raise DataError(
                f"no benchmark tables: install nas-tables-nb201, or pass --data-dir or set {ENV} "
                "to the folder that contains nb201/"
            )
        return shipped
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise DataError(f"data directory {path} does not exist (from {'--data-dir' if explicit else ENV})")
    return path


def shipped_data_dir() -> Path | None:
    """The folder of the installed nas-tables-nb201 (it holds ``nb201/``), or None without it."""
    try:
        return Path(str(files(SHIPPED)))
    except ModuleNotFoundError:
        return None


def data_file(root: Path, relative: str) -> Path:
    path = root / relative
    if not path.is_file():
        raise DataError(
            f"missing data file {path}: point --data-dir or {ENV} at the folder that contains {relative}"
        )
    return path
