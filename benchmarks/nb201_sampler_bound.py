"""How well can any one-shot sampler do on NB201 with N queries? An upper bound for RS-NAG.

RS-NAG (paper Algorithm 1) evaluates N architectures drawn from a generator conditioned on
"high accuracy", the top third of its NAS dataset, and keeps the one with the best objective.
A perfect generator draws N distinct cells uniformly from the space's true top third. This
script computes, exactly, the expected test accuracy of the cell such a sampler keeps, for
sampling uniformly among the top fraction q of all cells (by the objective the search sees,
NB201's single-seed validation accuracy), for several q. Sampling among the top q of N distinct
cells keeps the cell of rank k (1 = best objective in the pool of P) with probability
C(P - k, N - 1) / C(P, N).

    NAS_DATA_DIR=../shared/data python benchmarks/nb201_sampler_bound.py --queries 100

Writes ``results/nb201_sampler_bound.json``; the baselines' means (same N) come from
``results/nag_rsnag.json`` when it is there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
FRACTIONS = (1.0, 1 / 3, 0.1, 0.05, 0.02, 0.01)


def keep_probabilities(pool: int, queries: int) -> np.ndarray:
    """P(rank k of the pool is the best of ``queries`` distinct uniform draws), k = 1..pool."""

    def log_choose(n: int, r: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)

    total = log_choose(pool, queries)
    # rank k is kept when it is drawn and the other queries - 1 draws rank below it
    return np.array([
        math.exp(log_choose(pool - k, queries - 1) - total) if pool - k >= queries - 1 else 0.0
        for k in range(1, pool + 1)
    ])  # fmt: skip


def expected_kept(objective: np.ndarray, test: np.ndarray, fraction: float, queries: int) -> float:
    order = np.argsort(-objective, kind="stable")
    pool = max(queries, int(round(fraction * len(order))))
    keep = keep_probabilities(pool, queries)
    assert abs(keep.sum() - 1) < 1e-9, "the kept cell's distribution must sum to one"
    return float(keep @ test[order[:pool]])


def baselines(queries: int) -> dict[str, dict[str, float]]:
    path = RESULTS / "nag_rsnag.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if data.get("evaluated") != queries:
        return {}
    return {
        dataset: {name: s["test"]["mean"] for name, s in entry["summary"]["methods"].items()}
        for dataset, entry in data["datasets"].items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "nb201_sampler_bound.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    from nas_core.tables.nb201 import DATASETS, load_nb201

    root = Path(os.environ.get("NAS_DATA_DIR", "../shared/data"))
    measured = baselines(args.queries)
    result = {"command": "python " + " ".join(sys.argv), "queries": args.queries, "datasets": {}}
    for dataset in DATASETS.values():
        table = load_nb201(root, dataset)
        objective, test = table.column("valid_acc_1seed"), table.column("test_acc")
        bound = {f"top {q:.3g}": expected_kept(objective, test, q, args.queries) for q in FRACTIONS}
        result["datasets"][dataset] = {"sampler_bound_test": bound, "measured_test": measured.get(dataset, {})}
        print(dataset, " ".join(f"{name}: {value:.2f}" for name, value in bound.items()),
              "| measured:", ", ".join(f"{k} {v:.2f}" for k, v in measured.get(dataset, {}).items()))  # fmt: skip
    args.output.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
