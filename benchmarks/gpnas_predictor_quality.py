"""GPNAS's GCN predictor (paper III.C) on NB201 cifar10: rank correlation on held-out cells.

For 50/100/200/400 training cells (drawn at random from the 9,445 cells with zero-cost proxies),
the predictor is fitted on their seed-averaged validation accuracy and scored (Kendall tau,
Spearman) on 2,000 other cells; next to it, every zero-cost proxy's Spearman on those same cells.
Repeated over --repeats draws. Writes benchmarks/results/gpnas_predictor_quality.json.

    python benchmarks/gpnas_predictor_quality.py --repeats 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np
import torch
from scipy.stats import kendalltau, spearmanr

from nas_core.tables.loader import load_benchmark
from nas_core.spaces.nb201 import NB201Cell
from nas_gpnas.predictor import GraphPredictor, PredictorSettings

SIZES = (50, 100, 200, 400)
HELD_OUT = 2000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("-o", default="benchmarks/results/gpnas_predictor_quality.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = os.environ.get("NAS_DATA_DIR", "../shared/data")
    table = load_benchmark("nb201", "cifar10", data)
    with open(Path(data) / "nb201" / "nb201_zc_proxies.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [NB201Cell.from_str(r["net_str"]) for r in rows]
    accuracy = np.array([table.query(c).metrics["valid_acc"] for c in cells])
    proxies = [k for k in rows[0] if k not in ("net", "net_str")]
    values = {p: np.array([float(r[p]) for r in rows]) for p in proxies}
    runs = []
    for repeat in range(args.repeats):
        order = np.random.default_rng(repeat).permutation(len(cells))
        test = order[:HELD_OUT]
        proxy_spearman = {p: float(spearmanr(values[p][test], accuracy[test]).statistic) for p in proxies}
        for size in SIZES:
            train = order[HELD_OUT : HELD_OUT + size]
            predictor = GraphPredictor(table.space, 0, PredictorSettings())
            started = time.perf_counter()
            predictor.fit([cells[i] for i in train], [None] * size, accuracy[train].tolist(), seed=repeat)
            fit_seconds = time.perf_counter() - started
            predicted = predictor.predict([cells[i] for i in test], [None] * len(test))
            runs.append({
                "repeat": repeat, "train_size": size, "fit_seconds": fit_seconds,
                "kendall_tau": float(kendalltau(predicted, accuracy[test]).statistic),
                "spearman": float(spearmanr(predicted, accuracy[test]).statistic),
                "proxy_spearman": proxy_spearman,
            })  # fmt: skip
            print(runs[-1]["train_size"], round(runs[-1]["kendall_tau"], 3), round(runs[-1]["spearman"], 3), flush=True)
    summary = {}
    for size in SIZES:
        mine = [r for r in runs if r["train_size"] == size]
        summary[str(size)] = {
            "kendall_tau_mean": float(np.mean([r["kendall_tau"] for r in mine])),
            "spearman_mean": float(np.mean([r["spearman"] for r in mine])),
            "spearman_std": float(np.std([r["spearman"] for r in mine])),
        }
    proxy_mean = {p: float(np.mean([r["proxy_spearman"][p] for r in runs])) for p in proxies}
    out = {
        "command": "python " + " ".join(sys.argv),
        "held_out": HELD_OUT,
        "repeats": args.repeats,
        "summary": summary,
        "proxy_spearman_mean": proxy_mean,
        "runs": runs,
    }
    Path(args.o).parent.mkdir(parents=True, exist_ok=True)
    Path(args.o).write_text(json.dumps(out, indent=1))
    print(json.dumps({"summary": summary, "synflow": proxy_mean.get("synflow")}, indent=1))


if __name__ == "__main__":
    main()
