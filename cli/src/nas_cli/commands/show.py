"""``nas show``: what a study holds (``--json`` is the contract scripts rely on)."""

from __future__ import annotations

import json

import click
from rich.console import Console

from nas_cli.render import print_summary
from nas_core.report import summarize


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def show(path: str, as_json: bool) -> None:
    """Summarize the study in PATH: trials, best architecture and metrics, budget used."""
    summary = summarize(path)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        print_summary(summary, Console())
