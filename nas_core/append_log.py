"""A list in a plugin's state that only ever grows, stored in a study file by its new entries.

A study file saves every plugin's state with every trial, so that ``--resume`` continues exactly.
A state that holds a log of everything the plugin was told (GPNAS's searchers replay theirs) grows
with the run, and pickling all of it per trial made a long run's storage cost grow with it. Put
such a log in the state as an :class:`AppendLog` (the object itself, not a copy): the study file
writes only the entries appended since the last trial and puts the log back together on resume.

The contract is in the name: entries are appended, never changed or removed. A log that is
shorter than what the file holds (the plugin started it anew) is rewritten in full; a change to
an entry already written is not noticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class AppendLog(list):  # type: ignore[type-arg]
    """A list known to the study file by ``key``, unique within its plugin's state."""

    def __init__(self, key: str, entries: Iterable[Any] = ()) -> None:
        super().__init__(entries)
        self.key = key
