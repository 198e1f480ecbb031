"""NAG's generator on NB201: what it generates per requested label, and how fast (paper Fig. 7/8).

For each fraction of the space (1% and 5% by default), a NAS dataset of that many distinct,
uniformly sampled NB201 cells is looked up in the table (the single-seed accuracy a query
returns, and params), labelled by tertiles of both, and NAG is trained on it with the paper's
settings (200 epochs; ``--gan NAME=VALUE`` changes one, for ablations). Then, per label, 1,000 architectures are generated: per accuracy label
(the params label drawn from the dataset's rows with that accuracy label), per params label (and
vice versa), and per pair of labels. For each group: validity, uniqueness, novelty (not in the
NAS dataset), and the true seed-averaged validation/test accuracy and params from the table, next
to uniformly sampled cells. Also the wall and CPU time of training and the generation
throughput, on one CPU thread.

    NAS_DATA_DIR=../shared/data python benchmarks/nag_generator_quality.py --dataset cifar10
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from nas_core.tables.loader import load_benchmark
from nas_nag.dataset import label_matrix, query_records
from nas_nag.gan import NAG
from nas_nag.grammar import grammar_for
from nas_nag.labels import INDICATORS
from nas_nag.quality import assess
from nas_nag.settings import GANSettings

warnings.simplefilter("ignore", DeprecationWarning)
RESULTS = Path(__file__).resolve().parent / "results"
ACC, PARAMS = INDICATORS[0], INDICATORS[1]


def describe(values: list[float]) -> dict[str, float]:
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values), "q1": q1, "median": median, "q3": q3}


def measure(bench, archs) -> dict[str, dict[str, float]]:
    results = [bench.query(arch).metrics for arch in archs]
    return {name: describe([m[name] for m in results]) for name in ("valid_acc", "test_acc", "params")}


def run_fraction(bench, fraction: float, samples: int, settings: GANSettings, seed: int) -> dict:
    space = bench.space
    size = round(fraction * space.size)
    records, queries, cost = query_records(space, np.random.default_rng(seed), size, bench.query)
    labels = label_matrix(records, (ACC, PARAMS))
    training_keys = {r.arch.key for r in records}
    nag = NAG(grammar_for(space), (3, 3), settings, seed)
    cpu = time.process_time()
    report = nag.fit([r.arch for r in records], labels)
    cpu = time.process_time() - cpu
    rng = np.random.default_rng(seed + 1)

    def group(name: str, rows: np.ndarray) -> dict:
        drawn = nag.generate(rows, rng)
        archs = [s.arch for s in drawn if s.arch is not None]
        return {"label": name, **assess(drawn, space, training_keys).to_dict(), **measure(bench, archs)}

    def with_other(column: int, k: int) -> np.ndarray:
        """``samples`` rows with class k in ``column``, the other label from dataset rows that have it."""
        matching = labels[labels[:, column] == k]
        return matching[rng.integers(len(matching), size=samples)]

    by_acc = [group(ACC.labels[k], with_other(0, k)) for k in range(3)]
    by_params = [group(PARAMS.labels[k], with_other(1, k)) for k in range(3)]
    pairs = [
        group(f"{ACC.labels[a]},{PARAMS.labels[p]}", np.tile([a, p], (samples, 1)))
        for a in range(3) for p in range(3)
    ]  # fmt: skip
    dataset_groups = {
        ind.labels[k]: measure(bench, [r.arch for r, row in zip(records, labels) if row[col] == k])
        for col, ind in enumerate((ACC, PARAMS)) for k in range(3)
    }  # fmt: skip
    started = time.perf_counter()
    produced = nag.generate(np.tile([2, 1], (10 * samples, 1)), rng)
    throughput = len(produced) / (time.perf_counter() - started)
    return {
        "fraction": fraction,
        "dataset_size": len(records),
        "dataset_queries": queries,
        "dataset_simulated_seconds": cost,
        "train_wall_seconds": report.seconds,
        "train_cpu_seconds": cpu,
        "train_iterations": report.iterations,
        "generation_archs_per_second": throughput,
        "history": report.history,
        "dataset_by_label": dataset_groups,
        "by_acc_label": by_acc,
        "by_params_label": by_params,
        "by_label_pair": pairs,
    }


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["fractions"]
    fig, axes = plt.subplots(len(runs), 3, figsize=(15, 4 * len(runs)), squeeze=False)
    for row, run in zip(axes, runs):
        title = f"{100 * run['fraction']:g}% of NB201 ({run['dataset_size']} cells)"
        for ax, key, metric, unit in (
            (row[0], "by_acc_label", "test_acc", "test accuracy (%)"),
            (row[1], "by_params_label", "params", "params (M)"),
        ):
            groups = run[key] + [{"label": "uniform", **result["uniform"]}]
            stats = [
                {"label": g["label"], "med": g[metric]["median"], "q1": g[metric]["q1"], "q3": g[metric]["q3"],
                 "whislo": g[metric]["q1"], "whishi": g[metric]["q3"], "mean": g[metric]["mean"]}
                for g in groups
            ]  # fmt: skip
            ax.bxp(stats, showmeans=True, showfliers=False)
            ax.set_ylabel(unit)
            ax.set_title(f"{title}: generated per label")
        ax = row[2]
        for name, values in run["history"].items():
            ax.plot(values, label=name)
        ax.set_xlabel("epoch")
        ax.set_title("training (per-epoch means)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.05])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--gan", action="append", default=[], metavar="NAME=VALUE", help="a GANSettings field, e.g. graph=probability")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    fields = {f.name: f.type for f in dataclasses.fields(GANSettings)}
    overrides = {name: {"int": int, "float": float}.get(fields[name], str)(value) for name, value in (g.split("=", 1) for g in args.gan)}
    settings = GANSettings(**overrides)
    output = args.output or RESULTS / f"nag_generator_quality_{args.dataset}.json"
    bench = load_benchmark("nb201", args.dataset, None)
    uniform_rng = np.random.default_rng(args.seed + 2)
    uniform = measure(bench, [bench.space.sample(uniform_rng) for _ in range(args.samples)])
    result = {
        "command": "python " + " ".join(sys.argv),
        "machine": f"{platform.processor() or platform.machine()}, torch {torch.__version__}, 1 thread",
        "dataset": args.dataset,
        "settings": vars(settings),
        "uniform": uniform,
        "fractions": [run_fraction(bench, f, args.samples, settings, args.seed) for f in args.fractions],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=1))
    plot(result, output.with_suffix(".png"))
    for run in result["fractions"]:
        print(f"{100 * run['fraction']:g}% ({run['dataset_size']} cells): trained in {run['train_wall_seconds']:.0f} s "
              f"wall / {run['train_cpu_seconds']:.0f} s CPU, {run['generation_archs_per_second']:.0f} archs/s")
        for g in run["by_acc_label"] + run["by_params_label"]:
            print(f"  {g['label']:14s} valid {g['validity']:.2f} unique {g['uniqueness']:.2f} novel {g['novelty']:.2f}  "
                  f"test {g['test_acc']['mean']:.2f}  params {g['params']['mean']:.3f}")
    print(f"  uniform        test {uniform['test_acc']['mean']:.2f}  params {uniform['params']['mean']:.3f}")
    print(f"wrote {output}\nreproduce: {result['command']}")


if __name__ == "__main__":
    main()
