"""Does the retraining protocol rank NB201 cells? The DARTS answers and random cells of
benchmarks/darts_nb201.py retrained again under another learning-rate schedule.

`darts_nb201.py` retrained with the core's default training: Adam at a constant learning rate for
20 epochs, scored on the last epoch's weights. On digits and mnist1d a cell's three retrainings
then differed by 2-5 points, more than the cells differ from each other. This script takes the
same architectures (every search seed's answer and the 20 random cells, read from
darts_nb201_<dataset>.json, so no search is rerun) and retrains each with the same seeds and epochs
under `--train-lr-schedule SCHEDULE` (default cosine: annealed to 0, so the last epoch's weights
settle). It reports both protocols side by side:

- the noise: each cell's spread over its retraining seeds, averaged;
- whether the protocol ranks cells: over the random cells, the rank correlation of one retraining
  seed with the mean of the others (split-half reliability);
- the issue's goal under each: every method's mean test accuracy against the random quartiles.

    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_retrain_protocol.py --datasets mnist1d --methods milenas --jobs 2

Every retraining is appended to runs/darts_retrain_protocol/<dataset>.jsonl as it ends, so a
stopped run continues where it stopped. Output: benchmarks/results/darts_retrain_protocol_<dataset>.{json,png}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from darts_nb201 import RESULTS, protocol_arguments

RUNS = ROOT / "runs" / "darts_retrain_protocol"


def retrain_one(dataset: str, arch_str: str, seed: int, epochs: int, schedule: str, data_dir: str | None) -> dict[str, Any]:
    """One retraining from scratch, exactly as `nas retrain-bench` trains (one thread, cpu)."""
    import torch

    from nas_core.budget import Budget
    from nas_core.config import RunSpec
    from nas_core.retrain import train_from_scratch

    torch.set_num_threads(1)
    spec = RunSpec(("random",), Budget(trials=1), 0, None, dataset, "nb201", {"train_lr_schedule": schedule}, "cpu", data_dir)
    result = train_from_scratch(spec, {"kind": "nb201", "arch_str": arch_str}, epochs, seed=seed, device="cpu")
    return {"arch_str": arch_str, "seed": seed, "epochs": epochs, "schedule": schedule,
            "test_acc": result["test_acc"], "valid_acc": result["valid_acc"], "seconds": result["seconds"]}  # fmt: skip


def recorded(dataset: str, methods: list[str]) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The earlier run's report, each method's answers (by search seed) and the random cells."""
    report = json.loads((RESULTS / f"darts_nb201_{dataset}.json").read_text())
    answers = {m: [s["final_arch"] for s in report["methods"][m]["seeds"]] for m in methods}
    cells = [c["arch"]["arch_str"] for c in report["random"]["cells"]]
    return report, answers, cells


def read_log(path: Path) -> dict[tuple[str, int, int, str], float]:
    done = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                done[(r["arch_str"], r["seed"], r["epochs"], r["schedule"])] = r["test_acc"]
    return done


def retrained(dataset: str, archs: list[str], args: argparse.Namespace, log: Path) -> dict[str, list[float]]:
    """Every architecture's test accuracies over retraining seeds 0..N-1 under ``args.schedule``:
    those in ``log`` read back, the others trained in ``args.jobs`` processes and appended to it."""
    done = read_log(log)
    key = lambda arch, seed: (arch, seed, args.retrain_epochs, args.schedule)
    todo = [(a, s) for a in archs for s in range(args.retrain_seeds) if key(a, s) not in done]
    print(f"{dataset}: {len(todo)} of {len(archs) * args.retrain_seeds} retrainings to run", flush=True)
    with ProcessPoolExecutor(args.jobs) as pool, log.open("a") as out:
        futures = [pool.submit(retrain_one, dataset, a, s, args.retrain_epochs, args.schedule, args.data_dir) for a, s in todo]
        for i, future in enumerate(as_completed(futures), 1):
            r = future.result()
            out.write(json.dumps(r) + "\n")
            out.flush()
            done[key(r["arch_str"], r["seed"])] = r["test_acc"]
            print(f"  {i}/{len(todo)} seed {r['seed']} {r['test_acc']:.1f} ({r['seconds']:.0f} s) {r['arch_str']}", flush=True)
    return {a: [done[key(a, s)] for s in range(args.retrain_seeds)] for a in archs}


def split_half(per_cell: list[list[float]]) -> float | None:
    """Spearman rank correlation, across cells, of the first retraining seed with the mean of the
    others: how well one retraining orders cells as the rest do (ranks, so one very bad cell
    cannot make an unreliable protocol look reliable)."""
    from scipy.stats import spearmanr

    if len(per_cell) < 3 or min(len(c) for c in per_cell) < 2:
        return None
    first = [c[0] for c in per_cell]
    rest = [statistics.fmean(c[1:]) for c in per_cell]
    return float(spearmanr(first, rest).statistic)


def protocol_summary(answers: dict[str, list[str]], cells: list[str], accs: dict[str, list[float]]) -> dict[str, Any]:
    """Methods against the random cells, the noise and the split-half reliability, for one protocol."""
    from nas_core.retrain_bench.summary import over_search_seeds, random_distribution, standing

    random_means = [statistics.fmean(accs[c]) for c in cells]
    methods = {}
    for method, archs in answers.items():
        means = [statistics.fmean(accs[a]) for a in archs]
        stds = [statistics.stdev(accs[a]) for a in archs]
        summary = over_search_seeds(means, stds)
        methods[method] = {**summary, **standing(summary["test_acc_mean"], random_means),
                           "answers": [{"arch_str": a, "test_accs": accs[a]} for a in archs]}  # fmt: skip
    return {
        "methods": methods,
        "random": {**random_distribution(random_means), "retrain_std_mean": statistics.fmean(statistics.stdev(accs[c]) for c in cells),
                   "split_half_spearman": split_half([accs[c] for c in cells]),
                   "cells": [{"arch_str": c, "test_accs": accs[c]} for c in cells]},
    }  # fmt: skip


