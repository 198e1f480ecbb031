"""NASIB (issue 20) under four budgets on digits and mnist1d: what the paper's Fig. 3-5 ask.

Per dataset (2-D kernels on digits, 1 x j kernels on mnist1d, ``--nasib-dims`` from the data):

- **budgets**: for each budget one ``nas retrain-bench`` of ``superkernel=nasib``: SEEDS searches,
  each answer retrained from scratch with RETRAIN_SEEDS seeds. From the studies: n per budget
  (the calibrated epochs), the search curves (the derived network's validation accuracy per epoch,
  against search time), test accuracy vs budget;
- **spaces**: at COMPARE_BUDGET, superkernels against the narrow space (ENAS' six, NASIB-1), each
  against RANDOM random architectures of its own space retrained alike (two retrain-benches, the
  narrow one with ``--nasib-narrow true``);
- **memory**: one training step of the default supernet with two sampled paths per layer against
  the full mixed op (every candidate), on a batch of the dataset's shape: the bytes autograd keeps
  for the backward pass (the activations: what path sampling saves, device-agnostic), the
  parameters, and the step's time;
- **kernels**: a histogram of the kernel shapes the answers chose, over seeds and budgets (Fig. 4:
  are non-square and even kernels picked?).

    OMP_NUM_THREADS=1 python benchmarks/nasib_budgets.py                 # the full protocol (hours)
    OMP_NUM_THREADS=1 python benchmarks/nasib_budgets.py --budgets 3 4 --seeds 1 --retrain-seeds 1 \\
        --retrain-epochs 1 --random 2 --extra "--nasib-layers 2 --nasib-channels 8" -o /tmp/nasib_tiny.json

Writes OUTPUT (JSON, with the command and every retrain-bench command) and one PNG per dataset
beside it. The studies and retrain-bench files are kept under --runs: a rerun skips what is done.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "results" / "nasib_budgets.json"
RUNS = ROOT / "runs" / "nasib_budgets"
NAS = str(Path(sys.executable).with_name("nas"))


def dims_of(dataset: str) -> int:
    """1 for sequences (C, L), 2 for images (C, H, W): which kernels the space holds."""
    from nas_core import DatasetRequest
    from nas_core.testing import loaded_plugins

    shape = loaded_plugins(()).registry.dataset(dataset, DatasetRequest(None, 0)).input_shape
    if len(shape) not in (2, 3):
        raise SystemExit(f"{dataset} has inputs of shape {shape}: NASIB needs images or sequences")
    return len(shape) - 1


def retrain_bench(label: str, dataset: str, budget: str, random: int, space_options: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """One ``nas retrain-bench`` of nasib (resumed if begun); its JSON report."""
    folder = args.runs / dataset / f"{label}_{budget}"
    output = folder.with_suffix(".json")
    command = [NAS, "retrain-bench", "--plugin", f"{label}=nasib", "--space", "nasib", "--dataset", dataset, "--budget", budget,
               "--seeds", str(args.seeds), "--retrain-epochs", str(args.retrain_epochs), "--retrain-seeds", str(args.retrain_seeds),
               "--random", str(random), "--device", "cpu", "--jobs", str(args.jobs), "--runs", str(folder), "-o", str(output),
               "--quiet", *space_options, *shlex.split(args.extra)]  # fmt: skip
    subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    report = json.loads(output.read_text())
    report["nasib_budget"] = budget
    return report


def search_curves(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per search: n, beta, the first epoch's time, and per epoch the search time and accuracy."""
    from nas_core import load_study

    curves = []
    for run in next(iter(report["methods"].values()))["runs"]:
        trials = load_study(run["study"]).trials
        info = trials[-1].result.info
        elapsed, points = 0.0, []
        for trial in trials:
            elapsed += trial.result.cost_seconds
            points.append({"epoch": trial.candidate.fidelity, "search_seconds": elapsed, **trial.result.metrics})
        curves.append({"seed": run["seed"], "epochs": info["epochs"], "beta": info["beta"],
                       "calibration_seconds": info["calibration_seconds"], "answer": info["derived"]["layers"],
                       "points": points})  # fmt: skip
    return curves


