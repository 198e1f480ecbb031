"""``nas plot``: regret curves of bench files, a retrain-bench's accuracies, the best-so-far
curve of a study, or a study's trials over two metrics with their Pareto front."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from nas_core.pareto import parse_axes, study_front
from nas_core.report import best_so_far
from nas_core.storage import StudyStorage
from nas_core.types import Result


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="PNG file to write.")
@click.option("--pareto", metavar="X,Y", help="For one study: every trial over these two metrics, the feasible "
              "non-dominated ones marked as the front (directions as in nas show --pareto).")  # fmt: skip
def plot(paths: tuple[str, ...], output: str, pareto: str | None) -> None:
    """Plot bench results (*.json, mean regret with 95% bands), one retrain-bench result (*.json,
    retrained accuracies against random architectures) or one study (best so far, or with
    --pareto its trials over two metrics and their Pareto front)."""
    from nas_cli.plotting import plot_bench_regret, plot_pareto, plot_retrain_bench, plot_study  # matplotlib is slow to import

    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    if pareto is not None:
        if len(paths) != 1 or paths[0].endswith(".json"):
            raise click.ClickException("--pareto plots a single study file")
        if len(parse_axes(pareto)) != 2:
            raise click.UsageError(f"--pareto {pareto!r}: a plot has two axes, name two metrics")
        plot_pareto(study_front(paths[0], pareto), Path(paths[0]).name, target)
    elif all(p.endswith(".json") for p in paths):
        results = [_read_json(path) for path in paths]
        if len(results) == 1 and _is_retrain_bench(results[0]):
            plot_retrain_bench(results[0], target)
        else:
            for path, data in zip(paths, results):
                if "runs" not in data or "optimum" not in data:
                    raise click.ClickException(f"{path} is not a result of nas bench (or of nas retrain-bench, which plots alone)")
            plot_bench_regret(results, target)
    elif len(paths) == 1:
        storage = StudyStorage.open(paths[0], writer=False)
        try:
            rows = list(storage.trials())
        finally:
            storage.close()
        curve = best_so_far([Result.from_dict(row.result) for row in rows])
        offset = len(rows) - len(curve)
        points = [
            (rows[offset + i].trial_id, cost, float(best.objective or 0.0), best.metrics.get("valid_acc"))
            for i, (cost, best) in enumerate(curve)
        ]
        plot_study(points, Path(paths[0]).name, target)
    else:
        raise click.ClickException("plot either bench results (*.json, one or more) or a single study file")
    click.echo(f"wrote {target}")


def _read_json(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path} is not a result of nas bench or nas retrain-bench")
    return data


def _is_retrain_bench(data: dict[str, Any]) -> bool:
    return "methods" in data and "random" in data and "plan" in data