def earlier_accuracies(report: dict[str, Any], answers: dict[str, list[str]]) -> dict[str, list[float]]:
    """The earlier run's retraining accuracies per architecture (in retraining-seed order)."""
    accs = {c["arch"]["arch_str"]: [r["test_acc"] for r in sorted(c["retrains"], key=lambda r: r["seed"])] for c in report["random"]["cells"]}
    for method in answers:
        for s in report["methods"][method]["seeds"]:
            accs[s["final_arch"]] = [r["test_acc"] for r in sorted(s["retrains"], key=lambda r: r["seed"])]
    return accs


def run_dataset(dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    report, answers, cells = recorded(dataset, args.methods)
    archs = list(dict.fromkeys([*(a for archs in answers.values() for a in archs), *cells]))
    new = retrained(dataset, archs, args, args.runs / f"{dataset}.jsonl")
    return {
        "command": "NAS_DATA_DIR=... python benchmarks/darts_retrain_protocol.py " + " ".join(sys.argv[1:]),
        "dataset": dataset,
        "architectures_from": f"benchmarks/results/darts_nb201_{dataset}.json",
        "retrain": {
            "epochs": args.retrain_epochs,
            "seeds": list(range(args.retrain_seeds)),
            "device": "cpu",
            "training": "nas retrain's (Adam lr 1e-3, batch 64, NB201 C=16 N=5), last epoch's weights scored",
        },
        "protocols": {
            "constant (darts_nb201.py)": protocol_summary(answers, cells, earlier_accuracies(report, answers)),
            f"{args.schedule} (--train-lr-schedule {args.schedule})": protocol_summary(answers, cells, new),
        },
    }


def plot(result: dict[str, Any], output: Path) -> None:
    """Per protocol, every retraining of every random cell and answer (dots; the line its mean),
    cells in the order of their means under the last protocol, and the random 75th percentile."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    protocols = result["protocols"]
    last = list(protocols.values())[-1]
    order = sorted(last["random"]["cells"], key=lambda c: statistics.fmean(c["test_accs"]))
    rank = {c["arch_str"]: i for i, c in enumerate(order)}
    fig, axes = plt.subplots(1, len(protocols), figsize=(6 * len(protocols), 4.2), sharey=True, squeeze=False)
    for ax, (name, part) in zip(axes[0], protocols.items()):
        for cell in part["random"]["cells"]:
            x = rank[cell["arch_str"]]
            ax.plot([x] * len(cell["test_accs"]), cell["test_accs"], "o", color="0.5", ms=3)
            ax.plot([x - 0.3, x + 0.3], [statistics.fmean(cell["test_accs"])] * 2, color="0.3")
        for color, (method, entry) in enumerate(part["methods"].items()):
            for k, answer in enumerate(entry["answers"]):
                x = len(order) + 1 + k + color * (len(entry["answers"]) + 1)
                label = f"{method} answers" if k == 0 else None
                ax.plot([x] * len(answer["test_accs"]), answer["test_accs"], "o", color=f"C{color}", ms=3, label=label)
                ax.plot([x - 0.3, x + 0.3], [statistics.fmean(answer["test_accs"])] * 2, color=f"C{color}")
        p75 = part["random"]["percentiles"]["75"]
        ax.axhline(p75, color="C3", ls="--", lw=1, label=f"random p75 {p75:.2f}")
        spread = part["random"]["retrain_std_mean"]
        ax.set_title(f"{name}\nretraining sd {spread:.2f}, split-half rank r {part['random']['split_half_spearman']:.2f}", fontsize=9)
        ax.set_xlabel("random cells (by mean under the last protocol), then the answers")
        ax.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel("test accuracy % (one dot per retraining seed)")
    fig.suptitle(f"{result['dataset']}: the same NB201 cells retrained under two learning-rate schedules")
    fig.tight_layout()
    fig.savefig(output, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    protocol_arguments(parser)
    parser.add_argument("--schedule", default="cosine", help="--train-lr-schedule of the retrainings")
    parser.add_argument("--data-dir", default=os.environ.get("NAS_DATA_DIR"))
    parser.add_argument("--runs", type=Path, default=RUNS)
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    for dataset in args.datasets:
        result = run_dataset(dataset, args)
        output = RESULTS / f"darts_retrain_protocol_{dataset}.json"
        output.write_text(json.dumps(result, indent=1))
        plot(result, output.with_suffix(".png"))
        for name, part in result["protocols"].items():
            r = part["random"]
            print(f"{dataset} {name}: random p75 {r['percentiles']['75']:.2f}, retrain sd {r['retrain_std_mean']:.2f}, split-half rank r {r['split_half_spearman']:.2f}")
            for method, m in part["methods"].items():
                print(f"  {method}: {m['test_acc_mean']:.2f} ± {m['test_acc_se']:.2f}, beats {m['random_beaten']}, above p75 {m['above_random_p75']}")
        print("wrote", output, "and", output.with_suffix(".png"), flush=True)


if __name__ == "__main__":
    main()
