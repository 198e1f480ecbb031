"""DARTS (first and second order) and MiLeNAS in the NB201 cell space on digits and mnist1d.

Per dataset, one `nas retrain-bench` does the protocol: SEEDS searches per method (`--plugin
darts`, `--darts-schedule cpu` by default: see the plugin's README), each derived cell
retrained from scratch with RETRAIN_SEEDS seeds (`nas retrain`'s training, the core's default
settings), next to 20 random NB201 cells retrained with the same seeds. This script adds what is
particular to DARTS on NB201, read from the studies the command keeps: per epoch the alphas,
the supernet's validation accuracy and the collapse watch of the derived cell; and every cell
looked up in the NB201 table (cifar10-valid, seed-averaged 200-epoch accuracies) to show how
search on proxy data transfers.

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_nb201.py            # the full protocol

One JSON and one PNG per dataset (benchmarks/results/darts_nb201_<dataset>.{json,png}); each
JSON records the commands that produced it. The studies, the retrain-bench log and its report are
kept in runs/darts_nb201/<dataset>/: a rerun skips every search and retraining already done.
(The results recorded before this script used `nas retrain-bench` came from one search seed per
method at what is now `--schedule paper`, retrained by hand with other retraining seeds; their
JSONs keep the command that ran.) The alpha-entropy check alone: benchmarks/darts_entropy.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
RUNS = ROOT / "runs" / "darts_nb201"
METHODS = ("first-order", "second-order", "milenas")
NAS = str(Path(sys.executable).with_name("nas"))


def retrain_bench(dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    """The searches, the retrainings and the random cells: `nas retrain-bench`, resumed if begun."""
    folder = args.runs / dataset
    output = folder.with_suffix(".json")
    command = [NAS, "retrain-bench", *(f for m in args.methods for f in ("--plugin", f"{m}=darts --darts-method {m}")),
               "--space", "nb201", "--dataset", dataset, "--darts-schedule", args.schedule, "--darts-epochs", str(args.epochs), "--budget", str(args.epochs),
               "--seeds", str(args.seeds), "--seed-start", str(args.seed), "--retrain-epochs", str(args.retrain_epochs),
               "--retrain-seeds", str(args.retrain_seeds), "--random", str(args.random_cells), "--random-seed", str(args.seed),
               "--device", "cpu", "--jobs", str(args.jobs), "--runs", str(folder), "-o", str(output)]  # fmt: skip
    subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(output.read_text())


def read_study(path: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from nas_core.report import summarize
    from nas_core.storage import StudyStorage

    storage = StudyStorage.open(path, writer=False)
    try:
        rows = list(storage.trials())
    finally:
        storage.close()
    return [{"candidate": r.candidate, "result": r.result, "wall_seconds": r.wall_seconds} for r in rows], summarize(path)


def trajectory(trials: list[dict[str, Any]]) -> dict[str, Any]:
    """Per epoch the supernet's accuracies and the collapse watch of the cell derived after it.

    ``cut_off`` (the derived cell computes zero) is recomputed from the derived cell, so studies
    recorded before the collapse watch knew it count it too; ``collapsed`` includes it.
    """
    from nas_core.spaces.nb201 import NB201Cell

    keep = ("valid_acc", "search_valid_acc", "train_acc", "skip_fraction", "parameter_free_fraction", "skip_weight", "alpha_entropy", "lr")
    per_epoch = []
    for t in trials:
        derived = t["result"]["info"].get("derived", {}).get("arch_str")
        metrics = t["result"]["metrics"]
        cut_off = derived is not None and NB201Cell.from_str(derived).key == "nb201:zero"
        per_epoch.append({"epoch": t["candidate"]["fidelity"], "status": t["result"]["status"], "derived": derived,
                          "seconds": t["result"]["cost_seconds"], **{k: metrics.get(k) for k in keep},
                          "cut_off": cut_off, "collapsed": bool(metrics.get("collapsed")) or cut_off})  # fmt: skip
    alphas = [t["result"]["info"]["alphas"]["normal"] for t in trials if t["result"]["status"] == "complete"]
    return {"epochs": per_epoch, "alphas_normal": alphas}


def nb201_lookup(table: Any, arch_str: str) -> dict[str, float]:
    from nas_core.spaces.nb201 import NB201Cell

    metrics = table.query(NB201Cell.from_str(arch_str)).metrics
    return {"cifar10_valid_acc": metrics["valid_acc"], "cifar10_test_acc": metrics["test_acc"]}


def summary_stats(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "median": statistics.median(values)}  # fmt: skip


def plot(dataset: str, entry: dict[str, Any], output: Path) -> None:
    """Alpha trajectories per NB201 edge and method, the derived cell's skip share and the entropy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nas_core.spaces.nb201 import EDGES, OPS

    methods = entry["methods"]
    rows = len(methods) + 1
    fig, axes = plt.subplots(rows, len(EDGES), figsize=(3 * len(EDGES), 2.6 * rows), squeeze=False)
    for row, (method, run) in enumerate(methods.items()):
        alphas = np.array(run["seeds"][0]["trajectory"]["alphas_normal"])  # the first seed's: epochs x edges x ops
        epochs = np.arange(1, len(alphas) + 1)
        for e, (i, j) in enumerate(EDGES):
            ax = axes[row][e]
            for o, op in enumerate(OPS):
                ax.plot(epochs, alphas[:, e, o], label=op)
            ax.set_title(f"{method}: edge {i}->{j}", fontsize=9)
            ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    for e in range(len(EDGES)):
        axes[-1][e].axis("off")
    skip = fig.add_subplot(rows, 2, 2 * rows - 1)
    entropy = fig.add_subplot(rows, 2, 2 * rows)
    for color, (method, run) in enumerate(methods.items()):
        for i, one in enumerate(run["seeds"]):
            points = [p for p in one["trajectory"]["epochs"] if p["status"] == "complete"]
            label = method if i == 0 else None
            skip.plot([p["epoch"] for p in points], [p["skip_fraction"] for p in points], color=f"C{color}", alpha=0.6, label=label)
            entropy.plot([p["epoch"] for p in points], [p["alpha_entropy"] for p in points], color=f"C{color}", alpha=0.6, label=label)
    skip.set_title("skip-connection share of the derived cell", fontsize=9)
    entropy.set_title("mean alpha entropy (nats; uniform = ln 5 = 1.609)", fontsize=9)
    skip.set_xlabel("supernet epoch")
    entropy.set_xlabel("supernet epoch")
    skip.legend(fontsize=7)
    fig.suptitle(f"softmax(alpha) per NB201 edge over supernet epochs (first search seed), {dataset}")
    fig.tight_layout()
    fig.savefig(output, dpi=90)
    plt.close(fig)


