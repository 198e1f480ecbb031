"""NAG's ablations (paper 4.4) on NB201: which graph reaches the discriminator, loss, readout, flipping.

Each variant changes one setting of the default and is trained on the same 1% NAS dataset of
NB201 cifar10 (seed 0) with ``benchmarks/nag_generator_quality.py``; this script runs them one
after the other and gathers, per variant, the training curves (paper Fig. 6) and what the
generator then produces per accuracy and params label.

    NAS_DATA_DIR=../shared/data nice -n 10 python benchmarks/nag_ablations.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
VARIANTS: dict[str, list[str]] = {
    "default (straight-through)": [],
    "probability graph (paper)": ["graph=probability"],
    "probability graph, tau 0.2": ["graph=probability", "temperature=0.2"],
    "bce loss": ["loss=bce"],
    "mean readout": ["readout=mean"],
    "no label flipping": ["flip_epochs=0"],
}


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.split(" (")[0]).strip("_")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "nag_ablations.json")
    args = parser.parse_args()
    gathered = {"command": "python " + " ".join(sys.argv), "variants": {}}
    for name in args.variants:
        path = RESULTS / "tmp" / f"nag_ablation_{slug(name)}.json"
        command = [sys.executable, str(HERE / "nag_generator_quality.py"), "--fractions", "0.01", "-o", str(path)]
        command += [arg for setting in VARIANTS[name] for arg in ("--gan", setting)]
        subprocess.run(command, check=True)
        run = json.loads(path.read_text())["fractions"][0]
        gathered["variants"][name] = {
            "settings": VARIANTS[name],
            "history": run["history"],
            "train_wall_seconds": run["train_wall_seconds"],
            "by_acc_label": run["by_acc_label"],
            "by_params_label": run["by_params_label"],
        }
        args.output.write_text(json.dumps(gathered, indent=1))
    plot(gathered, args.output.with_suffix(".png"))
    print(f"{'variant':30s} {'low/med/high-acc test':>24s} {'few/med/large params':>22s} {'unique':>7s} {'novel':>6s}")
    for name, v in gathered["variants"].items():
        acc = "/".join(f"{g['test_acc']['mean']:.1f}" for g in v["by_acc_label"])
        params = "/".join(f"{g['params']['mean']:.2f}" for g in v["by_params_label"])
        unique = sum(g["uniqueness"] for g in v["by_acc_label"]) / 3
        novel = sum(g["novelty"] for g in v["by_acc_label"]) / 3
        print(f"{name:30s} {acc:>24s} {params:>22s} {unique:7.2f} {novel:6.2f}")
    print(f"wrote {args.output}\nreproduce: {gathered['command']}")


def plot(gathered: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for name, v in gathered["variants"].items():
        axes[0].plot(v["history"]["d_loss"], label=name)
        axes[1].plot(v["history"]["g_loss"], label=name)
    for ax, title in zip(axes, ("discriminator loss", "generator loss")):
        ax.set_xlabel("epoch")
        ax.set_title(title + " (per-epoch mean)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
