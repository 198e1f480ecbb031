"""The progress bars of the long commands (search, bench, retrain, retrain-bench), on stderr.

One behaviour for all: none under ``--quiet`` or ``--json`` (what a script reads stays alone on
stdout, and stderr holds only errors and warnings), drawn live on a terminal, and written once,
as it ends, when stderr is a file or a pipe (rich's way: a log keeps the final state, not a
redraw per update). Lines printed through the bar's ``console`` go above it. A command that
fails takes its bar away: its error stays the one line it prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

# The ETA is the pace of the whole command so far: rich's default (the last 30 s) knows no pace
# when one step (a search, a retraining) takes longer than that.
_PACE_SECONDS = 7 * 24 * 3600.0


@contextmanager
def progress_bar(*columns: ProgressColumn, quiet: bool) -> Iterator[Progress]:
    """A bar with ``columns`` on stderr while the block runs, shown unless ``quiet``."""
    with Progress(*columns, console=Console(stderr=True), disable=quiet, speed_estimate_period=_PACE_SECONDS) as bar:
        try:
            yield bar
        except BaseException:
            bar.live.transient = True  # erased on a terminal, never written to a file
            bar.live.stop()
            bar.disable = True  # nor followed by the blank line that ends a bar in a file
            raise


def steps_bar(unit: str, *extra: ProgressColumn, quiet: bool) -> AbstractContextManager[Progress]:
    """A bar over a known number of steps: ``3/40 runs``, the time taken and the time left."""
    return progress_bar(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        *extra,
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        quiet=quiet,
    )
