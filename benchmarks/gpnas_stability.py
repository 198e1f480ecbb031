"""Cell-structure stability (paper IV.E) on NB201 cifar10.

For each fixed topology (one 0/1 per edge, NB201 edge order 0-1, 0-2, 1-2, 0-3, 1-3, 2-3) GPNAS runs
its operator BOHB alone (``--gpnas-topology``) for 12000 s simulated; a graphical predictor is
fitted on that run's trained cells, and predicts the error (100 - accuracy) of every cell the
operator search sampled. Reported per topology: the predictor's average and best predicted error,
next to the table's seed-averaged error of the same cells (mean and best).

    python benchmarks/gpnas_stability.py --seeds 1
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

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.types import Status
from nas_gpnas.predictor import GraphPredictor, PredictorSettings

TOPOLOGIES = {"full": "111111", "no 0-3": "111011", "chain": "101001", "0-2-3 and 0-3": "010101"}


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
    runs = []
    for name, topology in TOPOLOGIES.items():
        for seed in range(args.seeds):
            runs.append({"name": name, **one(topology, seed, data)})
            print(json.dumps(runs[-1]), flush=True)
    out = {"command": "python " + " ".join(sys.argv), "runs": runs}
    Path(args.o).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
