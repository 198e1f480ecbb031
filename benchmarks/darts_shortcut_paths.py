"""Do NB201 cells with a parameter-free path from input to output retrain better on digits and mnist1d?

Why asked: perturbation-based selection lost its held-out seeds with cells of convolutions only
(plugins/darts/README.md). The supernet under `--darts-schedule cpu` has one cell per stage,
the retrained network five, so a selection made on the supernet may not see what a deep stack
of cells needs. This reads every architecture that darts_retrain_protocol.py and
darts_derivation.py retrained (their shared log, runs/darts_retrain_protocol/<dataset>.jsonl:
random cells, the methods' answers, the held-out answers) under one protocol, splits them by
whether some path from the cell's input to its output runs through skip or pooling edges only,
and compares the two groups' mean test accuracies (medians, Mann-Whitney U). Descriptive: the
cells are not a random sample (answers are chosen by searches).

    python benchmarks/darts_shortcut_paths.py        # benchmarks/results/darts_shortcut_paths.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from darts_nb201 import RESULTS
from darts_retrain_protocol import RUNS, read_log

PARAMETER_FREE = frozenset({"skip_connect", "avg_pool_3x3"})


def has_free_path(arch_str: str) -> bool:
    """Whether the cell's output is reachable from its input through parameter-free edges only."""
    from nas_core import NB201_EDGES, NB201_NUM_NODES, NB201Cell

    ops = NB201Cell.from_str(arch_str).ops
    reached = {0}
    for (source, target), op in sorted(zip(NB201_EDGES, ops), key=lambda edge: edge[0][1]):
        if source in reached and op in PARAMETER_FREE:
            reached.add(target)
    return NB201_NUM_NODES - 1 in reached


def group(accuracies: list[float]) -> dict[str, Any]:
    return {"cells": len(accuracies), "median": statistics.median(accuracies), "mean": statistics.fmean(accuracies),
            "min": min(accuracies)}  # fmt: skip


def compare(dataset: str, epochs: int, schedule: str, seeds: int) -> dict[str, Any]:
    from scipy.stats import mannwhitneyu

    runs: dict[str, dict[int, float]] = defaultdict(dict)
    for (arch, seed, run_epochs, run_schedule), acc in read_log(RUNS / f"{dataset}.jsonl").items():
        if run_epochs == epochs and run_schedule == schedule and seed < seeds:
            runs[arch][seed] = acc
    means = {arch: statistics.fmean(accs.values()) for arch, accs in runs.items() if len(accs) == seeds}
    groups: dict[bool, list[float]] = {True: [], False: []}
    for arch, acc in means.items():
        groups[has_free_path(arch)].append(acc)
    free, plain = groups[True], groups[False]
    return {
        "with_free_path": group(free),
        "without": group(plain),
        "mann_whitney_p": float(mannwhitneyu(free, plain).pvalue),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--schedule", default="cosine")
    parser.add_argument("--seeds", type=int, default=3, help="cells retrained with seeds 0..N-1 all count")
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "darts_shortcut_paths.json")
    args = parser.parse_args()
    result = {
        "command": "python benchmarks/darts_shortcut_paths.py " + " ".join(sys.argv[1:]),
        "protocol": {"epochs": args.epochs, "schedule": args.schedule, "seeds": args.seeds},
        "parameter_free_ops": sorted(PARAMETER_FREE),
        "datasets": {ds: compare(ds, args.epochs, args.schedule, args.seeds) for ds in args.datasets},
    }
    args.output.write_text(json.dumps(result, indent=1))
    for ds, found in result["datasets"].items():
        free, plain = found["with_free_path"], found["without"]
        print(f"{ds}: with a free path {free['cells']} cells, median {free['median']:.2f}; without {plain['cells']}, "
              f"median {plain['median']:.2f}; Mann-Whitney p {found['mann_whitney_p']:.1g}")  # fmt: skip
    print("wrote", args.output)


if __name__ == "__main__":
    main()
