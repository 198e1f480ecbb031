"""Alpha entropy per supernet epoch of DARTS-family searches in the NB201 cell space: searches
only, several seeds, no retraining (issue 18: the entropy must fall clearly below uniform,
ln 5 = 1.609, by the end of the default budget). One JSON and one PNG,
benchmarks/results/darts_nb201_entropy.{json,png}:

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_entropy.py --methods milenas --seeds 0 1 2

(The recorded results were made by the same code when it was `darts_nb201.py --entropy-only`;
their JSON keeps that command.) Searches run as `nas search` processes with one torch thread;
their studies are kept in runs/darts_nb201/ and a rerun resumes or reuses them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from darts_nb201 import METHODS, RESULTS, RUNS, read_study, trajectory


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--methods", nargs="+", default=["milenas"], choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", help="the search seeds (default: --seed)")
    parser.add_argument("--epochs", type=int, default=50, help="supernet epochs (DARTS: 50)")
    parser.add_argument("--schedule", default="cpu", choices=("cpu", "paper"), help="--darts-schedule of the searches")
    parser.add_argument("--runs", type=Path, default=RUNS, help="where the studies live")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    report = entropy_report(args)
    output = args.output_dir / "darts_nb201_entropy.json"
    output.write_text(json.dumps(report, indent=1))
    plot_entropy(report, output.with_suffix(".png"))
    print("wrote", output, "and", output.with_suffix(".png"), flush=True)


if __name__ == "__main__":
    main()