def protocol_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments this script shares with those that retrain its cells again."""
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--retrain-epochs", type=int, default=20, help="the core's default --train-epochs")
    parser.add_argument("--retrain-seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="searches and retrainings in parallel (processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    protocol_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="first search seed; also draws the random cells")
    parser.add_argument("--seeds", type=int, default=5, help="search seeds per method")
    parser.add_argument("--epochs", type=int, default=50, help="supernet epochs (DARTS: 50)")
    parser.add_argument("--schedule", default="cpu", choices=("cpu", "paper"), help="--darts-schedule of the searches")
    parser.add_argument("--random-cells", type=int, default=20)
    parser.add_argument("--runs", type=Path, default=RUNS, help="where the studies and the retrain-bench logs live")
    parser.add_argument("--output-dir", type=Path, default=RESULTS, help="darts_nb201_<dataset>.json and .png go here")
    args = parser.parse_args()
    from nas_core.tables.loader import load_benchmark

    args.runs.mkdir(parents=True, exist_ok=True)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    table = load_benchmark("nb201", "cifar10", os.environ.get("NAS_DATA_DIR"))
    for dataset in args.datasets:
        report = run_dataset(dataset, args, table)
        output = args.output_dir / f"darts_nb201_{dataset}.json"
        output.write_text(json.dumps(report, indent=1))
        plot(dataset, report, output.with_suffix(".png"))
        print("wrote", output, "and", output.with_suffix(".png"), flush=True)


def search_seed(run: dict[str, Any], table: Any) -> dict[str, Any]:
    """One search seed of a retrain-bench, with what DARTS' study adds: trajectory, collapse, NB201."""
    trials, summary = read_study(run["study"])
    final = run["answer"]["arch_str"]
    best = summary["best"]
    path = trajectory(trials)
    collapsed = [p["epoch"] for p in path["epochs"] if p["collapsed"]]
    return {
        **{k: run[k] for k in ("seed", "study", "search_command", "search_seconds", "search_wall_seconds", "retrains", "test_acc_mean", "test_acc_std")},
        "final_arch": final,
        "final_nb201": nb201_lookup(table, final),
        "final_skip_fraction": path["epochs"][-1]["skip_fraction"],
        "final_parameter_free_fraction": path["epochs"][-1]["parameter_free_fraction"],
        "final_cell_cut_off": path["epochs"][-1]["cut_off"],
        "best_epoch": best["metrics"]["epoch"], "best_epoch_arch": best["arch"]["arch_str"],
        "best_epoch_supernet_valid_acc": best["objective"],
        "final_supernet_valid_acc": trials[-1]["result"]["metrics"]["valid_acc"],
        "first_collapsed_epoch": collapsed[0] if collapsed else None,
        "collapsed_epochs": len(collapsed),
        "trajectory": path,
    }  # fmt: skip


def run_dataset(dataset: str, args: argparse.Namespace, table: Any) -> dict[str, Any]:
    """The retrain-bench of one dataset, with DARTS' trajectories and NB201 lookups added."""
    bench = retrain_bench(dataset, args)
    methods = {}
    for method, entry in bench["methods"].items():
        seeds = [search_seed(run, table) for run in entry["runs"]]
        methods[method] = {"summary": entry["summary"], "seeds": seeds}
        print(dataset, method, entry["summary"], flush=True)
    randoms = [{**cell, **nb201_lookup(table, cell["arch"]["arch_str"])} for cell in bench["random"]["architectures"]]
    return {
        "command": "NAS_DATA_DIR=/work/shared/data python " + " ".join(shlex.quote(a) for a in sys.argv),
        "retrain_bench_command": bench["command"],
        "dataset": dataset,
        "machine": {**bench["machine"], "python": platform.python_version(), "load_average_at_end": os.getloadavg()},
        "protocol": {**bench["plan"], "retrain": "nas retrain's training (the core's default settings, NB201 network C=16 N=5)"},
        "nb201_cifar10_reference": {"optimum_valid_acc": table.optimum.valid_acc, "optimum_test_acc": table.optimum.test_acc},
        "methods": methods,
        "random": {
            "cells": randoms,
            "retrained_test_acc": bench["random"]["summary"],
            "nb201_cifar10_test_acc": summary_stats([r["cifar10_test_acc"] for r in randoms]),
        },
    }  # fmt: skip


if __name__ == "__main__":
    main()
