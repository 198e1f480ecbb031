"""Parallel trials on Dask: speed-up of 2 workers over 1, and the Dask path's overhead per trial.

1. Training-bound: random search over the MLP space on digits, 40 trials of about 2 s each
   (--train-epochs sets the size of a trial), run with --workers 1 and --workers 2. Random search
   proposes the same 40 architectures in both runs, so the work is identical.
2. Overhead: random search on the NB201 table (lookups take microseconds), sequential vs
   --workers 2: trials per second and milliseconds per trial.

Times are the driver's search wall time (from the study) and the whole command's wall time
(including starting the cluster). Run on a quiet machine:

    python benchmarks/parallel_speedup.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def search(args: str, storage: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        shlex.split(f"nas search {args} --storage {storage} --json"), capture_output=True, text=True, check=True
    )
    summary = json.loads(done.stdout)
    return {
        "command": f"nas search {args}",
        "trials": summary["trials"],
        "search_seconds": summary["budget_used"]["wall_seconds"],
        "command_seconds": time.perf_counter() - started,
        "mean_trial_cost_seconds": summary["budget_used"]["cost_seconds"] / summary["trials"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--train-epochs", type=int, default=60)
    parser.add_argument("--table-trials", type=int, default=1000)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "parallel_speedup.json")
    args = parser.parse_args()
    training = f"--plugin random --space mlp --dataset digits --budget {args.trials} --train-epochs {args.train_epochs} --seed 0"
    table = f"--plugin random --benchmark nb201 --dataset cifar10 --budget {args.table_trials} --seed 0"
    with tempfile.TemporaryDirectory() as tmp:
        one = search(f"{training} --workers 1", Path(tmp) / "w1.db")
        two = search(f"{training} --workers 2", Path(tmp) / "w2.db")
        sequential = search(table, Path(tmp) / "t0.db")
        dask = search(f"{table} --workers 2", Path(tmp) / "t2.db")
    report = {
        "command": "python benchmarks/parallel_speedup.py " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "output"
        ),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "training": {
            "workers_1": one,
            "workers_2": two,
            "speedup_search": one["search_seconds"] / two["search_seconds"],
            "speedup_command": one["command_seconds"] / two["command_seconds"],
        },
        "table_overhead": {
            "sequential": sequential,
            "workers_2": dask,
            "sequential_trials_per_s": sequential["trials"] / sequential["search_seconds"],
            "dask_trials_per_s": dask["trials"] / dask["search_seconds"],
            "dask_ms_per_trial": 1000 * dask["search_seconds"] / dask["trials"],
            "sequential_ms_per_trial": 1000 * sequential["search_seconds"] / sequential["trials"],
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
