"""Ways to read an NB201 answer from the same searches, each answer retrained from scratch.

Rules (`--rules`, the first is the reference the others are paired against):
- `nb201`: every edge's largest alpha, `none` included (NB201's rule, the default);
- `darts`: the largest alpha other than `none` (`--darts-derive-none false`), as DARTS derives its cells;
- `perturbation`: DARTS-PT's selection (`--darts-select perturbation`): the op whose removal costs
  the searched supernet most accuracy, edge by edge; it needs the supernet, so study files.

The alpha rules read only the alphas after a search's last epoch; perturbation restores the
search from its study file (`nas_darts.restore`). Every cell is retrained from scratch (`nas
retrain`'s training under `--train-lr-schedule cosine`, 20 epochs, seeds 0-2: the protocol of
darts_retrain_protocol.py, whose retraining log it shares, so a cell retrained there is not
retrained again). The searches are either study files (`--studies`, e.g. held-out seeds run with
`nas search --plugin darts ...`) or, for the alpha rules, the searches of darts_nb201.py recorded
in darts_nb201_<dataset>.json (`--recorded METHOD`), whose trajectories keep the alphas.

    # held-out seeds, to choose a rule
    for s in 100 101 102; do nas search --plugin darts --darts-method milenas --space nb201 --dataset mnist1d \\
        --budget 50 --seed $s --device cpu --storage runs/derive_heldout/milenas_s$s.db; done
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_derivation.py --dataset mnist1d \\
        --studies runs/derive_heldout/milenas_s*.db -o benchmarks/results/darts_derivation_heldout_mnist1d.json
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_derivation.py --dataset mnist1d --rules nb201 perturbation \\
        --studies runs/derive_heldout/milenas_s*.db -o benchmarks/results/darts_selection_heldout_mnist1d.json
    # the reported seeds, once chosen, among the random cells (--random)
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_derivation.py --dataset mnist1d --recorded milenas --random \\
        -o benchmarks/results/darts_derivation_mnist1d.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from darts_nb201 import RESULTS, read_study
from darts_retrain_protocol import RUNS, protocol_summary, recorded, retrained

# short name -> (the rule's label in the report, the --darts-* settings that select by it)
RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "nb201": ("nb201 (none may win)", {"derive_none": True}),
    "darts": ("darts (--darts-derive-none false)", {"derive_none": False}),
    "perturbation": ("perturbation (--darts-select perturbation)", {"select": "perturbation"}),
}
ALPHA_RULES = ("nb201", "darts")


def alpha_cells(alphas: list[list[float]], rules: list[str]) -> dict[str, str]:
    """The final alphas' cell under each alpha rule."""
    import torch
    from nas_darts.derive import derive_nb201
    from nas_darts.names import NB201_OPS

    weights = torch.tensor(alphas)
    return {RULES[r][0]: derive_nb201(weights, NB201_OPS, RULES[r][1]["derive_none"]).to_dict()["arch_str"] for r in rules}


def study_cells(path: Path, rules: list[str], args: argparse.Namespace) -> dict[str, str]:
    """Each rule's answer, read from the search that study file ``path`` restores (once: a
    selection works on a fork, so the search is the same for every rule)."""
    from dataclasses import replace

    import torch
    from nas_darts.restore import restored_search

    torch.set_num_threads(1)
    search = restored_search(path, data_dir=args.data_dir, select_tune_epochs=args.select_tune_epochs)
    study_settings = search.settings
    cells = {}
    for rule in rules:
        label, settings = RULES[rule]
        search.settings = replace(study_settings, **settings)
        cells[label] = search.select().to_dict()["arch_str"]
    return cells