def answers_test_acc(report: dict[str, Any]) -> list[float]:
    """Each search's answer: its test accuracy averaged over the retraining seeds."""
    return [statistics.fmean(r["test_acc"] for r in run["retrains"]) for run in next(iter(report["methods"].values()))["runs"] if run.get("retrains")]


def random_test_acc(report: dict[str, Any]) -> list[float]:
    return [statistics.fmean(r["test_acc"] for r in a["retrains"]) for a in report["random"]["architectures"] if a.get("retrains")]


def summary(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "mean": statistics.fmean(values) if values else None,
            "std": statistics.stdev(values) if len(values) > 1 else 0.0, "values": values}  # fmt: skip


def memory(dataset: str, dims: int, batch: int, steps: int, extra: str) -> dict[str, Any]:
    """One training step (forward, backward) of the default supernet: two sampled paths per
    layer against every candidate. Saved-for-backward bytes counted with autograd's hooks."""
    import torch

    from nas_core import DatasetRequest
    from nas_core.testing import loaded_plugins

    from nas_nasib.supernet import NasibSupernet

    torch.set_num_threads(1)
    loaded = loaded_plugins(("nasib-space",))
    words = shlex.split(extra)  # its --nasib-* options shape this supernet too; the others are the searches'
    given = {flag[2:].replace("-", "_"): value for flag, value in zip(words, words[1:]) if flag.startswith("--nasib-")}
    space = loaded.registry.space("nasib", loaded.options.resolve({**given, "nasib_dims": dims}, ignore_unknown=True))
    data = loaded.registry.dataset(dataset, DatasetRequest(None, 0))
    torch.manual_seed(0)
    net = NasibSupernet(space.candidates, space.layers, data.input_shape, data.num_classes, space.channels, [0.0] * len(space.candidates))
    x = torch.randn(batch, *data.input_shape)
    rows = []
    for mode, k in (("sampled k=2", 2), ("full", len(space.candidates))):
        generator = torch.Generator().manual_seed(0)
        saved = [0]

        def pack(tensor: torch.Tensor) -> torch.Tensor:
            saved[0] += tensor.numel() * tensor.element_size()
            return tensor

        seconds = []
        for step in range(steps + 1):
            paths = None if k == len(space.candidates) else [torch.randperm(len(space.candidates), generator=generator)[:k].sort().values for _ in range(space.layers)]
            net.use(paths, "alphas")
            saved[0] = 0
            started = time.perf_counter()
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                loss = net(x).logsumexp(1).mean()
            loss.backward()
            net.zero_grad(set_to_none=True)
            if step:  # the first step warms up
                seconds.append(time.perf_counter() - started)
        rows.append({"mode": mode, "paths": k, "saved_for_backward_mb": saved[0] / 2**20, "seconds_per_step": statistics.fmean(seconds)})
    return {"dataset": dataset, "batch": batch, "space": space.describe(),
            "params_m": sum(p.numel() for p in net.parameters()) / 1e6, "rows": rows}  # fmt: skip


def kernel_histogram(curves: list[dict[str, Any]]) -> dict[str, int]:
    """How often each kernel shape ("3x5") was chosen, over every answer's layers."""
    from nas_nasib.kernels import Kernel

    return dict(Counter(Kernel.parse(token).shape for curve in curves for token in curve["answer"]).most_common())


