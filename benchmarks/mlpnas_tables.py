"""The MLPNAS paper's four table settings on real data, next to scikit-learn's MLPClassifier().

For each dataset (digits, wine, breast_cancer, mnist1d), setting and seed, a search with the
paper's protocol: 10 controller epochs of 10 architectures (the larger setting: 15 of 30), children
trained up to 10 epochs with early stopping after 3 (Adam 0.001, the core's training). The best
child by validation accuracy is then judged as the paper did (5.2): its trained model fine-tuned
for 50 more epochs, then tested; and, to see what the architecture alone is worth (with sharing a
child also owes its accuracy to inherited weights), trained again from scratch for 60 epochs.
Both without early stopping, from 3 seeds each. Next to it, MLPClassifier() with default
settings fitted on the same standardized training split (inputs flattened), 10 random states.
Records the wall time of every search and the controller's mean reward per epoch (plotted).

    python benchmarks/mlpnas_tables.py --seeds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from nas_core.budget import Budget
from nas_core.config import RunSpec, stable_seed
from nas_core.datasets import builtin
from nas_core.export import StudyBest, load_model
from nas_core.registry import DatasetRequest
from nas_core.session import open_session, prepare
from nas_core.settings import from_options
from nas_core.training.fit import DeviceData, fit
from nas_core.training.settings import TrainSettings
from nas_core.training.trial import train_architecture

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = ("digits", "wine", "breast_cancer", "mnist1d")
CHILD = {"train_epochs": 10, "train_patience": 3}  # paper 4: about 10 epochs, early stopping of 3
FINETUNE_EPOCHS = 50  # paper 5.2: test accuracy "after 50 additional epochs of fine-tuning"
SCRATCH_EPOCHS = 60  # the search's 10 and those 50, from a fresh initialization
FINAL_SEEDS = 3
SETTINGS: dict[str, dict[str, Any]] = {  # paper tables 1-4
    "plain": {},
    "predictor": {"mlpnas_predictor": True},
    "sharing+predictor": {"mlpnas_predictor": True, "mlpnas_sharing": True},
    "larger": {"mlpnas_predictor": True, "mlpnas_sharing": True, "mlpnas_epochs": 15, "mlpnas_batch": 30},
}
SKLEARN_STATES = 10
TRIALS = 500  # more than any setting samples: the controller's epochs end each search


def flags(options: dict[str, Any]) -> str:
    return " ".join(f"--{k.replace('_', '-')} {str(v).lower() if isinstance(v, bool) else v}" for k, v in options.items())


def search(dataset: str, setting: str, seed: int, folder: Path) -> dict[str, Any]:
    options = {**CHILD, **SETTINGS[setting]}
    storage = folder / f"{dataset}-{setting}-{seed}.db"
    spec = RunSpec(("mlpnas",), Budget(trials=TRIALS), seed, None, dataset, "mlp", options, device="cpu")
    started = time.perf_counter()
    session = open_session(spec, storage)
    try:
        stopped = session.run()
        trials = list(session.study.trials)
        [state] = [s for name, s in session.plugins.state_dicts().items() if name.startswith("mlpnas.MLPNAS")]
        best = session.study.best
    finally:
        session.close()
    wall = time.perf_counter() - started
    assert best is not None
    finetuned, scratch = final_training(spec, storage)
    pairs = [(t.candidate.meta["predicted"], t.result.objective) for t in trials if t.candidate.meta.get("predicted") is not None and t.result.ok]
    return {
        "dataset": dataset,
        "setting": setting,
        "seed": seed,
        "command": f"nas search --plugin mlpnas --space mlp --dataset {dataset} {flags(options)} --budget {TRIALS} --seed {seed} --storage RUN.db",
        "stopped": stopped,
        "trials": len(trials),
        "wall_seconds": wall,
        "best_arch": list(best.candidate.arch.to_dict()["layers"]),
        "best_valid": best.result.metrics["valid_acc"],
        "best_test": best.result.metrics["test_acc"],
        "finetune_valid": statistics.fmean(m["valid_acc"] for m in finetuned),
        "finetune_test": statistics.fmean(m["test_acc"] for m in finetuned),
        "finetune_test_per_seed": [m["test_acc"] for m in finetuned],
        "scratch_valid": statistics.fmean(m["valid_acc"] for m in scratch),
        "scratch_test": statistics.fmean(m["test_acc"] for m in scratch),
        "scratch_test_per_seed": [m["test_acc"] for m in scratch],
        "epoch_mean_reward": [r["mean_reward"] for r in state["history"]],
        "epoch_max_reward": [r["max_reward"] for r in state["history"]],
        "epoch_mean_length": [r["mean_length"] for r in state["history"]],
        "predictor_spearman": spearman(pairs) if len(pairs) > 2 else None,
    }  # fmt: skip


def final_training(spec: RunSpec, storage: Path) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The best child fine-tuned, and its architecture trained from scratch, once per final seed."""
    prepared = prepare(spec)
    assert prepared.dataset is not None
    data = DeviceData(prepared.dataset, torch.device("cpu"))
    settings = replace(from_options(TrainSettings, prepared.options), patience=0)
    best = StudyBest.read(storage)
    arch = best.architecture(prepared.space)
    finetuned, scratch = [], []
    for k in range(FINAL_SEEDS):
        model, _ = load_model(best)  # standardization + the trained child
        report = fit(model[1], data, replace(settings, epochs=FINETUNE_EPOCHS), stable_seed(spec.seed, "finetune", k))
        finetuned.append({"valid_acc": report.valid_acc, "test_acc": report.test_acc})
        seed = stable_seed(spec.seed, "scratch", arch.key, k)
        scratch.append(train_architecture(prepared.space, arch, data, replace(settings, epochs=SCRATCH_EPOCHS), seed).metrics)
    return finetuned, scratch


