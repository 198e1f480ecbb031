"""The files the dashboard may show: those inside the folders it was given, and the files it was
given by name. Nothing else is read, whatever a request names."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nas_core import ConfigError

# What a folder is scanned for: study files (any SQLite name nas users give them) and JSON
# results. Another file is shown when it is given by name.
SCANNED_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".json")
MAX_FILES = 500  # a folder holding more lists the first ones (by path) and says so


class Refused(Exception):
    """A requested path outside the dashboard's folders."""


@dataclass(frozen=True)
class Roots:
    folders: tuple[Path, ...]  # resolved: a symlink inside them that leads out is outside
    files: tuple[Path, ...]

    @classmethod
    def of(cls, paths: Sequence[str | os.PathLike[str]]) -> Roots:
        """The given folders and files (the current folder when none is given); a path that
        does not exist is a ConfigError."""
        folders: list[Path] = []
        files: list[Path] = []
        for given in paths or (".",):
            path = Path(given).expanduser()
            if not path.exists():
                raise ConfigError(f"no such file or folder: {given}")
            (folders if path.is_dir() else files).append(path.resolve())
        return cls(tuple(dict.fromkeys(folders)), tuple(dict.fromkeys(files)))

    def allows(self, path: Path) -> bool:
        return path in self.files or any(path.is_relative_to(folder) for folder in self.folders)

    def resolve(self, requested: str) -> Path:
        """The file a request names (an absolute path, as the file list gives them), or Refused."""
        if not requested or "\x00" in requested or not os.path.isabs(requested):
            raise Refused(f"not an absolute path: {requested!r}")
        path = Path(requested).resolve()
        if not self.allows(path):
            raise Refused(f"{requested} is outside the folders this dashboard shows")
        return path

    def scan(self) -> tuple[list[Path], bool]:
        """The files to list (given files, and study or JSON files in the folders, recursively,
        hidden folders left out), and whether there were more than :data:`MAX_FILES`."""
        found = dict.fromkeys(self.files)
        for folder in self.folders:
            for path in _walk(folder):
                real = path.resolve()
                if not self.allows(real):  # a symlink that leads out
                    continue
                found[real] = None
                if len(found) > MAX_FILES:
                    return sorted(found)[:MAX_FILES], True
        return sorted(found), False


def _walk(folder: Path) -> Iterator[Path]:
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.endswith(SCANNED_SUFFIXES) and not name.startswith("."):
                yield Path(top, name)
