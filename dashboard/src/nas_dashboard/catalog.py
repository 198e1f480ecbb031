"""The files the dashboard lists, each a study, a bench result, or a problem shown as its row.

Folders are scanned again on every listing, so files that appear are listed without a restart.
A file is told apart by its first bytes (an SQLite file is a study or refused as one) and, for
JSON, by what it holds; whatever cannot be read becomes a row with the reason, never an error
of the page.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from nas_core import NasError

from nas_dashboard.bench import BenchFile
from nas_dashboard.roots import Roots
from nas_dashboard.studies import StudyFile

SQLITE_HEADER = b"SQLite format 3\x00"


class Catalog:
    def __init__(self, roots: Roots) -> None:
        self.roots = roots
        self._lock = threading.Lock()
        self._entries: dict[Path, StudyFile | BenchFile] = {}

    def study(self, path: Path) -> StudyFile:
        entry = self._entry(path)
        if not isinstance(entry, StudyFile):
            raise NasError(f"{path} is not a study file")
        return entry

    def bench(self, path: Path) -> BenchFile:
        entry = self._entry(path)
        if not isinstance(entry, BenchFile):
            raise NasError(f"{path} is not a nas bench result")
        return entry

    def _entry(self, path: Path) -> StudyFile | BenchFile:
        """The study or bench file at ``path`` (an allowed, resolved path), or a NasError."""
        with self._lock:
            entry = self._entries.get(path)
        if entry is not None and path.is_file():
            return entry
        if not path.is_file():
            raise NasError(f"no file at {path}")
        try:
            with open(path, "rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise NasError(f"cannot read {path}: {exc.strerror}") from None
        if header == SQLITE_HEADER:
            entry = StudyFile(path)
        elif path.suffix == ".json":
            entry = BenchFile(path)
        elif not header:
            raise NasError("an empty file (a study being created is written in a moment)")
        else:
            raise NasError("neither a study file (SQLite) nor a nas bench result (JSON)")
        with self._lock:
            return self._entries.setdefault(path, entry)

    def listing(self) -> dict[str, Any]:
        """Every file's row: studies, bench results, and the files that could not be read."""
        paths, truncated = self.roots.scan()
        rows: dict[str, list[dict[str, Any]]] = {"studies": [], "benches": [], "problems": []}
        for path in paths:
            where = {"path": str(path), "name": path.name, "folder": str(path.parent)}
            try:
                entry = self._entry(path)
                row = entry.snapshot().row
            except Exception as exc:  # noqa: BLE001 - whatever a file holds, it is a row, not a broken page
                rows["problems"].append({**where, "error": problem_text(exc)})
                continue
            rows["studies" if isinstance(entry, StudyFile) else "benches"].append({**where, **row})
        with self._lock:  # forget files that went away
            for gone in set(self._entries) - set(paths):
                del self._entries[gone]
        return {"roots": [str(p) for p in (*self.roots.folders, *self.roots.files)], "truncated": truncated, **rows}


def problem_text(exc: Exception) -> str:
    """One line saying why a file cannot be shown."""
    if isinstance(exc, NasError):
        return str(exc)
    return f"unreadable ({type(exc).__name__}: {exc})"
