"""``nas trials``: every trial of a study, as a table, CSV or JSON (the columns of
``Study.to_pandas()``). Reads the file without the writer's lock: a running search's study works."""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from nas_cli.render import plain
from nas_core.recorded import load_study
from nas_core.trial_table import TrialTable
from nas_core.types import Status

FORMATS = ("table", "csv", "json")
STORED = tuple(s.value for s in (Status.COMPLETE, Status.FAILED, Status.PREDICTED))  # what a trial can end as
_TIMES = ("started", "finished")  # unix seconds, shown as local time in the table
_FOLDED = ("arch", "error")  # long text, folded over lines rather than cut
_FOLDED_MIN = 24
_PRIORITY = ("trial_id", "status", "objective", "arch", "error")  # then the metrics, then:
_LAST = ("cost_seconds", "origin", "fidelity", "started", "finished", "wall_seconds")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table (for reading), csv (a header, then one line per trial) or json (a list of objects).")  # fmt: skip
@click.option("--status", "statuses", multiple=True, type=click.Choice(STORED),
              help="Only trials that ended so (repeatable).")  # fmt: skip
@click.option("--sort", "sort_by", metavar="COLUMN", help="Order by this column (ascending; empty values last).")
@click.option("--desc", is_flag=True, help="With --sort: descending.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many trials (after --status and --sort).")
@click.option("--columns", metavar="A,B,...", help="Only these columns, in this order (default: all).")
def trials(path: str, fmt: str, statuses: tuple[str, ...], sort_by: str | None, desc: bool, limit: int | None,
           columns: str | None) -> None:  # fmt: skip
    """Every trial of the study in PATH: id, status, architecture, objective, every metric, cost,
    origin and times (unix seconds in csv and json)."""
    table = load_study(path).table()
    chosen = _columns(table, columns)
    records = [r for r in table.records if not statuses or r["status"] in statuses]
    if sort_by is not None:
        if sort_by not in table.columns:
            raise click.BadParameter(f"no column {sort_by!r} (columns: {', '.join(table.columns)})", param_hint="--sort")
        records = _sorted(records, sort_by, desc)
    records = records[:limit] if limit else records
    rows = [{column: record[column] for column in chosen} for record in records]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(chosen)
        writer.writerows([("" if row[c] is None else row[c]) for c in chosen] for row in rows)
    elif fmt == "json":
        click.echo(json.dumps([{c: _finite(v) for c, v in row.items()} for row in rows], indent=2))
    else:
        _print_table(path, chosen, rows, len(table.records))


def _columns(table: TrialTable, given: str | None) -> list[str]:
    if not given:
        return list(table.columns)
    chosen = [name.strip() for name in given.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in table.columns]
    if unknown:
        raise click.BadParameter(f"no column {', '.join(map(repr, unknown))} (columns: {', '.join(table.columns)})", param_hint="--columns")
    return chosen


def _sorted(records: list[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """By ``column``, empty values (a failed trial's objective, a metric it lacks) last either way."""
    present = [r for r in records if r[column] is not None]
    empty = [r for r in records if r[column] is None]
    return sorted(present, key=lambda r: r[column], reverse=descending) + empty


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such a value is null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _print_table(path: str, columns: Sequence[str], rows: list[dict[str, Any]], recorded: int) -> None:
    """A table as wide as the terminal: columns that do not fit are named under it."""
    console = Console()
    if not rows:
        console.print(f"{plain(path)}: no trials (of {recorded}) to show")
        return
    cells = {c: [_cell(c, row[c]) for row in rows] for c in columns if any(row[c] not in (None, "") for row in rows)}
    shown, left_out = _fit(cells, console.width)
    table = Table(title=f"{plain(path)}: {len(rows)} of {recorded} trials")
    for column in shown:
        folded = column in _FOLDED
        table.add_column(column, justify="left" if folded or column in ("status", "origin") else "right",
                         no_wrap=not folded, overflow="fold" if folded else "ellipsis")  # fmt: skip
    for i in range(len(rows)):
        table.add_row(*(plain(cells[column][i]) for column in shown))
    if left_out:
        table.caption = f"too wide to show: {', '.join(left_out)} (pick with --columns; --format csv has all)"
    console.print(table)


def _fit(cells: dict[str, list[str]], width: int) -> tuple[list[str], list[str]]:
    """The columns that fit ``width`` (in their order), taken by priority: what a trial is and
    how it did first, then the metrics, then cost, origin and times; the others."""
    budget = width - 1  # the table's left edge
    rank = {column: i for i, column in enumerate(_PRIORITY)}
    chosen = set()
    for column in sorted(cells, key=lambda c: rank.get(c, len(_PRIORITY) if c not in _LAST else len(_PRIORITY) + 1 + _LAST.index(c))):
        natural = max(len(column), *map(len, cells[column]))
        need = (min(natural, _FOLDED_MIN) if column in _FOLDED else natural) + 3  # padding and a border
        if need <= budget:
            chosen.add(column)
            budget -= need
    return [c for c in cells if c in chosen], [c for c in cells if c not in chosen]


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _TIMES:
        return time.strftime("%m-%d %H:%M:%S", time.localtime(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
