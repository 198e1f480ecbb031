"""``nas search``: run (or resume) one search and record it in a study file."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

from nas_cli.plugin_options import PluginCommand, complete_plugin, given, given_plugin_options
from nas_cli.progress import progress_bar
from nas_cli.render import plain, print_summary
from nas_core.launch import start_search
from nas_core.tables.files import ENV as DATA_ENV
from nas_core.report import summarize_storage
from nas_core.preparation import collect_options
from nas_core.session import MAX_FAILURES, Session
from nas_core.types import Trial


class Interrupted(click.ClickException):
    exit_code = 130


@click.command(cls=PluginCommand, options_for=lambda names: collect_options(tuple(names)))
@click.option("--plugin", "plugins", multiple=True, metavar="NAME", shell_complete=complete_plugin, help="Plugin to load (repeatable): a strategy, plus any estimators or filters.")
@click.option("--benchmark", help="Tabular benchmark: nb201, or the path of your own table (.csv/.json/.jsonl/.toml).")
@click.option("--dataset", help="Data to train on: digits, wine, breast_cancer, mnist1d, cifar10, or your file: a CSV (with --target) or an .npz with x and y. For nb201: cifar10, cifar100, ImageNet16-120.")
@click.option("--space", help="Search space to train in (when there is no --benchmark).")
@click.option("--budget", "budgets", multiple=True, metavar="B", help="Trials (150) or search time (12000s, 10m, 2h); repeat to combine, the tightest wins.")
@click.option("--timeout", metavar="DURATION", help="Wall-clock limit of the whole search (e.g. 30m).")
@click.option("--constraint", "constraints", multiple=True, metavar="METRIC<=V",
              help="Feasible trials satisfy METRIC<=V (or >=, <, >) for a metric the trials report, e.g. "
                   "hw_edgegpu_latency<=5 (repeatable). A violating trial is recorded as infeasible, never the "
                   "answer; on params, flops, latency_ms and hw_* it is rejected before training or lookup, at no cost.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice in the run.")
@click.option("--storage", type=click.Path(dir_okay=False), help="Study file (SQLite). Default: runs/<time>-<plugins>-s<seed>.db")
@click.option("--resume", is_flag=True, help="Continue the study in --storage where it stopped.")
@click.option("--data-dir", type=click.Path(file_okay=False), help=f"Folder that contains nb201/ (default: ${DATA_ENV}, else the shipped NB201 tables).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
@click.option("--workers", type=click.IntRange(min=1), help="Run trials on a local Dask cluster of this many worker processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Run trials on a running Dask cluster (tcp://host:8786).")
@click.option("--dashboard", is_flag=True, help="Serve the local Dask cluster's dashboard on :8787.")
@click.option("--max-failures", type=click.IntRange(min=1), default=MAX_FAILURES, show_default=True, help="Stop after this many failed trials in a row.")
@click.option("--json", "as_json", is_flag=True, help="Print the study summary as JSON (no progress bar).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def search(ctx: click.Context, **params: Any) -> None:
    """Search for an architecture; every trial is recorded in the study file as it ends."""
    session = _start(ctx, params)
    storage = session.study.storage.path
    for warning in session.warnings:
        click.echo("warning: " + warning, err=True)
    try:
        _run(session, quiet=params["as_json"] or params["quiet"], max_failures=params["max_failures"])
    except KeyboardInterrupt:
        count = len(session.study.trials)
        session.close()
        raise Interrupted(
            f"interrupted after {count} recorded trials; continue with: nas search --resume --storage {storage}"
        ) from None
    summary = summarize_storage(session.study.storage)
    session.close()
    if params["as_json"]:
        click.echo(json.dumps(summary, indent=2))
    else:
        print_summary(summary, Console())


def _start(ctx: click.Context, params: dict[str, Any]) -> Session:
    """The session nas_core.search would start from these options (one path for both): an
    option not given on the command line is None, so a resumed run keeps its stored value."""

    def chosen(name: str) -> Any:
        return params[name] if given(ctx, name) else None

    return start_search(
        params["plugins"], storage=params["storage"], resume=params["resume"], budget=params["budgets"],
        timeout=params["timeout"], seed=chosen("seed"), benchmark=params["benchmark"], dataset=params["dataset"],
        space=params["space"], options=given_plugin_options(ctx), device=chosen("device"), data_dir=params["data_dir"],
        workers=params["workers"], scheduler=params["scheduler"], dashboard=chosen("dashboard"),
        constraints=params["constraints"],
    )  # fmt: skip


def _run(session: Session, *, quiet: bool, max_failures: int) -> str:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}% budget"),
        TextColumn("{task.fields[trials]} trials"),
        TextColumn("best {task.fields[best]}"),
        TimeElapsedColumn(),
    )
    with progress_bar(*columns, quiet=quiet) as progress:
        task = progress.add_task(plain(session.strategy), total=1.0, trials=len(session.study.trials), best="-")

        def on_trial(trial: Trial) -> None:
            best = session.study.best
            status = session.plugins.hooks.budget(session.study)
            progress.update(
                task,
                completed=1.0 - status.remaining,
                trials=len(session.study.trials),
                best="-" if best is None else f"{best.result.objective:.4g}",
            )

        return session.run(on_trial, max_failures=max_failures)
