"""``nas retrain-bench``: several search seeds per method, every answer retrained from scratch with
several seeds, next to random architectures of the same space retrained the same way.

A sibling of ``nas bench`` rather than a mode of it: ``nas bench`` runs searches on a table,
in memory, judged by the table's numbers over simulated time against the table's optimum; here
every search trains, is kept as a study file (``nas show``, ``nas draw``, ``nas search --resume``
work on it), and is judged by retraining its answer, against random architectures, not against an
optimum nobody knows. The two share the way methods are named (``--plugin SET``), the JSON that
is rewritten after every piece, ``--jobs`` and ``nas plot``; their options otherwise hardly overlap.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from nas_cli.files import write_json
from nas_cli.plugin_options import PluginCommand, given_plugin_options
from nas_cli.progress import steps_bar
from nas_cli.render import numbers_table, plain
from nas_core.budget import Budget
from nas_core.options import OptionGroup
from nas_core.plugin_sets import method_plugins, parse_method
from nas_core.preparation import collect_options
from nas_core.retrain_bench import RetrainBenchPlan, run_retrain_bench
from nas_core.tables.files import ENV as DATA_ENV


def _options_of_methods(values: list[str]) -> OptionGroup:
    """Options of every plugin named in any method (``label=a+b --a-option value``)."""
    names = tuple(dict.fromkeys(name for value in values for name in method_plugins(value)))
    return collect_options(names)


@click.command("retrain-bench", cls=PluginCommand, options_for=_options_of_methods)
@click.option("--plugin", "methods", multiple=True, required=True, metavar="METHOD",
              help="A method to compare (repeatable): a plugin set (darts, evolution+gpnas-predictor), optionally labelled "
                   "and with options of its own, quoted: 'milenas=darts --darts-method milenas'.")  # fmt: skip
@click.option("--space", required=True, help="Search space to train in (nb201, mlp, darts, ...).")
@click.option("--dataset", required=True, help="Dataset the searches and the retrainings train on.")
@click.option("--budget", "budgets", multiple=True, required=True, metavar="B", help="Per search: trials (DARTS: supernet epochs) or search time (10m).")
@click.option("--seeds", type=click.IntRange(min=1), default=5, show_default=True, help="Search seeds per method.")
@click.option("--seed-start", type=int, default=0, show_default=True, help="First search seed.")
@click.option("--retrain-epochs", type=click.IntRange(min=1), required=True, help="Epochs of every retraining from scratch.")
@click.option("--retrain-seeds", type=click.IntRange(min=1), default=3, show_default=True, help="Retrainings per architecture (seeds 0..N-1, the same for every architecture).")
@click.option("--random", "random_count", type=click.IntRange(min=0), default=20, show_default=True, help="Random architectures of the space to retrain alongside.")
@click.option("--random-seed", type=int, default=0, show_default=True, help="Seed that draws the random architectures.")
@click.option("--constraint", "constraints", multiple=True, metavar="METRIC<=V",
              help="Bound params, flops or latency_ms (repeatable): every search runs under it and the random architectures "
                   "are drawn from the members that satisfy it.")  # fmt: skip
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
@click.option("--data-dir", type=click.Path(file_okay=False), help=f"Folder with user-provided data (default: ${DATA_ENV}).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Searches and retrainings in parallel (processes).")
@click.option("--runs", type=click.Path(file_okay=False), help="Folder of the study files and the log of what is done (default: OUTPUT with .runs for .json).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Where to write the JSON results.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def retrain_bench(ctx: click.Context, **params: Any) -> None:
    """Search SEEDS times per method, retrain each answer RETRAIN-SEEDS times, compare with RANDOM
    random architectures retrained alike. Rerun the same command to continue: what is done is skipped."""
    output = Path(params["output"])
    runs = Path(params["runs"]) if params["runs"] else output.with_suffix(".runs")
    if runs.exists() and not runs.is_dir():
        raise click.UsageError(f"{runs} (the folder of its studies) is a file: name another with --runs")
    plan = RetrainBenchPlan(
        methods=tuple(parse_method(value) for value in params["methods"]),
        space=params["space"],
        dataset=params["dataset"],
        budget=Budget.parse(params["budgets"]),
        seeds=tuple(range(params["seed_start"], params["seed_start"] + params["seeds"])),
        retrain_epochs=params["retrain_epochs"],
        retrain_seeds=tuple(range(params["retrain_seeds"])),
        random_architectures=params["random_count"],
        random_seed=params["random_seed"],
        folder=runs,
        options=given_plugin_options(ctx),
        device=params["device"],
        data_dir=params["data_dir"] or os.environ.get(DATA_ENV),
        constraints=params["constraints"],
    )

    def checkpoint(results: dict[str, Any]) -> None:  # after every piece: a stopped bench keeps its report
        output.parent.mkdir(parents=True, exist_ok=True)
        write_json(output, results)

    command = f"cd {shlex.quote(os.getcwd())} && {shlex.join(['nas', *sys.argv[1:]])}"
    with steps_bar("searches and retrainings", quiet=params["quiet"]) as bar:
        task = bar.add_task("nas retrain-bench", total=None)

        def progress(done: int, total: int, what: str) -> None:
            # rich's pace leaves out the first step it hears of: pieces done before this run too
            bar.update(task, total=total, completed=done)
            bar.console.print(f"\\[{done}/{total}] {plain(what)}")

        results = run_retrain_bench(plan, jobs=params["jobs"], command=command, progress=None if params["quiet"] else progress,
                                    checkpoint=checkpoint)  # fmt: skip
    checkpoint(results)
    if not params["quiet"]:
        print_retrain_summary(results, Console())
        Console().print(f"wrote {plain(output)}; studies and log in {plain(runs)}")


def _acc(mean: float | None, std: float | None) -> str:
    return "-" if mean is None or std is None else f"{mean:.2f} ± {std:.2f}"


def print_retrain_summary(results: dict[str, Any], console: Console) -> None:
    plan = results["plan"]
    random = results["random"]["summary"]
    under = f" under {plain(', '.join(plan['constraints']))}" if plan.get("constraints") else ""
    table = numbers_table(
        f"{plain(plan['dataset'])}, {plain(plan['space'])}{under}: test accuracy [%] after retraining "
        f"{len(plan['retrain']['seeds'])} x {plan['retrain']['epochs']} epochs from scratch",
        ("method", "answers", "mean ± std", "s.e.", "retrain std", "beats random", "per search seed"),
    )
    for label, method in results["methods"].items():
        s = method["summary"]
        seeds = " ".join("-" if r["test_acc_mean"] is None else f"{r['test_acc_mean']:.1f}" for r in method["runs"])
        table.add_row(
            plain(label),
            f"{s['answers']}/{len(plan['seeds'])}",
            _acc(s["test_acc_mean"], s["test_acc_std"]),
            "-" if s["test_acc_se"] is None else f"{s['test_acc_se']:.2f}",
            "-" if s["retrain_std_mean"] is None else f"{s['retrain_std_mean']:.2f}",
            "-" if s["random_beaten"] is None else f"{s['random_beaten']} ({s['random_percentile']:.0f}%)",
            seeds,
        )
    if random["architectures"]:
        quartiles = " / ".join(f"{random['percentiles'][q]:.1f}" for q in ("25", "50", "75"))
        table.add_row(
            f"random ({random['architectures']} archs)", "", _acc(random["test_acc_mean"], random["test_acc_std"]),
            "", "", "", f"p25/50/75 {quartiles}",
        )  # fmt: skip
    console.print(table)
