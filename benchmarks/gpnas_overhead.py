"""GPNAS's own time per trial on NB201 (the issue's goal: under 150 ms).

A table lookup costs microseconds, so the CPU time of the search loop (``getrusage`` around
``session.run()``, start-up excluded) is GPNAS's: the two BOHBs, the predictor and its filter,
plus the core's bookkeeping. Measured for an in-memory study (what ``nas bench`` runs) and a study
file (what ``nas search`` writes: the plugins' states are saved with every trial), per budget:
the issue's 12000 s of simulated search time, and a run of trained queries long enough to show how
the cost grows with the history.

    NAS_DATA_DIR=../shared/data python benchmarks/gpnas_overhead.py --budget 12000s --budget 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

import torch

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.types import Status


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(spec: RunSpec, study_file: str | None) -> dict[str, float | int | str]:
    session = open_session(spec, study_file) if study_file else open_session(spec)
    try:
        cpu, wall = cpu_seconds(), time.perf_counter()
        session.run()
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
        trials = list(session.study.trials)
    finally:
        session.close()
    trained = sum(t.result.status.consumes_budget for t in trials)
    return {
        "study": "file" if study_file else "memory",
        "trials": len(trials),
        "trained": trained,
        "predicted": sum(t.result.status is Status.PREDICTED for t in trials),
        "loop_cpu_seconds": cpu,
        "loop_wall_seconds": wall,
        "cpu_ms_per_trial": 1000 * cpu / len(trials),
        "cpu_ms_per_trained": 1000 * cpu / max(trained, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", action="append", help="12000s, or a count of trained queries (repeatable)")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default=str(Path(__file__).parent / "results" / "gpnas_overhead.json"))
    args = parser.parse_args()
    data_dir = os.environ.get("NAS_DATA_DIR")
    if not data_dir:
        sys.exit("set NAS_DATA_DIR to the folder that contains nb201/")
    torch.set_num_threads(1)
    rows = []
    for text in args.budget or ["12000s", "300"]:
        spec = RunSpec(("gpnas",), Budget.parse([text]), args.seed, "nb201", args.dataset, None, {}, "cpu", data_dir)
        for in_a_file in (False, True):
            with tempfile.TemporaryDirectory() as scratch:
                row = {"budget": text, **measure(spec, os.path.join(scratch, "study.db") if in_a_file else None)}
            rows.append(row)
            print(f"{text:>7s} {row['study']:6s} {row['trials']:5d} trials ({row['trained']} trained): "
                  f"{row['cpu_ms_per_trial']:.0f} ms CPU per trial, {row['cpu_ms_per_trained']:.0f} per trained", flush=True)  # fmt: skip
            results = {"command": " ".join(sys.argv), "seed": args.seed, "dataset": args.dataset, "runs": rows}
            Path(args.output).write_text(json.dumps(results, indent=1))  # after every run: a stopped one keeps them
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
