"""GPNAS over several fidelities against plain BOHB and evolution on mnist1d (issue 24, item 2).

Every method searches the NB201 cell space on mnist1d (1x40 signals, trained from scratch) for the
same wall-clock time (``--timeout``, with a search-time budget of the same length: the wall clock
binds first, and a strategy's own overhead, GPNAS's predictor above all, counts against it):

- ``gpnas``: Hyperband brackets over epochs (``--gpnas-eta`` 3 from --train-epochs / 9), the
  predictor on (cell, epochs), the answer the best child at the highest fidelity reached;
- ``bohb`` (plugin ``smac``): SMAC's BOHB over the same budgets (``nas_core.fidelity_budgets``);
- ``evolution``: regularized evolution, every child trained for --train-epochs.

The curve of a run is the test accuracy of its incumbent after each trial, against the trial's
end in wall-clock seconds. The incumbent is chosen by one rule for every method: the best
validation accuracy among the trials at the highest fidelity reached so far
(``nas_core.best_at_highest_fidelity``; for evolution, every trial is full). Per method, the
mean and standard error over seeds on a grid of times, and the final values, go to
``results/gpnas_multifidelity.json`` with the command; the curves to ``.png``.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/gpnas_multifidelity.py --seeds 5 --minutes 30
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from nas_core import best_at_highest_fidelity, load_study
from nas_core.comparison import environment

METHODS = ("gpnas", "bohb", "evolution")
RESULTS = Path(__file__).resolve().parent / "results"
NAS = str(Path(sys.executable).with_name("nas"))
GRID_POINTS = 60


def search(method: str, seed: int, args: argparse.Namespace, storage: Path) -> None:
    seconds = f"{args.minutes * 60:g}s"
    command = [
        NAS, "search", "--plugin", method, "--space", "nb201", "--dataset", "mnist1d",
        "--train-epochs", str(args.epochs), "--nb201-channels", str(args.channels), "--nb201-cells", str(args.cells),
        "--budget", seconds, "--timeout", seconds, "--seed", str(seed), "--storage", str(storage), "--quiet",
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def curve(storage: Path) -> dict[str, object]:
    """The incumbent's test accuracy after each trial (by its end in wall-clock seconds), and counts."""
    study = load_study(storage)
    trials = study.trials
    ends = {row["trial_id"]: row["wall_seconds"] for row in study.table().records}
    order = sorted(trials, key=lambda t: ends[t.trial_id])
    points: list[tuple[float, float]] = []
    for k, trial in enumerate(order, start=1):
        incumbent = best_at_highest_fidelity(order[:k])
        if incumbent is not None:
            points.append((float(ends[trial.trial_id]), float(incumbent.result.metrics["test_acc"])))
    fidelities = Counter(str(t.candidate.fidelity) for t in trials if t.result.status.value == "complete")
    predicted = sum(t.result.status.value == "predicted" for t in trials)
    return {"points": points, "trained_per_fidelity": dict(fidelities), "predicted": predicted, "trials": len(trials)}


def at(points: list[tuple[float, float]], time: float) -> float:
    """The incumbent's test accuracy at ``time`` (NaN before the first incumbent)."""
    value = math.nan
    for end, accuracy in points:
        if end > time:
            break
        value = accuracy
    return value


def summarize_method(runs: list[dict[str, object]], grid: np.ndarray) -> dict[str, object]:
    values = np.array([[at(run["points"], t) for t in grid] for run in runs])  # type: ignore[arg-type]
    finals = values[:, -1]
    count = np.sum(~np.isnan(values), axis=0)
    mean = np.array([np.nanmean(c) if n else math.nan for c, n in zip(values.T, count)])
    se = np.array([np.nanstd(c, ddof=1) / math.sqrt(n) if n > 1 else math.nan for c, n in zip(values.T, count)])
    return {
        "final_test_acc": {"mean": float(np.nanmean(finals)), "se": float(np.nanstd(finals, ddof=1) / math.sqrt(len(finals))) if len(finals) > 1 else None,
                           "per_seed": [None if math.isnan(v) else float(v) for v in finals]},  # fmt: skip
        "mean": [None if math.isnan(v) else float(v) for v in mean],
        "se": [None if math.isnan(v) else float(v) for v in se],
        "runs_with_an_incumbent": [int(n) for n in count],
    }


def plot(summary: dict[str, dict[str, object]], grid: np.ndarray, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for method, result in summary.items():
        mean = np.array([np.nan if v is None else v for v in result["mean"]], dtype=float)  # type: ignore[union-attr]
        se = np.array([np.nan if v is None else v for v in result["se"]], dtype=float)  # type: ignore[union-attr]
        ax.plot(grid / 60, mean, label=method)
        ax.fill_between(grid / 60, mean - se, mean + se, alpha=0.2)
    ax.set_xlabel("wall clock (minutes)")
    ax.set_ylabel("test accuracy of the incumbent (%)")
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seed-start", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget of every run")
    parser.add_argument("--epochs", type=int, default=9, help="--train-epochs: the full fidelity")
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--cells", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--tag", default="", help="suffix of the output files")
    args = parser.parse_args()
    seeds = range(args.seed_start, args.seed_start + args.seeds)
    runs: dict[str, list[dict[str, object]]] = {method: [] for method in args.methods}
    with tempfile.TemporaryDirectory(prefix="gpnas-multifidelity-") as scratch:
        for seed in seeds:  # methods interleaved per seed: the machine's load falls on all of them alike
            for method in args.methods:
                storage = Path(scratch) / f"{method}-{seed}.db"
                search(method, seed, args, storage)
                run = curve(storage)
                runs[method].append({"seed": seed, **run})
                print(f"{method} seed {seed}: final test {run['points'][-1][1] if run['points'] else None}, "
                      f"trained per fidelity {run['trained_per_fidelity']}, predicted {run['predicted']}", flush=True)  # fmt: skip
    grid = np.linspace(0.0, args.minutes * 60, GRID_POINTS + 1)[1:]
    summary = {method: summarize_method(method_runs, grid) for method, method_runs in runs.items()}
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"gpnas_multifidelity{args.tag}"
    payload = {
        "command": " ".join([f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}", "python", *sys.argv]),
        "setting": {"space": "nb201", "dataset": "mnist1d", **{k: v for k, v in vars(args).items() if k != "tag"}},
        "incumbent": "best validation accuracy among the trials at the highest fidelity reached so far; its test accuracy",
        "grid_seconds": [float(t) for t in grid],
        "summary": summary,
        "runs": runs,
        "environment": environment(),
    }
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=1))
    title = f"mnist1d, NB201 cells ({args.channels} ch, {args.cells} cell/stage, {args.epochs} epochs), {len(seeds)} seeds"
    plot(summary, grid, stem.with_suffix(".png"), title)
    for method, result in summary.items():
        final = result["final_test_acc"]
        print(f"{method}: final test accuracy {final['mean']:.2f} ± {final['se'] or 0:.2f} (s.e.)")  # type: ignore[index]


if __name__ == "__main__":
    main()