def spearman(pairs: list[tuple[float, float]]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr([p for p, _ in pairs], [a for _, a in pairs]).statistic)


def sklearn_baseline(dataset: str) -> dict[str, Any]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    data = getattr(builtin, dataset)(DatasetRequest(None, 0))
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    valid, test, seconds = [], [], []
    for state in range(SKLEARN_STATES):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MLPClassifier(random_state=state).fit(flat(data.x_train), data.y_train)
        seconds.append(time.perf_counter() - started)
        valid.append(100 * model.score(flat(data.x_valid), data.y_valid))
        test.append(100 * model.score(flat(data.x_test), data.y_test))
    return {"valid": valid, "test": test, "test_mean": statistics.fmean(test), "test_std": statistics.pstdev(test),
            "valid_mean": statistics.fmean(valid), "wall_seconds_mean": statistics.fmean(seconds)}  # fmt: skip


def summarize(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for dataset in dict.fromkeys(r["dataset"] for r in runs):
        for setting in SETTINGS:
            mine = [r for r in runs if r["dataset"] == dataset and r["setting"] == setting]
            if not mine:
                continue
            row = {"seeds": len(mine), "trials_mean": statistics.fmean(r["trials"] for r in mine)}
            for key in ("best_valid", "best_test", "finetune_test", "scratch_test", "wall_seconds"):
                values = [r[key] for r in mine]
                row[f"{key}_mean"] = statistics.fmean(values)
                row[f"{key}_std"] = statistics.pstdev(values)
            correlations = [r["predictor_spearman"] for r in mine if r["predictor_spearman"] is not None]
            row["predictor_spearman_mean"] = statistics.fmean(correlations) if correlations else None
            first = [r["epoch_mean_reward"][0] for r in mine]
            last = [r["epoch_mean_reward"][-1] for r in mine]
            row["first_epoch_reward_mean"], row["last_epoch_reward_mean"] = statistics.fmean(first), statistics.fmean(last)
            table.setdefault(dataset, {})[setting] = row
    return table


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(r["dataset"] for r in runs))
    figure, axes = plt.subplots(1, len(datasets), figsize=(4.2 * len(datasets), 3.6), squeeze=False)
    for axis, dataset in zip(axes[0], datasets):
        for setting in SETTINGS:
            curves = [r["epoch_mean_reward"] for r in runs if r["dataset"] == dataset and r["setting"] == setting]
            if curves:
                length = min(len(c) for c in curves)
                mean = [statistics.fmean(c[e] for c in curves) for e in range(length)]
                axis.plot(range(1, length + 1), mean, marker="o", markersize=3, label=f"{setting} ({len(curves)} seeds)")
        axis.set_title(dataset)
        axis.set_xlabel("controller epoch")
        axis.set_ylabel("mean validation accuracy of its samples (%)")
        axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "mlpnas_tables.json")
    args = parser.parse_args()
    torch.set_num_threads(1)  # the machine is shared; these networks are small
    command = (f"python benchmarks/mlpnas_tables.py --seeds {args.seeds} --datasets {' '.join(args.datasets)} "
               f"--settings {' '.join(args.settings)} -o {args.output}")  # fmt: skip
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    runs = [r for r in previous.get("runs", []) if r["dataset"] in args.datasets and r["setting"] in args.settings]
    report: dict[str, Any] = {"command": command, "sklearn": previous.get("sklearn", {})}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for dataset in args.datasets:
            if dataset not in report["sklearn"]:
                report["sklearn"][dataset] = sklearn_baseline(dataset)
            for seed in range(args.seeds):
                for setting in args.settings:
                    if any(r["dataset"] == dataset and r["setting"] == setting and r["seed"] == seed for r in runs):
                        continue  # measured by an earlier, interrupted invocation
                    runs.append(search(dataset, setting, seed, Path(folder)))
                    print(json.dumps({k: v for k, v in runs[-1].items() if not k.startswith("epoch_")}), flush=True)
                    report.update(summary=summarize(runs), runs=runs)
                    args.output.write_text(json.dumps(report, indent=1))
    plot(runs, args.output.with_name(args.output.stem + "_rewards.png"))
    print(json.dumps({"summary": report["summary"], "sklearn": {d: {k: v for k, v in s.items() if k.endswith("mean") or k.endswith("std")}
                                                                    for d, s in report["sklearn"].items()}}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
