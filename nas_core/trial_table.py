"""Every trial of a study as a table: the columns of ``nas trials`` and of ``Study.to_pandas()``.

Built from the stored rows alone, without loading a plugin, so it reads any study file, one that
another process is writing included. One column per metric name that any trial reports (empty
where a trial has none); a metric named like one of the fixed columns gets a ``metric_`` prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nas_core.storage import TrialRow

# before the metrics: what was tried and how it came out; after: what it cost, who proposed it,
# when it ran (unix seconds; ``wall_seconds``: the search's wall clock when it was recorded)
LEADING = ("trial_id", "status", "arch", "fidelity", "objective")
TRAILING = ("cost_seconds", "origin", "started", "finished", "wall_seconds", "error")
RESERVED = frozenset(LEADING + TRAILING)


@dataclass(frozen=True)
class TrialTable:
    """``records`` holds one dict per trial, in trial order, each with every one of ``columns``."""

    columns: tuple[str, ...]
    metrics: tuple[str, ...]  # the metric columns among them
    records: tuple[dict[str, Any], ...]


def architecture_text(arch: Mapping[str, Any]) -> str:
    """An architecture (its stored ``to_dict()`` form) in one line."""
    for field in ("arch_str", "encoding"):
        if field in arch:
            return str(arch[field])
    if "layers" in arch:
        return " > ".join(map(str, arch["layers"]))
    return ", ".join(f"{k}={v}" for k, v in arch.items() if k != "kind")


def trial_table(rows: Iterable[TrialRow]) -> TrialTable:
    rows = list(rows)
    names = dict.fromkeys(name for row in rows for name in row.result.get("metrics") or {})
    columns = {name: f"metric_{name}" if name in RESERVED else name for name in names}
    records = tuple(_record(row, columns) for row in rows)
    return TrialTable((*LEADING, *columns.values(), *TRAILING), tuple(columns.values()), records)


def extend_table(table: TrialTable, rows: Iterable[TrialRow]) -> TrialTable | None:
    """``table`` with ``rows`` (recorded after its own) appended, sharing its records; None when
    a row reports a metric the table has no column for (build the table anew then)."""
    rows = list(rows)
    columns = {_metric_name(column): column for column in table.metrics}
    if any(name not in columns for row in rows for name in row.result.get("metrics") or {}):
        return None
    return TrialTable(table.columns, table.metrics, table.records + tuple(_record(row, columns) for row in rows))


def _metric_name(column: str) -> str:
    """The metric a column shows (the inverse of the ``metric_`` prefix of :func:`trial_table`)."""
    name = column.removeprefix("metric_")
    return name if name != column and name in RESERVED else column


def _record(row: TrialRow, metric_columns: Mapping[str, str]) -> dict[str, Any]:
    candidate, result = row.candidate, row.result
    metrics = result.get("metrics") or {}
    return {
        "trial_id": row.trial_id,
        "status": result["status"],
        "arch": architecture_text(candidate["arch"]),
        "fidelity": candidate.get("fidelity"),
        "objective": result.get("objective"),
        **{column: metrics.get(name) for name, column in metric_columns.items()},
        "cost_seconds": result.get("cost_seconds", 0.0),
        "origin": candidate.get("origin", ""),
        "started": row.started,
        "finished": row.finished,
        "wall_seconds": row.wall_seconds,
        "error": (result.get("info") or {}).get("error"),
    }
