"""Hardware-aware NB201 search: evolution and GPNAS under an edge-GPU latency limit, next to the
same searches without it.

On the NB201 cifar10 table, each method searches 12000 s simulated (the budget of
``nb201_baselines.sh`` and ``gpnas_nb201.sh``) with ``--constraint "hw_edgegpu_latency<=L"``,
L the median HW-NAS-Bench edge-GPU latency over the 15,625 cells (half of them are feasible),
and the same search, same seed, without the constraint. Seeds are 0..N-1, the seeds the other
NB201 benchmarks report. A run's answer is what ``nas show`` answers: under the constraint the
best feasible trial, without it the best trial. Reported per configuration: the answer's
seed-averaged validation and test accuracy (mean and standard error over seeds), the share of
runs whose answer is feasible, and the gap to the table's best feasible cell; next to that cell's
accuracies, and the feasible ceiling a search that picks by the noisy single-seed accuracy can
expect (the validation accuracy of the feasible cell with the best single-seed accuracy).

    OMP_NUM_THREADS=1 python benchmarks/hw_constrained_nb201.py --seeds 100
    OMP_NUM_THREADS=1 python benchmarks/hw_constrained_nb201.py --seeds 10 -o benchmarks/results/hw_constrained_nb201_10seeds.json

The JSON is rewritten after every run (``"complete": false`` until the last), seed by seed; run
again with the same arguments, an unfinished one continues where it stopped. A plot of every
answer (latency against validation accuracy) goes beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np

import nas_core
from nas_core import Status, load_benchmark
from nas_core.comparison import environment
from nas_core.constraints import Constraint

METRIC = "hw_edgegpu_latency"
RESULTS = Path(__file__).resolve().parent / "results"


def limit_and_table(dataset: str) -> dict[str, Any]:
    """The latency limit (the median over the table's cells) and what the table offers under it."""
    table = load_benchmark("nb201", dataset, None)
    latency = table.column(METRIC)
    limit = float(np.median(latency))
    feasible = latency <= limit
    valid, test, single = table.column("valid_acc"), table.column("test_acc"), table.column("valid_acc_1seed")
    best = int(np.flatnonzero(feasible)[np.argmax(valid[feasible])])
    picked = int(np.flatnonzero(feasible)[np.argmax(single[feasible])])
    overall = int(np.argmax(valid))
    return {
        "limit": limit,
        "cells": len(latency),
        "feasible_cells": int(feasible.sum()),
        "best_feasible": {"valid_acc": float(valid[best]), "test_acc": float(test[best]), METRIC: float(latency[best])},
        "exhaustive_feasible_valid_acc": float(valid[picked]),
        "best_overall": {"valid_acc": float(valid[overall]), "test_acc": float(test[overall]), METRIC: float(latency[overall])},
    }


def run_one(method: str, seed: int, dataset: str, budget: str, limit: float, constrained: bool) -> dict[str, Any]:
    """One search in memory: its answer's accuracies and latency, and what it evaluated."""
    constraint = str(Constraint(METRIC, "<=", limit))
    started = time.perf_counter()
    study = nas_core.search(method, benchmark="nb201", dataset=dataset, budget=budget, seed=seed, device="cpu",
                            storage=":memory:", constraints=[constraint] if constrained else None)  # fmt: skip
    trials, best, stopped = study.trials, study.best, study.stopped
    metrics = {} if best is None else best.result.metrics
    statuses = [t.result.status for t in trials]
    return {
        "seed": seed,
        "valid_acc": metrics.get("valid_acc"),
        "test_acc": metrics.get("test_acc"),
        METRIC: metrics.get(METRIC),
        "feasible": best is not None and metrics[METRIC] <= limit,
        "evaluations": sum(s.consumes_budget for s in statuses),
        "rejected": statuses.count(Status.REJECTED),
        "evaluated_infeasible": sum(s is Status.COMPLETE and t.result.metrics[METRIC] > limit for s, t in zip(statuses, trials)),
        "stopped": stopped,
        "wall_seconds": time.perf_counter() - started,
    }


def recorded_runs(output: Path, dataset: str, budget: str, constraint: str, wanted: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The runs an unfinished earlier invocation wrote to ``output`` for the same protocol, so a
    stopped benchmark continues where it stopped (a finished or different one is started anew)."""
    if not output.exists():
        return {}
    earlier = json.loads(output.read_text())
    if earlier.get("complete") or (earlier["dataset"], earlier["budget"], earlier["constraint"]) != (dataset, budget, constraint):
        return {}
    recorded = {label: config["runs"] for label, config in earlier["configurations"].items() if label in wanted}
    print(f"continuing {output}: {sum(map(len, recorded.values()))} runs recorded", flush=True)
    return recorded


def summarize(runs: list[dict[str, Any]], best_feasible_valid: float) -> dict[str, Any]:
    def mean_se(values: list[float]) -> tuple[float | None, float | None]:
        if not values:
            return None, None
        se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        return statistics.fmean(values), se

    answered = [r for r in runs if r["valid_acc"] is not None]
    valid, valid_se = mean_se([r["valid_acc"] for r in answered])
    test, test_se = mean_se([r["test_acc"] for r in answered])
    feasible_valid, _ = mean_se([r["valid_acc"] for r in answered if r["feasible"]])
    return {
        "runs": len(runs),
        "valid_acc_mean": valid,
        "valid_acc_se": valid_se,
        "test_acc_mean": test,
        "test_acc_se": test_se,
        "feasible_answers": sum(r["feasible"] for r in runs) / len(runs) if runs else None,
        "gap_to_best_feasible_valid": None if valid is None else best_feasible_valid - valid,
        "valid_acc_mean_of_feasible_answers": feasible_valid,
        "evaluations_mean": statistics.fmean(r["evaluations"] for r in runs) if runs else None,
        "rejected_mean": statistics.fmean(r["rejected"] for r in runs) if runs else None,
        "wall_seconds_mean": statistics.fmean(r["wall_seconds"] for r in runs) if runs else None,
    }


def plot(results: dict[str, Any], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = results["table"]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    markers = {"constrained": "o", "unconstrained": "x"}
    colors = dict(zip(dict.fromkeys(c["method"] for c in results["configurations"].values()), ("tab:blue", "tab:red", "tab:purple")))
    for label, config in results["configurations"].items():
        runs = [r for r in config["runs"] if r["valid_acc"] is not None]
        s = config["summary"]
        ax.scatter([r[METRIC] for r in runs], [r["valid_acc"] for r in runs], marker=markers[config["kind"]], s=22, alpha=0.6,
                   color=colors[config["method"]],
                   label=f"{label}: {s['valid_acc_mean']:.2f}±{s['valid_acc_se']:.2f}, {100 * s['feasible_answers']:.0f}% feasible")  # fmt: skip
    ax.axvline(table["limit"], color="black", linestyle="--", linewidth=1, label=f"limit {table['limit']:.3f} ms (median)")
    ax.axhline(table["best_feasible"]["valid_acc"], color="tab:green", linestyle=":", linewidth=1,
               label=f"best feasible cell {table['best_feasible']['valid_acc']:.2f}")  # fmt: skip
    ax.axhline(table["exhaustive_feasible_valid_acc"], color="tab:green", linestyle="-.", linewidth=1,
               label=f"feasible ceiling by single-seed accuracy {table['exhaustive_feasible_valid_acc']:.2f}")  # fmt: skip
    ax.set_xlabel(f"{METRIC} of the answer [ms]")
    ax.set_ylabel("validation accuracy of the answer [%] (seed-averaged)")
    ax.set_title(f"NB201 {results['dataset']}, {results['budget']}: answers of {len(results['seeds'])} seeds")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=100, help="seeds 0..N-1 (the other NB201 benchmarks report 0..99)")
    parser.add_argument("--methods", nargs="+", default=["evolution", "gpnas"])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--budget", default="12000s")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel processes")
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "hw_constrained_nb201.json")
    args = parser.parse_args()

    table = limit_and_table(args.dataset)
    seeds = list(range(args.seeds))
    # seed by seed, so the runs recorded when a long run is stopped are paired across configurations
    plan = [(method, kind, seed) for seed in seeds for method in args.methods for kind in ("constrained", "unconstrained")]
    runs: dict[str, list[dict[str, Any]]] = {f"{m} {k}": [] for m, k, _ in plan}
    runs.update(recorded_runs(args.output, args.dataset, args.budget, str(Constraint(METRIC, "<=", table["limit"])), runs))
    done = {(label, r["seed"]) for label, rs in runs.items() for r in rs}
    plan = [(m, k, s) for m, k, s in plan if (f"{m} {k}", s) not in done]
    started = time.time()

    def write(complete: bool) -> dict[str, Any]:
        results = {
            "command": " ".join([f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}", "python", *sys.argv]),
            "complete": complete,
            "dataset": args.dataset,
            "budget": args.budget,
            "seeds": seeds,
            "constraint": str(Constraint(METRIC, "<=", table["limit"])),
            "table": table,
            "configurations": {
                label: {
                    "method": label.split()[0],
                    "kind": label.split()[1],
                    "summary": summarize(sorted(rs, key=lambda r: r["seed"]), table["best_feasible"]["valid_acc"]),
                    "runs": sorted(rs, key=lambda r: r["seed"]),
                }
                for label, rs in runs.items()
            },
            "machine": {"platform": platform.platform(), "cores": os.cpu_count(), "load": os.getloadavg(), "jobs": args.jobs},
            "environment": environment(),
            "wall_seconds": time.time() - started,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2))
        return results

    def collect(method: str, kind: str, record: dict[str, Any]) -> None:
        runs[f"{method} {kind}"].append(record)
        print(f"{method:10s} {kind:13s} seed {record['seed']:3d}: valid {record['valid_acc']:.2f} test {record['test_acc']:.2f} "
              f"{METRIC} {record[METRIC]:.3f} feasible {record['feasible']}  ({record['wall_seconds']:.1f}s)", flush=True)  # fmt: skip
        write(complete=False)

    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
            running = {pool.submit(run_one, m, s, args.dataset, args.budget, table["limit"], k == "constrained"): (m, k) for m, k, s in plan}
            for done in as_completed(running):
                collect(*running[done], done.result())
    else:
        for method, kind, seed in plan:
            collect(method, kind, run_one(method, seed, args.dataset, args.budget, table["limit"], kind == "constrained"))
    results = write(complete=True)
    plot(results, args.output.with_suffix(".png"))
    best = table["best_feasible"]
    print(f"\nlimit {results['constraint']}; best feasible cell: valid {best['valid_acc']:.2f} test {best['test_acc']:.2f}; "
          f"feasible ceiling by single-seed accuracy: valid {table['exhaustive_feasible_valid_acc']:.2f}")  # fmt: skip
    for label, config in results["configurations"].items():
        s = config["summary"]
        print(f"{label:25s} valid {s['valid_acc_mean']:.2f} ± {s['valid_acc_se']:.2f}  test {s['test_acc_mean']:.2f} ± {s['test_acc_se']:.2f}  "
              f"feasible {100 * s['feasible_answers']:.0f}%  gap {s['gap_to_best_feasible_valid']:.2f}  "
              f"{s['wall_seconds_mean']:.1f}s per run")  # fmt: skip
    print(f"wrote {args.output} and {args.output.with_suffix('.png')}")


if __name__ == "__main__":
    main()