def searches(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each search's label, epochs and answer per rule, from study files or darts_nb201's record."""
    if args.studies:
        found = []
        for path in args.studies:
            trials, _ = read_study(str(path))
            complete = [t for t in trials if t["result"]["status"] == "complete"]
            found.append({"search": str(path), "epochs": len(complete), "cells": study_cells(path, args.rules, args)})
        return found
    if set(args.rules) - set(ALPHA_RULES):
        raise SystemExit(f"--recorded keeps the alphas only: the rules {', '.join(ALPHA_RULES)}; give --studies for the others")
    report = json.loads((RESULTS / f"darts_nb201_{args.dataset}.json").read_text())
    return [{"search": f"{args.recorded} seed {s['seed']} ({s['study']})", "epochs": len(s["trajectory"]["alphas_normal"]),
             "cells": alpha_cells(s["trajectory"]["alphas_normal"][-1], args.rules)} for s in report["methods"][args.recorded]["seeds"]]  # fmt: skip


def paired(differences: list[float]) -> dict[str, float | None]:
    mean = statistics.fmean(differences)
    se = statistics.stdev(differences) / math.sqrt(len(differences)) if len(differences) > 1 else None
    return {"mean": mean, "se": se}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--studies", nargs="+", type=Path, help="study files of darts searches on --dataset")
    source.add_argument("--recorded", help="a method of darts_nb201_<dataset>.json (first-order, second-order, milenas)")
    parser.add_argument("--rules", nargs="+", choices=list(RULES), default=list(ALPHA_RULES),
                        help="the rules to compare; the first is the reference of the paired differences")
    parser.add_argument("--select-tune-epochs", type=int, default=1, help="perturbation: --darts-select-tune-epochs")
    parser.add_argument("--random", action="store_true",
                        help="place each rule's answers among darts_nb201's 20 random cells, retrained the same way (from the shared log)")
    parser.add_argument("--retrain-epochs", type=int, default=20)
    parser.add_argument("--retrain-seeds", type=int, default=3)
    parser.add_argument("--schedule", default="cosine")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("NAS_DATA_DIR"))
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    runs = searches(args)
    labels = [RULES[r][0] for r in args.rules]
    cells = list(dict.fromkeys(c for run in runs for c in run["cells"].values()))
    random_cells = recorded(args.dataset, [])[2] if args.random else []
    cells += [c for c in random_cells if c not in cells]
    RUNS.mkdir(parents=True, exist_ok=True)
    accuracies = retrained(args.dataset, cells, args, RUNS / f"{args.dataset}.jsonl")
    for run in runs:
        run["retrained"] = {}
        for rule, cell in run["cells"].items():
            accs = accuracies[cell]
            run["retrained"][rule] = {"arch_str": cell, "test_accs": accs, "mean": statistics.fmean(accs)}
    reference, *others = labels
    result = {
        "command": "NAS_DATA_DIR=... python benchmarks/darts_derivation.py " + " ".join(sys.argv[1:]),
        "dataset": args.dataset,
        "retrain": {"epochs": args.retrain_epochs, "seeds": list(range(args.retrain_seeds)), "lr_schedule": args.schedule},
        "select_tune_epochs": args.select_tune_epochs if "perturbation" in args.rules else None,
        "searches": runs,
        "mean_per_rule": {rule: statistics.fmean(run["retrained"][rule]["mean"] for run in runs) for rule in labels},
        "minus_reference": {
            rule: paired([run["retrained"][rule]["mean"] - run["retrained"][reference]["mean"] for run in runs]) for rule in others
        },
        "searches_whose_answer_differs": {rule: sum(run["cells"][rule] != run["cells"][reference] for run in runs) for rule in others},
    }
    if random_cells:
        answers = {rule: [run["cells"][rule] for run in runs] for rule in labels}
        result["against_random"] = protocol_summary(answers, random_cells, accuracies)
    args.output.write_text(json.dumps(result, indent=1))
    for run in runs:
        print(run["search"], {rule: round(r["mean"], 2) for rule, r in run["retrained"].items()})
    print("mean per rule", result["mean_per_rule"], f"minus {reference}", result["minus_reference"])
    for rule, standing in result.get("against_random", {}).get("methods", {}).items():
        print(rule, "beats", standing["random_beaten"], "random cells; above their 75th percentile:", standing["above_random_p75"])
    print("wrote", args.output)


if __name__ == "__main__":
    main()