def plot(dataset: str, result: dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for budget in result["budgets"]:
        for i, curve in enumerate(budget["curves"]):
            xs = [p["search_seconds"] / 60 for p in curve["points"]]
            axes[0].plot(xs, [p["valid_acc"] for p in curve["points"]], color=f"C{result['budgets'].index(budget)}", alpha=0.7,
                         label=f"{budget['budget']} (n={curve['epochs']})" if i == 0 else None)  # fmt: skip
    axes[0].set(xlabel="search time (min)", ylabel="derived network's valid acc (%)", title=f"{dataset}: search curves")
    axes[0].legend(fontsize=8)
    labels = [b["budget"] for b in result["budgets"]]
    means = [b["test_acc"]["mean"] or 0 for b in result["budgets"]]
    stds = [b["test_acc"]["std"] for b in result["budgets"]]
    axes[1].errorbar(range(len(labels)), means, yerr=stds, marker="o", capsize=4, label="superkernel answers")
    spaces = result["spaces"]
    for offset, name in ((0.1, "superkernel"), (0.2, "narrow")):
        at = labels.index(spaces["budget"]) + offset
        for kind, marker in (("answers", "s"), ("random", "x")):
            stats = spaces[name][kind]
            if stats["mean"] is not None:
                axes[1].errorbar([at], [stats["mean"]], yerr=[stats["std"]], marker=marker, capsize=3, linestyle="none", label=f"{name} {kind}")
    axes[1].set_xticks(range(len(labels)), labels)
    axes[1].set(xlabel="budget", ylabel="test acc (%), retrained", title="answers retrained vs budget")
    axes[1].legend(fontsize=7)
    shapes = result["kernels"]
    axes[2].bar(range(len(shapes)), list(shapes.values()))
    axes[2].set_xticks(range(len(shapes)), list(shapes), rotation=90, fontsize=7)
    axes[2].set(ylabel="layers", title="chosen kernel shapes (all seeds and budgets)")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)


def run_dataset(dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    dims = dims_of(dataset)
    space_options = ["--nasib-dims", str(dims)]
    compare = args.compare_budget or args.budgets[min(1, len(args.budgets) - 1)]
    budgets, commands = [], []
    for budget in args.budgets:
        report = retrain_bench("superkernel", dataset, budget, args.random if budget == compare else 0, space_options, args)
        commands.append(report["command"])
        curves = search_curves(report)
        budgets.append({"budget": budget, "epochs": [c["epochs"] for c in curves], "curves": curves,
                        "test_acc": summary(answers_test_acc(report)), "report": report["methods"], "random": report["random"]["summary"]})  # fmt: skip
        if budget == compare:
            superkernel = {"answers": summary(answers_test_acc(report)), "random": summary(random_test_acc(report))}
    narrow = retrain_bench("narrow", dataset, compare, args.random, [*space_options, "--nasib-narrow", "true"], args)
    commands.append(narrow["command"])
    narrow_curves = search_curves(narrow)
    result = {
        "dataset": dataset, "dims": dims, "retrain_bench_commands": commands, "budgets": budgets,
        "spaces": {"budget": compare, "superkernel": superkernel,
                   "narrow": {"answers": summary(answers_test_acc(narrow)), "random": summary(random_test_acc(narrow)), "curves": narrow_curves}},
        "kernels": kernel_histogram([c for b in budgets for c in b["curves"]]),
        "memory": memory(dataset, dims, args.memory_batch, args.memory_steps, args.extra),
    }  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--budgets", nargs="+", default=["5m", "10m", "20m", "40m"], help="per search: a time (10m) or epochs (30)")
    parser.add_argument("--compare-budget", help="the budget of the superkernel vs narrow comparison (default: the second)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--retrain-seeds", type=int, default=3)
    parser.add_argument("--retrain-epochs", type=int, default=30)
    parser.add_argument("--random", type=int, default=20, help="random architectures of each space, retrained alike")
    parser.add_argument("--extra", default="", help="options for every search and retraining, e.g. '--nasib-layers 8 --train-lr 0.01'")
    parser.add_argument("--memory-batch", type=int, default=64)
    parser.add_argument("--memory-steps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    if args.compare_budget and args.compare_budget not in args.budgets:
        parser.error(f"--compare-budget {args.compare_budget} is not one of --budgets {' '.join(args.budgets)}")
    started = time.perf_counter()
    results = {dataset: run_dataset(dataset, args) for dataset in args.datasets}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    for dataset, result in results.items():
        plot(dataset, result, args.output.with_name(f"{args.output.stem}_{dataset}.png"))
    args.output.write_text(json.dumps({
        "command": "OMP_NUM_THREADS=1 python " + " ".join(shlex.quote(a) for a in sys.argv),
        "seconds": time.perf_counter() - started,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": 1, "load_average_at_end": os.getloadavg()},
        "datasets": results,
    }, indent=1))  # fmt: skip
    print("wrote", args.output)


if __name__ == "__main__":
    main()
