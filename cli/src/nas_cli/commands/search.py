"""``nas search``: run (or resume) one search and record it in a study file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from nas_cli.plugin_options import PluginCommand, complete_plugin, given, given_plugin_options
from nas_cli.render import print_summary
from nas_core.tables.files import ENV as DATA_ENV
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import reading_study
from nas_core.report import summarize_storage
from nas_core.preparation import collect_options
from nas_core.session import Session, open_session
from nas_core.storage import StudyStorage
from nas_core.types import Trial


class Interrupted(click.ClickException):
    exit_code = 130


@click.command(cls=PluginCommand, options_for=lambda names: collect_options(tuple(names)))
@click.option("--plugin", "plugins", multiple=True, metavar="NAME", shell_complete=complete_plugin, help="Plugin to load (repeatable): a strategy, plus any estimators or filters.")
@click.option("--benchmark", help="Tabular benchmark: nb201, or the path of your own table (.csv/.json/.jsonl/.toml).")
@click.option("--dataset", help="Dataset, e.g. cifar10, cifar100, ImageNet16-120 for nb201.")
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
@click.option("--max-failures", type=click.IntRange(min=1), default=10, show_default=True, help="Stop after this many failed trials in a row.")
@click.option("--json", "as_json", is_flag=True, help="Print the study summary as JSON (no progress bar).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def search(ctx: click.Context, **params: Any) -> None:
    """Search for an architecture; every trial is recorded in the study file as it ends."""
    spec, storage = _spec_and_storage(ctx, params)
    session = open_session(spec, storage, resume=params["resume"])
    for warning in session.warnings:
        click.echo("warning: " + warning, err=True)
    try:
        reason = _run(session, show_progress=not (params["as_json"] or params["quiet"]), max_failures=params["max_failures"])
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


def _spec_and_storage(ctx: click.Context, params: dict[str, Any]) -> tuple[RunSpec, str]:
    options = given_plugin_options(ctx)
    data_dir = params["data_dir"] or os.environ.get(DATA_ENV)
    if params["resume"]:
        if not params["storage"]:
            raise click.UsageError("--resume needs --storage PATH of the study to continue")
        stored = _stored_spec(params["storage"])
        fields = stored.to_dict()
        for name in ("benchmark", "dataset", "space", "seed", "device", "scheduler", "dashboard", "constraints"):
            if given(ctx, name):
                fields[name] = params[name]
        if given(ctx, "workers") or given(ctx, "scheduler"):
            fields["workers"] = params["workers"] or 0
        if given(ctx, "plugins"):
            fields["plugins"] = list(dict.fromkeys(params["plugins"]))
        if params["budgets"] or params["timeout"]:
            fields["budget"] = Budget.parse(params["budgets"], params["timeout"]).to_dict()
        fields["options"] = {**fields["options"], **options}
        fields["data_dir"] = data_dir or fields["data_dir"]
        return RunSpec.from_dict(fields), params["storage"]
    if not params["plugins"]:
        raise click.UsageError("name a search strategy with --plugin (see: nas plugins)")
    spec = RunSpec(
        plugins=tuple(dict.fromkeys(params["plugins"])),  # a plugin named twice is loaded once
        budget=Budget.parse(params["budgets"] or ["100"], params["timeout"]),
        seed=params["seed"],
        benchmark=params["benchmark"],
        dataset=params["dataset"],
        space=params["space"],
        options=options,
        device=params["device"],
        data_dir=data_dir,
        workers=params["workers"] or 0,
        scheduler=params["scheduler"],
        dashboard=params["dashboard"],
        constraints=params["constraints"],
    )
    storage = params["storage"] or _default_storage(spec)
    return spec, storage


def _stored_spec(path: str) -> RunSpec:
    storage = StudyStorage.open(path, writer=False)
    try:
        with reading_study(path):
            return RunSpec.from_dict(storage.meta()["spec"])
    finally:
        storage.close()


def _default_storage(spec: RunSpec) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
    return str(Path("runs") / f"{stamp}-{'+'.join(spec.plugins)}-s{spec.seed}.db")


def _run(session: Session, *, show_progress: bool, max_failures: int) -> str:
    if not show_progress:
        return session.run(max_failures=max_failures)
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}% budget"),
        TextColumn("{task.fields[trials]} trials"),
        TextColumn("best {task.fields[best]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(session.strategy, total=1.0, trials=len(session.study.trials), best="-")

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
