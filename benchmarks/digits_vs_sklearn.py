"""The README's main job against scikit-learn's MLPClassifier() on the same digits split.

Runs the README's search (regularized evolution over the MLP space on digits) for several seeds
and scikit-learn's MLPClassifier with default settings for as many random states, both on the
same standardized train split, and reports their test accuracies.

    python benchmarks/digits_vs_sklearn.py --seeds 3
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from nas_core.datasets.builtin import digits
from nas_core.registry import DatasetRequest

RESULTS = Path(__file__).resolve().parent / "results"
SEARCH = ("nas search --plugin evolution --space mlp --dataset digits --budget 150s "
          "--train-epochs 60 --train-weight-decay 1e-4 --train-repeats 2 --mlp-max-layers 4")


def sklearn_test_accuracy(random_state: int) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    data = digits(DatasetRequest(None, 0))
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(random_state=random_state).fit(flat(data.x_train), data.y_train)
    return 100 * model.score(flat(data.x_test), data.y_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "digits_vs_sklearn.json")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            command = f"{SEARCH} --seed {seed} --storage {tmp}/s{seed}.db --json"
            started = time.perf_counter()
            done = subprocess.run(shlex.split(command), capture_output=True, text=True, check=True)
            summary = json.loads(done.stdout)
            runs.append({
                "seed": seed, "wall_seconds": time.perf_counter() - started, "trials": summary["trials"],
                "arch": summary["best"]["arch"], "valid_acc": summary["best"]["metrics"]["valid_acc"],
                "test_acc": summary["best"]["metrics"]["test_acc"],
                "kept_model_test_acc": summary["best"]["info"].get("model_test_acc", summary["best"]["metrics"]["test_acc"]),
            })  # fmt: skip
            print(runs[-1])
    baseline = [sklearn_test_accuracy(r) for r in range(10)]
    report = {
        "command": f"python benchmarks/digits_vs_sklearn.py --seeds {args.seeds}",
        "search": SEARCH,
        "nas": runs,
        "nas_test_mean": statistics.fmean(r["test_acc"] for r in runs),
        "nas_kept_model_test_mean": statistics.fmean(r["kept_model_test_acc"] for r in runs),
        "sklearn_mlpclassifier_default_test": baseline,
        "sklearn_test_mean": statistics.fmean(baseline),
        "sklearn_test_std": statistics.pstdev(baseline),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "nas"}, indent=2))


if __name__ == "__main__":
    main()
