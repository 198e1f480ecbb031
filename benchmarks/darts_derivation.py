"""NB201's derivation (`none` may win an edge) against DARTS' (`--darts-derive-none false`: the
strongest other op), on the same searches.

The rule only reads the alphas, so one search gives both answers: this script takes the alphas
after a search's last epoch, derives the cell both ways and retrains each cell from scratch
(`nas retrain`'s training under `--train-lr-schedule cosine`, 20 epochs, seeds 0-2: the protocol
of darts_retrain_protocol.py, whose retraining log it shares, so a cell retrained there is not
retrained again). The searches are either study files (`--studies`, e.g. held-out seeds run with
`nas search --plugin darts ...`) or the searches of darts_nb201.py recorded in
darts_nb201_<dataset>.json (`--recorded METHOD`), whose trajectories keep the alphas.

    # held-out seeds, to choose the rule
    for s in 100 101 102; do nas search --plugin darts --darts-method milenas --space nb201 --dataset mnist1d \\
        --budget 50 --seed $s --device cpu --storage runs/derive_heldout/milenas_s$s.db; done
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_derivation.py --dataset mnist1d \\
        --studies runs/derive_heldout/milenas_s*.db -o benchmarks/results/darts_derivation_heldout_mnist1d.json
    # the reported seeds, once chosen
    NAS_DATA_DIR=/work/shared/data python benchmarks/darts_derivation.py --dataset mnist1d --recorded milenas \\
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
from darts_retrain_protocol import RUNS, retrained

RULES = {"nb201 (none may win)": True, "darts (--darts-derive-none false)": False}


def derived_cells(alphas: list[list[float]]) -> dict[str, str]:
    """The final alphas' cell under each rule."""
    import torch
    from nas_darts.derive import derive_nb201
    from nas_darts.names import NB201_OPS

    weights = torch.tensor(alphas)
    return {rule: derive_nb201(weights, NB201_OPS, none).to_dict()["arch_str"] for rule, none in RULES.items()}


def searches(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each search's label and final alphas, from study files or from darts_nb201's record."""
    if args.studies:
        found = []
        for path in args.studies:
            trials, _ = read_study(str(path))
            complete = [t for t in trials if t["result"]["status"] == "complete"]
            found.append({"search": str(path), "epochs": len(complete), "alphas": complete[-1]["result"]["info"]["alphas"]["normal"]})
        return found
    report = json.loads((RESULTS / f"darts_nb201_{args.dataset}.json").read_text())
    return [{"search": f"{args.recorded} seed {s['seed']} ({s['study']})", "epochs": len(s["trajectory"]["alphas_normal"]),
             "alphas": s["trajectory"]["alphas_normal"][-1]} for s in report["methods"][args.recorded]["seeds"]]  # fmt: skip


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
    parser.add_argument("--retrain-epochs", type=int, default=20)
    parser.add_argument("--retrain-seeds", type=int, default=3)
    parser.add_argument("--schedule", default="cosine")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("NAS_DATA_DIR"))
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    runs = searches(args)
    for run in runs:
        run["cells"] = derived_cells(run.pop("alphas"))
    cells = list(dict.fromkeys(c for run in runs for c in run["cells"].values()))
    RUNS.mkdir(parents=True, exist_ok=True)
    accuracies = retrained(args.dataset, cells, args, RUNS / f"{args.dataset}.jsonl")
    for run in runs:
        run["retrained"] = {}
        for rule, cell in run["cells"].items():
            accs = accuracies[cell]
            run["retrained"][rule] = {"arch_str": cell, "test_accs": accs, "mean": statistics.fmean(accs)}
    nb201_rule, darts_rule = RULES
    result = {
        "command": "NAS_DATA_DIR=... python benchmarks/darts_derivation.py " + " ".join(sys.argv[1:]),
        "dataset": args.dataset,
        "retrain": {"epochs": args.retrain_epochs, "seeds": list(range(args.retrain_seeds)), "lr_schedule": args.schedule},
        "searches": runs,
        "mean_per_rule": {rule: statistics.fmean(run["retrained"][rule]["mean"] for run in runs) for rule in RULES},
        "darts_minus_nb201": paired([run["retrained"][darts_rule]["mean"] - run["retrained"][nb201_rule]["mean"] for run in runs]),
        "searches_whose_answer_differs": sum(run["cells"][nb201_rule] != run["cells"][darts_rule] for run in runs),
    }
    args.output.write_text(json.dumps(result, indent=1))
    for run in runs:
        print(run["search"], {rule: round(r["mean"], 2) for rule, r in run["retrained"].items()})
    print("mean per rule", result["mean_per_rule"], "darts - nb201", result["darts_minus_nb201"])
    print("wrote", args.output)


if __name__ == "__main__":
    main()
