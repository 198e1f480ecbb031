"""``nas show``: what a study holds (``--json`` is the contract scripts rely on), or its Pareto front."""

from __future__ import annotations

import json

import click
from rich.console import Console

from nas_cli.render import print_front, print_summary
from nas_core.pareto import study_front
from nas_core.report import summarize

PARETO_HELP = (
    "Print the non-dominated feasible trials over these metrics (comma-separated, at least two): "
    "accuracies (names with 'acc') and 'objective' are maximized, other metrics minimized; "
    "prefix max: or min: to choose, e.g. valid_acc,min:hw_edgegpu_latency."
)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or the front) as JSON.")
@click.option("--pareto", metavar="M1,M2[,...]", help=PARETO_HELP)
def show(path: str, as_json: bool, pareto: str | None) -> None:
    """Summarize the study in PATH: trials, best architecture and metrics, budget used."""
    if pareto is not None:
        front = study_front(path, pareto)
        if as_json:
            click.echo(json.dumps({"storage": path, **front.to_dict()}, indent=2))
        else:
            print_front(front, path, Console())
        return
    summary = summarize(path)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        print_summary(summary, Console())
