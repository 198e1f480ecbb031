"""``nas bench`` result files as the dashboard shows them: regret bands (``nas plot``'s numbers,
:func:`nas_core.regret_bands`), the summary table and every seed's final accuracies.

A bench file is rewritten whole after every run (``"complete": false`` until the last), so it is
read again whenever its size or modification time changes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import Any

from nas_core import DataError, regret_bands

from nas_dashboard.studies import file_signature

SUMMARY_COLUMNS = ("runs", "final_valid_mean", "final_valid_std", "final_test_mean", "final_test_std", "regret_mean",
                   "queries_mean", "found_optimum_rate", "queries_to_optimum_median")  # fmt: skip


def read_result(path: Path) -> dict[str, Any]:
    """The JSON of a ``nas bench`` result, or a DataError saying what the file is instead."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise DataError(f"not readable as JSON: {exc}") from None
    if isinstance(data, dict) and {"methods", "random", "plan"} <= data.keys():
        raise DataError("a nas retrain-bench result: the dashboard shows nas bench results (draw this one with nas plot)")
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict) or not isinstance(data.get("optimum"), dict):
        raise DataError("not a nas bench result (no runs and optimum)")
    return data


class BenchFile:
    """One bench result file; :meth:`snapshot` is its current content (DataError when it is not one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[Any, ...] | None = None
        self._snapshot: BenchSnapshot | None = None

    def snapshot(self) -> BenchSnapshot:
        with self._lock:
            signature = file_signature(self.path)
            if self._snapshot is None or signature != self._signature:
                self._snapshot = None
                self._signature = signature
                self._snapshot = BenchSnapshot(read_result(self.path), str(hash(signature)))
            return self._snapshot


class BenchSnapshot:
    def __init__(self, data: dict[str, Any], version: str) -> None:
        self.data = data
        self.version = version  # changes when the file does

    @cached_property
    def row(self) -> dict[str, Any]:
        data = self.data
        runs = data["runs"]
        return {
            "kind": "bench",
            "plugins": list(runs),
            "benchmark": data.get("benchmark"),
            "dataset": data.get("dataset"),
            "seeds": len(data.get("seeds") or []),
            "runs_done": sum(len(r) for r in runs.values()),
            "complete": bool(data.get("complete")),
            "budget": data.get("budget"),
            "regret_mean": {label: s.get("regret_mean") for label, s in (data.get("summary") or {}).items()},
        }

    @cached_property
    def page(self) -> dict[str, Any]:
        """Bands, summary table, and per-seed finals of every plugin set."""
        data = self.data
        try:
            bands = [asdict(band) for band in regret_bands(data)]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataError(f"malformed nas bench result ({type(exc).__name__}: {exc})") from None
        summary = data.get("summary") or {}
        return {
            **self.row,
            "version": self.version,
            "optimum": data["optimum"],
            "environment": data.get("environment"),
            "options": data.get("options"),
            "bands": bands,
            "summary_columns": list(SUMMARY_COLUMNS),
            "summary": [{"label": label, **{c: values.get(c) for c in SUMMARY_COLUMNS}} for label, values in summary.items()],
            "finals": [
                {
                    "label": label,
                    "seed": [r.get("seed") for r in records],
                    "valid": [r.get("final_valid") for r in records],
                    "test": [r.get("final_test") for r in records],
                }
                for label, records in data["runs"].items()
            ],
        }
