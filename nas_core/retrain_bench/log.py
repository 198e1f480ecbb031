"""The record of a retrain-bench's finished pieces: one JSON object a line, appended as each ends.

A piece is a search (its study file holds the trials; the record says it ran to the end of its
budget) or one retraining (the record holds its metrics). A rerun of the same command reads the
log and runs only the pieces it lacks, so a bench killed at any moment loses the piece in progress
and nothing else. A retraining is found again by what determines its outcome (the architecture,
the retraining seed and epochs, the run settings it trained under), not by where it was asked for:
a search resumed with a larger budget may answer differently, and its new answer is retrained.
A line cut short by a kill is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nas_core.budget import Budget
from nas_core.config import RunSpec

# What a retraining's outcome depends on, of the run settings it trains under (not the search's
# seed, budget, device or where the data lives).
_PROTOCOL_FIELDS = ("plugins", "dataset", "space", "options")


def protocol(spec: RunSpec) -> dict[str, Any]:
    fields = spec.to_dict()
    return {name: fields[name] for name in _PROTOCOL_FIELDS}


class RunLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: list[dict[str, Any]] = []
        text = path.read_text() if path.exists() else ""
        self._cut_short = bool(text) and not text.endswith("\n")
        for line in text.splitlines():
            try:
                self.records.append(json.loads(line))
            except json.JSONDecodeError:  # the line a kill cut short
                continue

    def add(self, record: Mapping[str, Any]) -> None:
        """Append ``record`` and make it durable before the next piece starts."""
        line = json.dumps(record, sort_keys=True)
        with self.path.open("a") as file:
            file.write(("\n" if self._cut_short else "") + line + "\n")
            file.flush()
            os.fsync(file.fileno())
        self._cut_short = False
        self.records.append(json.loads(line))

    def search(self, study: Path, budget: Budget) -> dict[str, Any] | None:
        """The record of the search in ``study`` having spent ``budget``, if it did."""
        return self._find(kind="search", study=str(study), budget=budget.to_dict())

    def retraining(self, arch: Mapping[str, Any], seed: int, epochs: int, spec: RunSpec) -> dict[str, Any] | None:
        return self._find(kind="retrain", arch=arch, seed=seed, epochs=epochs, protocol=protocol(spec))

    def _find(self, **key: Any) -> dict[str, Any] | None:
        key = json.loads(json.dumps(key))  # compared as the records were read back: JSON values
        for record in reversed(self.records):
            if all(record.get(name) == value for name, value in key.items()):
                return record
        return None
