"""Errors a user can act on.

Every error that reaches the user derives from :class:`NasError`; the CLI prints its message as a
single line and exits non-zero. Messages therefore name the thing that is wrong and, where there is
one, the way to fix it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class NasError(Exception):
    """An error with a message meant for the user (one line, no traceback)."""


class ConfigError(NasError):
    """A wrong option, option value or combination of plugins, spaces and benchmarks."""


class PluginError(NasError):
    """A plugin that cannot be found, imported, or that breaks the hook contract."""


def answered_by_another_plugin(plugin: str, units: str, unit: str, number: int | None, status: str) -> PluginError:
    """The error of a strategy whose candidates only its own estimator can evaluate (supernet
    epochs, communication rounds) when another plugin answered one: a predictor or filter in the
    run would otherwise silently skip a step of its training."""
    owner = f"{plugin}'" if plugin.endswith("s") else f"{plugin}'s"
    return PluginError(
        f"{owner} candidates are {units} that only its own estimator can run, but {unit} {number} was answered by "
        f"another plugin ({status}); do not combine {plugin} with predictors or filters"
    )


class DataError(NasError):
    """A data file that is missing or malformed."""


class StorageError(NasError):
    """A study file that cannot be created, opened, locked or read."""


@contextmanager
def reading_study(path: str | os.PathLike[str]) -> Iterator[None]:
    """Around code that reads a study file: contents no study holds (a missing meta entry, rows
    that are not JSON, a run spec of the wrong shape) become one StorageError naming the file,
    not a crash somewhere in the reading code."""
    try:
        yield
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"{path} is not a readable nas study ({type(exc).__name__}: {exc}); refusing to use it") from None


@contextmanager
def writing_study(path: str | os.PathLike[str]) -> Iterator[None]:
    """Around code that writes a study file: a disk that is full or fails, a folder that cannot
    be made, become one StorageError naming the file. (The storage layer translates the errors of
    its transactions' bodies, not those of setting a transaction up or rolling one back.)"""
    try:
        yield
    except sqlite3.Error as exc:
        while isinstance(exc.__context__, sqlite3.Error):  # a failed rollback hides why it rolled back
            exc = exc.__context__
        raise StorageError(f"cannot write {path}: {exc}") from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}{where}") from None


class TrialError(NasError):
    """A failure that belongs to one candidate: the trial is recorded as failed, the search goes on."""


class ArchitectureError(TrialError, ValueError):
    """An architecture that is not a valid member of its search space."""


class PluginChoiceError(PluginError, ConfigError):
    """Plugins named on the command line that cannot make a run: unknown, or two strategies.

    A usage error (the CLI exits 2), unlike a plugin that fails to import or breaks the hooks.
    """
