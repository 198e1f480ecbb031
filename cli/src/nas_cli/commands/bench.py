"""``nas bench``: several seeds of one or several plugin sets on a tabular benchmark."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from nas_cli.files import write_json
from nas_cli.plugin_options import PluginCommand, complete_plugin, given_plugin_options
from nas_cli.progress import steps_bar
from nas_cli.render import numbers_table, plain
from nas_core.comparison import BenchPlan, run_bench
from nas_core.plugin_sets import parse_plugin_set
from nas_core.tables.files import ENV as DATA_ENV
from nas_core.budget import Budget
from nas_core.options import OptionGroup
from nas_core.preparation import collect_options


def _options_of_sets(values: list[str]) -> OptionGroup:
    """Options of every plugin named in any set (a set is ``a+b``)."""
    names = tuple(dict.fromkeys(name for value in values for name in parse_plugin_set(value)))
    return collect_options(names)


@click.command(cls=PluginCommand, options_for=_options_of_sets)
@click.option("--plugin", "plugin_sets", multiple=True, required=True, metavar="SET", shell_complete=complete_plugin, help="A plugin set to compare, e.g. evolution or evolution+gpnas-predictor (repeatable).")
@click.option("--benchmark", default="nb201", show_default=True, help="nb201, or the path of your own table.")
@click.option("--dataset", help="Dataset of the benchmark (cifar10, cifar100, ImageNet16-120 for nb201).")
@click.option("--seeds", type=click.IntRange(min=1), default=10, show_default=True, help="Number of seeds per set.")
@click.option("--seed-start", type=int, default=0, show_default=True, help="First seed.")
@click.option("--budget", "budgets", multiple=True, required=True, metavar="B", help="Per run: trials (150) or simulated search time (12000s).")
@click.option("--data-dir", type=click.Path(file_okay=False), help=f"Folder that contains nb201/ (default: ${DATA_ENV}, else the shipped NB201 tables).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Runs in parallel (processes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Where to write the JSON results.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--constraint", "constraints", multiple=True, metavar="METRIC<=V",
              help="Every run searches under it (repeatable), e.g. hw_edgegpu_latency<=5; regret is measured to the best cell that satisfies them.")
@click.option("--stop-at-optimum", is_flag=True, help="End a run once it has evaluated the optimum: for the queries to find it (final accuracies then do not compare).")
@click.pass_context
def bench(ctx: click.Context, **params: Any) -> None:
    """Run SEEDS searches per plugin set and write per-seed curves and a summary per set."""
    plan = BenchPlan(
        plugin_sets=tuple(parse_plugin_set(v) for v in params["plugin_sets"]),
        benchmark=params["benchmark"],
        dataset=params["dataset"],
        seeds=tuple(range(params["seed_start"], params["seed_start"] + params["seeds"])),
        budget=Budget.parse(params["budgets"]),
        options=given_plugin_options(ctx),
        data_dir=params["data_dir"] or os.environ.get(DATA_ENV),
        stop_at_optimum=params["stop_at_optimum"],
        constraints=params["constraints"],
    )
    total = len(plan.plugin_sets) * len(plan.seeds)
    done = [0]
    warned: set[tuple[str, str]] = set()
    output = Path(params["output"])
    output.parent.mkdir(parents=True, exist_ok=True)

    with steps_bar("runs", quiet=params["quiet"]) as bar:
        task = bar.add_task("nas bench", total=total)

        def progress(label: str, record: dict[str, Any]) -> None:
            for warning in record["warnings"]:  # the same for every seed of a set: said once
                if (label, warning) not in warned:
                    warned.add((label, warning))
                    bar.console.print(f"warning: {plain(label)}: {plain(warning)}")
            done[0] += 1
            bar.update(task, completed=done[0])
            answer = "no feasible answer" if record["final_valid"] is None else f"valid {record['final_valid']:.2f}"
            bar.console.print(f"\\[{done[0]}/{total}] {plain(label)} seed {record['seed']}: {answer} after {record['queries']} queries")

        # written after every run: a stopped bench keeps its runs
        results = run_bench(plan, jobs=params["jobs"], progress=None if params["quiet"] else progress, checkpoint=lambda so_far: write_json(output, so_far))
    write_json(output, results)
    if not params["quiet"]:
        print_bench_summary(results, Console())
        Console().print(f"wrote {plain(output)}")


def print_bench_summary(results: dict[str, Any], console: Console) -> None:
    optimum = results["optimum"]
    constraints = results.get("constraints") or []
    under = f" under {plain(', '.join(constraints))}" if constraints else ""
    table = numbers_table(
        f"{plain(results['benchmark'])} {plain(results['dataset'])}{under}: optimum valid {optimum['valid_acc']:.2f}, "
        f"exhaustive search reports {optimum['exhaustive_valid_acc']:.2f}",
        ("plugins", "runs", "answered", "valid", "test", "regret", "queries", "optimum found"),
    )
    for label, s in results["summary"].items():
        table.add_row(
            plain(label),
            str(s["runs"]),
            str(s["answered"]),
            _spread(s["final_valid_mean"], s["final_valid_std"]),
            _spread(s["final_test_mean"], s["final_test_std"]),
            "-" if s["regret_mean"] is None else f"{s['regret_mean']:.3f}",
            f"{s['queries_mean']:.1f}",
            f"{100 * s['found_optimum_rate']:.0f}%",
        )
    console.print(table)


def _spread(mean: float | None, std: float | None) -> str:
    """``mean ± std``, or ``-`` for a set none of whose runs has an answer (none feasible)."""
    return "-" if mean is None or std is None else f"{mean:.2f} ± {std:.2f}"
