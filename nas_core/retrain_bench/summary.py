"""The statistics a retrain-bench reports, over retraining seeds, search seeds and random architectures.

Standard deviations are sample standard deviations (n - 1): the seeds are a sample of the seeds
one could have run. ``standard error`` is the mean's, std / sqrt(n), over search seeds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

import numpy as np

QUARTILES = (25, 50, 75)


def mean_std(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "mean": statistics.fmean(values) if values else None,
        "std": statistics.stdev(values) if len(values) > 1 else (0.0 if values else None),
    }


def over_search_seeds(answer_means: Sequence[float], retrain_stds: Sequence[float]) -> dict[str, Any]:
    """A method: the mean over search seeds of each answer's mean test accuracy, its spread and
    standard error, and the mean spread of one answer over its retraining seeds (the noise a
    single retraining would add)."""
    spread = mean_std(answer_means)
    return {
        "answers": len(answer_means),
        "test_acc_mean": spread["mean"],
        "test_acc_std": spread["std"],
        "test_acc_se": None if spread["std"] is None else spread["std"] / math.sqrt(len(answer_means)),
        "retrain_std_mean": statistics.fmean(retrain_stds) if retrain_stds else None,
    }


def random_distribution(means: Sequence[float]) -> dict[str, Any]:
    """The random architectures' mean test accuracies: mean, spread, quartiles, range."""
    spread = mean_std(means)
    quartiles = np.percentile(means, QUARTILES).tolist() if means else [None] * len(QUARTILES)
    return {
        "architectures": len(means),
        "test_acc_mean": spread["mean"],
        "test_acc_std": spread["std"],
        "percentiles": {str(q): value for q, value in zip(QUARTILES, quartiles)},
        "min": min(means, default=None),
        "max": max(means, default=None),
    }


def standing(value: float | None, random_means: Sequence[float]) -> dict[str, Any]:
    """Where ``value`` falls among the random architectures: the percentage of them it beats
    (a tie counts half) and whether it is above their 75th percentile."""
    if value is None or not random_means:
        return {"random_percentile": None, "random_beaten": None, "above_random_p75": None}
    below = sum(m < value for m in random_means)
    ties = sum(m == value for m in random_means)
    return {
        "random_percentile": 100 * (below + ties / 2) / len(random_means),
        "random_beaten": f"{below}/{len(random_means)}",
        "above_random_p75": bool(value > float(np.percentile(random_means, 75))),
    }
