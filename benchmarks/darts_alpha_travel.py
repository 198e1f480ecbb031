"""Summarise the --darts-alpha-travel selection runs of benchmarks/darts_alpha_travel.sh into
benchmarks/results/darts_alpha_travel.json: per run the mean alpha entropy every 5 epochs, the
per-edge largest softmax weight at the end, the supernet's last validation accuracy, the epochs
the collapse watch flagged and the derived cell.

    python benchmarks/darts_alpha_travel.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from darts_nb201 import RESULTS, ROOT, read_study, trajectory

RUNS = ROOT / "runs" / "darts_select"


def summarise(study: Path) -> dict:
    dataset, travel, decay, seed = re.fullmatch(r"(\w+?)_t(\d+)(?:wd(\S+))?_s(\d+)", study.stem).groups()
    trials, _ = read_study(str(study))
    path = trajectory(trials)
    done = [p for p in path["epochs"] if p["status"] == "complete"]
    alphas = np.array(path["alphas_normal"][-1])
    return {
        "dataset": dataset, "alpha_travel": int(travel), "seed": int(seed),
        "alpha_weight_decay": float(decay) if decay is not None else 1e-3,
        "alpha_entropy_every_5": [round(p["alpha_entropy"], 4) for p in done[4::5]],
        "final_alpha_entropy": done[-1]["alpha_entropy"],
        "final_edge_max_weights": alphas.max(axis=1).round(3).tolist(),
        "final_supernet_valid_acc": done[-1]["valid_acc"],
        "collapsed_epochs": sum(p["collapsed"] for p in done),
        "final_arch": done[-1]["derived"],
    }  # fmt: skip


def main() -> None:
    runs = [summarise(s) for s in sorted(RUNS.glob("*.db")) if s.with_suffix(".db.done").exists()]
    output = RESULTS / "darts_alpha_travel.json"
    output.write_text(json.dumps({"command": "NAS_DATA_DIR=/work/shared/data bash benchmarks/darts_alpha_travel.sh && python benchmarks/darts_alpha_travel.py",
                                  "uniform_entropy": float(np.log(5)), "runs": runs}, indent=1))  # fmt: skip
    for r in runs:
        print(r["dataset"], f"travel {r['alpha_travel']}", f"wd {r['alpha_weight_decay']:g}", f"seed {r['seed']}",
              f"entropy {r['final_alpha_entropy']:.3f}", f"valid {r['final_supernet_valid_acc']:.1f}", f"collapsed {r['collapsed_epochs']}")  # fmt: skip
    print("wrote", output)


if __name__ == "__main__":
    main()
