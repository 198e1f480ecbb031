"""DARTS (first and second order) and MiLeNAS in the NB201 cell space on digits and mnist1d.

For every dataset and method: one `nas search --plugin darts` (paper defaults: 50 supernet
epochs, NB201 supernet of 5 cells per stage from 16 channels), its search time (sum of the
epochs' measured cost), wall time and peak memory (max RSS of the search process); per epoch the
alphas, the supernet's validation accuracy, the skip-connection share and alpha entropy of the
derived cell. The architecture derived after the last epoch is retrained from scratch with the
core's trainer (`train_architecture`, the core's default training settings) next to 20 random NB201
cells retrained the same way, and every cell is looked up in the NB201 table (cifar10-valid,
seed-averaged 200-epoch accuracies) to show how search on proxy data transfers.

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_nb201.py            # the full protocol

What was run in the time box of the issue (a shared 2-core machine; mnist1d's epochs cost three
times digits', second order twice first order):

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_nb201.py --datasets digits --retrain-seeds 1
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_nb201.py --datasets mnist1d --epochs 10 --retrain-seeds 1 --random-cells 20

(those two ran at --schedule paper, before the cpu schedule existed). The alpha-entropy check of
the default (cpu) schedule: searches only, several seeds, no retraining, one JSON and PNG
(benchmarks/results/darts_nb201_entropy.{json,png}):

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_nb201.py --entropy-only --methods milenas --seeds 0 1 2

One JSON and one PNG per dataset (benchmarks/results/darts_nb201_<dataset>.{json,png}); each JSON
records the command and protocol that produced it.

Searches run as `nas search` processes with one torch thread (OMP_NUM_THREADS=1); their
studies are kept in runs/darts_nb201/ and a rerun resumes or reuses them. Retraining results
are cached in runs/darts_nb201/retrain.json.
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
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
RUNS = ROOT / "runs" / "darts_nb201"
METHODS = ("first-order", "second-order", "milenas")


def search(runs: Path, dataset: str, method: str, seed: int, epochs: int, schedule: str) -> dict[str, Any]:
    """One search as its own process (so its peak memory is its own); resumes a partial study.

    The process measurements are accumulated in a sidecar next to the study (wall seconds
    summed, peak memory the maximum over the processes that ran it), so a rerun that finds the
    study finished does not replace them by those of a process that had nothing left to do.
    """
    storage = runs / f"{dataset}_{method}_s{seed}_e{epochs}_{schedule}.db"
    sidecar = storage.with_suffix(".process.json")
    command = (
        f"nas search --plugin darts --space nb201 --dataset {dataset} --darts-method {method} --darts-schedule {schedule} "
        f"--darts-epochs {epochs} --budget {epochs} --seed {seed} --device cpu --quiet --storage {storage}"
    )
    measured = json.loads(sidecar.read_text()) if sidecar.exists() else {"process_wall_seconds": 0.0, "peak_rss_mb": 0.0, "processes": 0}
    if not (storage.exists() and measured.get("finished")):
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        started = time.perf_counter()
        resume = " --resume" if storage.exists() else ""
        process = subprocess.Popen(shlex.split(command + resume), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise SystemExit(f"search failed: {command}\n{process.stderr.read() if process.stderr else ''}")
        measured = {
            "process_wall_seconds": measured["process_wall_seconds"] + time.perf_counter() - started,
            "peak_rss_mb": max(measured["peak_rss_mb"], usage.ru_maxrss / 1024),
            "processes": measured["processes"] + 1,
            "finished": True,
        }
        sidecar.write_text(json.dumps(measured))
    return {"command": "OMP_NUM_THREADS=1 " + command, "storage": str(storage), **measured}


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


class Retrainer:
    """Trains NB201 cells from scratch on one dataset, the same way for every cell; cached."""

    def __init__(self, dataset: str, epochs: int, seeds: int, cache: Path) -> None:
        import torch

        from nas_core.datasets import builtin
        from nas_core.registry import DatasetRequest
        from nas_core.spaces.nb201 import NB201Space
        from nas_core.training.fit import DeviceData
        from nas_core.training.settings import TrainSettings

        torch.set_num_threads(1)
        self.dataset, self.seeds, self.cache_path = dataset, seeds, cache
        self.data = DeviceData(getattr(builtin, dataset)(DatasetRequest(None, 0)), torch.device("cpu"))
        self.space = NB201Space()
        self.settings = TrainSettings(epochs=epochs)
        self.cache: dict[str, Any] = json.loads(cache.read_text()) if cache.exists() else {}

    def __call__(self, arch_str: str) -> dict[str, Any]:
        from nas_core.config import stable_seed
        from nas_core.spaces.nb201 import NB201Cell
        from nas_core.training.trial import train_architecture

        runs = []
        for seed in range(self.seeds):
            key = f"{self.dataset}|{self.settings.epochs}|{seed}|{arch_str}"
            if key not in self.cache:
                trained = train_architecture(self.space, NB201Cell.from_str(arch_str), self.data, self.settings, stable_seed("retrain", seed))
                self.cache[key] = {**trained.metrics, "seconds": trained.report.seconds}
                self.cache_path.write_text(json.dumps(self.cache))
            runs.append(self.cache[key])
        return {
            "test_acc_mean": statistics.fmean(r["test_acc"] for r in runs),
            "valid_acc_mean": statistics.fmean(r["valid_acc"] for r in runs),
            "test_acc_runs": [r["test_acc"] for r in runs],
            "params_m": runs[0]["params"],
            "train_seconds": sum(r["seconds"] for r in runs),
        }


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
        alphas = np.array(run["trajectory"]["alphas_normal"])  # epochs x edges x ops
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
    for method, run in methods.items():
        points = [p for p in run["trajectory"]["epochs"] if p["status"] == "complete"]
        skip.plot([p["epoch"] for p in points], [p["skip_fraction"] for p in points], label=method)
        entropy.plot([p["epoch"] for p in points], [p["alpha_entropy"] for p in points], label=method)
    skip.set_title("skip-connection share of the derived cell", fontsize=9)
    entropy.set_title("mean alpha entropy (nats; uniform = ln 5 = 1.609)", fontsize=9)
    skip.set_xlabel("supernet epoch")
    entropy.set_xlabel("supernet epoch")
    skip.legend(fontsize=7)
    fig.suptitle(f"softmax(alpha) per NB201 edge over supernet epochs, {dataset}")
    fig.tight_layout()
    fig.savefig(output, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", help="--entropy-only: the search seeds (default: --seed)")
    parser.add_argument("--epochs", type=int, default=50, help="supernet epochs (DARTS: 50)")
    parser.add_argument("--schedule", default="cpu", choices=("cpu", "paper"), help="--darts-schedule of the searches")
    parser.add_argument("--entropy-only", action="store_true", help="searches only (no retraining): alpha entropy per epoch, per seed")
    parser.add_argument("--random-cells", type=int, default=20)
    parser.add_argument("--retrain-epochs", type=int, default=20, help="the core's default --train-epochs")
    parser.add_argument("--retrain-seeds", type=int, default=2)
    parser.add_argument("--runs", type=Path, default=RUNS, help="where the studies and the retraining cache live")
    parser.add_argument("--output-dir", type=Path, default=RESULTS, help="darts_nb201_<dataset>.json and .png go here")
    args = parser.parse_args()
    from nas_core.tables.loader import load_benchmark
    from nas_core.spaces.nb201 import NB201Space

    args.runs.mkdir(parents=True, exist_ok=True)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    if args.entropy_only:
        report = entropy_report(args)
        output = args.output_dir / "darts_nb201_entropy.json"
        output.write_text(json.dumps(report, indent=1))
        plot_entropy(report, output.with_suffix(".png"))
        print("wrote", output, "and", output.with_suffix(".png"), flush=True)
        return
    table = load_benchmark("nb201", "cifar10", os.environ.get("NAS_DATA_DIR"))
    rng = np.random.default_rng(args.seed)
    random_cells = [NB201Space().sample(rng).arch_str for _ in range(args.random_cells)]
    for dataset in args.datasets:
        report = run_dataset(dataset, args, table, random_cells)
        output = args.output_dir / f"darts_nb201_{dataset}.json"
        output.write_text(json.dumps(report, indent=1))
        plot(dataset, report, output.with_suffix(".png"))
        print("wrote", output, "and", output.with_suffix(".png"), flush=True)


def command_line() -> str:
    return "NAS_DATA_DIR=/work/shared/data python " + " ".join(shlex.quote(a) for a in sys.argv)


def entropy_report(args: argparse.Namespace) -> dict[str, Any]:
    """Per dataset, method and seed: the alphas' mean entropy after every epoch, and where they end."""
    runs: dict[str, Any] = {}
    for dataset in args.datasets:
        for method in args.methods:
            for seed in args.seeds or [args.seed]:
                process = search(args.runs, dataset, method, seed, args.epochs, args.schedule)
                trials, summary = read_study(process["storage"])
                path = trajectory(trials)
                done = [p for p in path["epochs"] if p["status"] == "complete"]
                final_alphas = np.array(path["alphas_normal"][-1])
                runs[f"{dataset}/{method}/s{seed}"] = {
                    **process, "dataset": dataset, "method": method, "seed": seed,
                    "search_seconds": summary["budget_used"]["cost_seconds"],
                    "alpha_entropy": [p["alpha_entropy"] for p in done],
                    "final_alpha_entropy": done[-1]["alpha_entropy"],
                    "final_max_weight": float(final_alphas.max()),
                    "final_edge_max_weights": final_alphas.max(axis=1).tolist(),
                    "final_arch": done[-1]["derived"],
                    "valid_acc": [p["valid_acc"] for p in done],
                    "collapsed_epochs": sum(p["collapsed"] for p in done),
                }  # fmt: skip
                print(f"{dataset} {method} seed {seed}: entropy {runs[f'{dataset}/{method}/s{seed}']['final_alpha_entropy']:.4f}, "
                      f"{runs[f'{dataset}/{method}/s{seed}']['search_seconds']:.0f} s", flush=True)  # fmt: skip
    return {
        "command": command_line(),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": 1,
                    "load_average_at_end": os.getloadavg()},
        "protocol": {"search_epochs": args.epochs, "schedule": args.schedule, "seeds": args.seeds or [args.seed],
                     "uniform_entropy": float(np.log(5))},
        "runs": runs,
    }  # fmt: skip


