"""What a study records about the user's file it searched on, so it never mixes in other data.

A search on ``--dataset file.csv`` stores the file's absolute path, a SHA-256 of its bytes and
what was read from it (the target column, the categories of each column, the labels). Resuming
the search or retraining its answer reads the file again and must find the same: a file that
changed is refused with one line; one that moved but is identical is accepted wherever
``--dataset`` points.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nas_core.datasets.encoding import TabularEncoding
from nas_core.datasets.labels import Label
from nas_core.errors import DataError


@dataclass(frozen=True)
class DataFile:
    """A dataset file as read: ``encoding`` for CSV files (None for arrays), ``labels`` by class id."""

    path: str
    sha256: str
    format: str
    labels: tuple[Label, ...]
    target: str | None = None
    encoding: TabularEncoding | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "labels": list(self.labels),
            "target": self.target,
            "columns": None if self.encoding is None else self.encoding.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataFile:
        columns = data.get("columns")
        return cls(
            path=str(data["path"]),
            sha256=str(data["sha256"]),
            format=str(data["format"]),
            labels=tuple(data["labels"]),
            target=data.get("target"),
            encoding=None if columns is None else TabularEncoding.from_dict(columns),
        )

    def require_same_as(self, recorded: DataFile, doing: str) -> None:
        """Refuse (one line) data that is not what ``recorded`` describes, wherever it lies now."""
        if self.sha256 != recorded.sha256:
            if self.path == recorded.path:
                raise DataError(
                    f"{doing}: {self.path} changed since this study searched it (sha256 {recorded.sha256[:12]}, "
                    f"now {self.sha256[:12]}); restore it, or pass --dataset with a copy of the original"
                )
            raise DataError(
                f"{doing}: {self.path} is not the file this study searched ({recorded.path}, sha256 "
                f"{recorded.sha256[:12]}; this one has {self.sha256[:12]})"
            )
        read = {name: value for name, value in self.to_dict().items() if name != "path"}
        differing = [name for name, value in recorded.to_dict().items() if name != "path" and read[name] != value]
        if differing:
            raise DataError(
                f"{doing}: {self.path} is read differently from when this study searched it ({', '.join(differing)} differ)"
            )


def require_recorded_file(path: str, doing: str) -> None:
    """The file a study searched, where it recorded it: say how to point at it if it moved."""
    if not Path(path).is_file():
        raise DataError(f"{doing}: the data file this study searched, {path}, is not there: pass --dataset with where it is now")


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
