"""Two ``nas bench`` results of the same plugin set on the same seeds, compared seed for seed.

    python benchmarks/paired_variants.py BASE.json VARIANT.json [-o OUT.json]

For a choice between two variants of one method (an option's value) on held-out seeds: per
metric (final validation and test accuracy, queries, and the best validation accuracy seen by an
eighth, a quarter and half of a 12000 s budget), the mean per-seed difference VARIANT - BASE with
its standard error, and the optimum's queries (median, seeds that never find it). Both files must
hold one plugin set and the same seeds of the same benchmark and dataset.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gpnas_compare import paired_difference
from peers_nb201 import ANYTIME_SECONDS, best_valid_at

from nas_core.comparison import summarize_runs


METRICS = ("final_valid", "final_test", "queries", *(f"at_{t}" for t in ANYTIME_SECONDS))


def only_set(bench: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """The runs of the file's one plugin set by seed, with their best validation accuracy by each
    of ANYTIME_SECONDS."""
    if len(bench["runs"]) != 1:
        sys.exit(f"{path}: holds {len(bench['runs'])} plugin sets, compare files of one set each")
    runs = sorted(next(iter(bench["runs"].values())), key=lambda r: r["seed"])
    return [{**r, **{f"at_{t}": best_valid_at(r, t) for t in ANYTIME_SECONDS}} for r in runs]


def to_optimum(runs: list[dict[str, Any]], optimum_valid: float) -> dict[str, Any]:
    summary = summarize_runs(runs, optimum_valid)
    return {"median": summary["queries_to_optimum_median"], "never": sum(r["queries_to_optimum"] is None for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("variant", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="default: VARIANT_vs_BASE.json beside VARIANT")
    args = parser.parse_args()
    base_bench, variant_bench = (json.loads(p.read_text()) for p in (args.base, args.variant))
    base, variant = only_set(base_bench, args.base), only_set(variant_bench, args.variant)
    if [r["seed"] for r in base] != [r["seed"] for r in variant] or base_bench["dataset"] != variant_bench["dataset"]:
        sys.exit("the two files must hold the same seeds of the same dataset")
    out = {
        "command": "python " + " ".join(sys.argv),
        "dataset": base_bench["dataset"],
        "seeds": [r["seed"] for r in base],
        "base": {"file": str(args.base), "options": base_bench["options"]},
        "variant": {"file": str(args.variant), "options": variant_bench["options"]},
        "variant_minus_base": {m: paired_difference(variant, base, m) for m in METRICS},
        "to_optimum": {name: to_optimum(runs, base_bench["optimum"]["valid_acc"]) for name, runs in (("base", base), ("variant", variant))},
    }
    target = args.output or args.variant.with_name(f"{args.variant.stem}_vs_{args.base.stem}.json")
    target.write_text(json.dumps(out, indent=1))
    for metric, d in out["variant_minus_base"].items():
        print(f"{out['dataset']} {metric}: variant - base {d['mean']:+.3f} ± {d['stderr']:.3f} (mean ± s.e., {d['seeds']} paired seeds)")
    for name, o in out["to_optimum"].items():
        print(f"{out['dataset']} {name}: queries to the optimum, median {o['median']}, never found in {o['never']} seeds")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