def plot_entropy(report: dict[str, Any], output: Path) -> None:
    """Alpha entropy per epoch, one panel per dataset, one line per method and seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = sorted({run["dataset"] for run in report["runs"].values()})
    fig, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 3.6), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        for name, run in report["runs"].items():
            if run["dataset"] == dataset:
                ax.plot(range(1, len(run["alpha_entropy"]) + 1), run["alpha_entropy"], label=name.split("/", 1)[1])
        ax.axhline(report["protocol"]["uniform_entropy"], color="grey", linestyle="--", label="uniform (ln 5)")
        ax.set_title(f"{dataset}: mean alpha entropy (nats), --darts-schedule {report['protocol']['schedule']}", fontsize=9)
        ax.set_xlabel("supernet epoch")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(output, dpi=90)
    plt.close(fig)


def run_dataset(dataset: str, args: argparse.Namespace, table: Any, random_cells: list[str]) -> dict[str, Any]:
    """The three searches on one dataset, their derived cells and the random cells, retrained."""
    retrain = Retrainer(dataset, args.retrain_epochs, args.retrain_seeds, args.runs / "retrain.json")
    methods = {}
    for method in args.methods:
        process = search(args.runs, dataset, method, args.seed, args.epochs, args.schedule)
        trials, summary = read_study(process["storage"])
        final = trials[-1]["result"]["info"]["derived"]["arch_str"]
        best = summary["best"]
        path = trajectory(trials)
        collapsed = [p["epoch"] for p in path["epochs"] if p["collapsed"]]
        methods[method] = {
            **process,
            "search_seconds": summary["budget_used"]["cost_seconds"],
            "final_arch": final,
            "final_retrained": retrain(final),
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
        print(dataset, method, {k: v for k, v in methods[method].items() if k != "trajectory"}, flush=True)
    randoms = []
    for arch in random_cells:
        randoms.append({"arch": arch, **retrain(arch), **nb201_lookup(table, arch)})
        print(dataset, "random", randoms[-1], flush=True)
    for run in methods.values():
        better = sum(r["test_acc_mean"] < run["final_retrained"]["test_acc_mean"] for r in randoms)
        run["beats_random_cells"] = f"{better}/{len(randoms)}"
    return {
        "command": command_line(),
        "dataset": dataset,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": 1,
                    "load_average_at_end": os.getloadavg()},
        "protocol": {"search_epochs": args.epochs, "seed": args.seed, "retrain_epochs": args.retrain_epochs,
                     "retrain_seeds": args.retrain_seeds, "random_cells": len(random_cells),
                     "retrain": "train_architecture: the core's default TrainSettings, NB201 network C=16 N=5"},
        "nb201_cifar10_reference": {"optimum_valid_acc": table.optimum.valid_acc, "optimum_test_acc": table.optimum.test_acc},
        "methods": methods,
        "random": {
            "cells": randoms,
            "retrained_test_acc": summary_stats([r["test_acc_mean"] for r in randoms]),
            "nb201_cifar10_test_acc": summary_stats([r["cifar10_test_acc"] for r in randoms]),
        },
    }  # fmt: skip


if __name__ == "__main__":
    main()
