"""Cell-structure stability (paper IV.E) on NB201 cifar10.

The paper fixes 10 cell graphs and runs only the operator BOHB on each. NB201 has no published
"optimal structures" of other methods to borrow, so the 10 topologies (one 0/1 per edge, NB201 edge
order 0-1, 0-2, 1-2, 0-3, 1-3, 2-3; only those whose output is reachable from the input) are
spread over the table's ranking of topologies by their best cell: ranks 0, k, 2k, ... of the
ranking, from the strongest structure to the weakest. For each one, GPNAS runs
its operator BOHB alone (``--gpnas-topology``) for 12000 s simulated; a graphical predictor is
fitted on that run's trained cells, and predicts the error (100 - accuracy) of every cell the
operator search sampled. Reported per topology: the predictor's average and best predicted error,
next to the table's seed-averaged error of the same cells (mean and best).

    python benchmarks/gpnas_stability.py --seeds 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np
import torch

from nas_core.tables.loader import load_benchmark
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.spaces.nb201 import NB201Space
from nas_core.types import Status
from nas_gpnas.decoupling import MISSING, PRESENT, Decoupling
from nas_gpnas.graphs import ABSENT
from nas_gpnas.predictor import GraphPredictor, PredictorSettings

TOPOLOGY_COUNT = 10


def ranked_topologies(data: str) -> list[tuple[str, float]]:
    """Every connected topology with its best cell's seed-averaged validation accuracy, best first."""
    space = NB201Space()
    table = load_benchmark("nb201", "cifar10", data)
    decoupling = Decoupling.of(space)
    best: dict[str, float] = {}
    for cell in space.enumerate():
        present = [op != ABSENT for op in space.to_decisions(cell)]
        topology = {d.name: PRESENT if p else MISSING for d, p in zip(decoupling.edges, present)}
        pattern = "".join("1" if p else "0" for p in present)
        if decoupling.connected(topology):
            accuracy = table.query(cell).metrics["valid_acc"]
            best[pattern] = max(best.get(pattern, -np.inf), accuracy)
    return sorted(best.items(), key=lambda item: -item[1])


def spread(ranked: list[tuple[str, float]], count: int) -> list[tuple[int, str, float]]:
    """``count`` entries at evenly spaced ranks, first and last included."""
    ranks = np.linspace(0, len(ranked) - 1, count).round().astype(int)
    return [(int(r), *ranked[r]) for r in ranks]


def one(topology: str, seed: int, data: str) -> dict:
    spec = RunSpec(
        plugins=("gpnas",), budget=Budget(seconds=12000.0), seed=seed, benchmark="nb201", dataset="cifar10",
        options={"gpnas_topology": topology}, device="cpu", data_dir=data,
    )  # fmt: skip
    session = open_session(spec)
    try:
        session.run()
        trials = list(session.study.trials)
        space = session.space
    finally:
        session.close()
    trained = [t for t in trials if t.result.status is Status.COMPLETE]
    sampled = [t for t in trials if t.result.status in (Status.COMPLETE, Status.PREDICTED)]
    predictor = GraphPredictor(space, 0, PredictorSettings())
    predictor.fit([t.candidate.arch for t in trained], [None] * len(trained), [t.result.objective for t in trained], seed)
    predicted_error = 100.0 - np.array(predictor.predict([t.candidate.arch for t in sampled], [None] * len(sampled)))
    table_error = 100.0 - np.array([t.result.metrics.get("valid_acc", np.nan) for t in trained])
    return {
        "topology": topology, "seed": seed, "trained": len(trained), "sampled": len(sampled),
        "predicted_error_mean": float(predicted_error.mean()), "predicted_error_best": float(predicted_error.min()),
        "table_error_mean_trained": float(np.nanmean(table_error)), "table_error_best_trained": float(np.nanmin(table_error)),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("-o", default="benchmarks/results/gpnas_stability.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = os.environ.get("NAS_DATA_DIR", "../shared/data")
    ranked = ranked_topologies(data)
    runs = []
    for rank, topology, table_best in spread(ranked, TOPOLOGY_COUNT):
        for seed in range(args.seeds):
            runs.append({"rank": rank, "of": len(ranked), "table_best_valid": table_best, **one(topology, seed, data)})
            print(json.dumps(runs[-1]), flush=True)
    out = {"command": "python " + " ".join(sys.argv), "runs": runs}
    Path(args.o).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
