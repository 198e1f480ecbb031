"""Summarize a GPNAS NB201 bench next to evolution and random on the same seeds.

    python benchmarks/gpnas_compare.py benchmarks/results/gpnas_nb201_cifar10.json [BASELINES.json]

Sets missing from the GPNAS bench file are read from BASELINES.json, by default
benchmarks/results/nb201_baselines_<dataset>.json (the same deterministic runs, seed for seed).
Writes <input>_compare.json next to the input.

Besides the regret to the table's optimum it reports the gap to the exhaustive ceiling: the
seed-averaged validation accuracy of the cell with the best single-seed answer, which is what a
search that queried every cell would report (needs NAS_DATA_DIR to read the table).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from nas_core.tables.loader import load_benchmark


def summarize(runs: list[dict], optimum: float, ceiling: float) -> dict:
    valid = [r["final_valid"] for r in runs]
    test = [r["final_test"] for r in runs]
    to_optimum = [r["queries_to_optimum"] for r in runs]
    found = sorted(q for q in to_optimum if q is not None)
    # seeds that never found the optimum count as needing more queries than any that did
    ranked = found + [float("inf")] * (len(runs) - len(found))
    median = statistics.median(ranked) if runs else None
    return {
        "seeds": len(runs),
        "final_valid_mean": statistics.fmean(valid),
        "final_valid_std": statistics.pstdev(valid),
        "final_test_mean": statistics.fmean(test),
        "final_test_std": statistics.pstdev(test),
        "regret_mean": optimum - statistics.fmean(valid),
        "gap_to_ceiling_mean": ceiling - statistics.fmean(valid),
        "queries_mean": statistics.fmean(r["queries"] for r in runs),
        "found_optimum_rate": len(found) / len(runs),
        "queries_to_optimum_median": None if median == float("inf") else median,
    }


def paired_difference(runs: list[dict], baseline: list[dict], metric: str) -> dict:
    """Mean and standard error of the per-seed difference (the seeds are the same deterministic runs)."""
    by_seed = {r["seed"]: r[metric] for r in baseline}
    diffs = [r[metric] - by_seed[r["seed"]] for r in runs if r["seed"] in by_seed]
    return {"mean": statistics.fmean(diffs), "stderr": statistics.stdev(diffs) / len(diffs) ** 0.5, "seeds": len(diffs)}


def main(path: str, baselines: str | None = None) -> None:
    bench = json.loads(Path(path).read_text())
    seeds = sorted(r["seed"] for r in next(iter(bench["runs"].values())))
    runs = dict(bench["runs"])
    baseline_path = Path(baselines or Path(path).parent / f"nb201_baselines_{bench['dataset']}.json")
    if baseline_path.exists():
        for name, rows in json.loads(baseline_path.read_text())["runs"].items():
            runs.setdefault(name, [r for r in rows if r["seed"] in set(seeds)])
    optimum = bench["optimum"]["valid_acc"]
    ceiling = load_benchmark("nb201", bench["dataset"], None).optimum.exhaustive_valid_acc
    out = {
        "command": "python " + " ".join(sys.argv),
        "dataset": bench["dataset"],
        "seeds": seeds,
        "optimum_valid": optimum,
        "exhaustive_ceiling_valid": ceiling,
        "summary": {name: summarize(rows, optimum, ceiling) for name, rows in runs.items()},
        "minus_evolution": {
            name: {m: paired_difference(rows, runs["evolution"], m) for m in ("final_valid", "final_test")}
            for name, rows in runs.items()
            if name != "evolution"
        },
    }
    target = Path(path).with_name(Path(path).stem + "_compare.json")
    target.write_text(json.dumps(out, indent=1))
    for name, s in out["summary"].items():
        print(
            f"{bench['dataset']:15s} {name:10s} seeds {s['seeds']:3d} valid {s['final_valid_mean']:.2f} ± {s['final_valid_std']:.2f} "
            f"test {s['final_test_mean']:.2f} ± {s['final_test_std']:.2f} regret {s['regret_mean']:.3f} "
            f"to ceiling {s['gap_to_ceiling_mean']:+.3f} "
            f"queries {s['queries_mean']:.1f} optimum {100 * s['found_optimum_rate']:.0f}% "
            f"to-optimum median {s['queries_to_optimum_median']}"
        )
    for name, diff in out["minus_evolution"].items():
        v, t = diff["final_valid"], diff["final_test"]
        print(
            f"{name} - evolution, paired over {v['seeds']} seeds: valid {v['mean']:+.3f} ± {v['stderr']:.3f}, "
            f"test {t['mean']:+.3f} ± {t['stderr']:.3f} (mean ± s.e.)"
        )


if __name__ == "__main__":
    main(*sys.argv[1:3])
