"""Pictures of results: regret curves of bench files, best-so-far curves and Pareto fronts of studies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nas_core.comparison import regret_bands  # noqa: E402
from nas_core.pareto import ParetoFront  # noqa: E402


def plot_bench_regret(results: Sequence[dict[str, Any]], output: Path) -> None:
    """Mean regret (to the table's best validation accuracy) over simulated time, 95% bands."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for result in results:
        for band in regret_bands(result):
            name = f"{band.label} ({result['dataset']})" if len(results) > 1 else band.label
            line = ax.plot(band.seconds, band.mean, label=f"{name}, n={band.runs}")[0]
            ax.fill_between(band.seconds, band.low, band.high, color=line.get_color(), alpha=0.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("simulated search time [s]")
    ax.set_ylabel("regret of validation accuracy [%]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def plot_study(points: Sequence[tuple[int, float, float, float | None]], title: str, output: Path) -> None:
    """Best-so-far objective (and its validation accuracy when known) per trial."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    trials = [p[0] for p in points]
    ax.step(trials, [p[2] for p in points], where="post", label="best objective so far")
    if any(p[3] is not None for p in points):
        ax.step(trials, [np.nan if p[3] is None else p[3] for p in points], where="post", label="its valid_acc")
    ax.set_xlabel("trial")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def plot_pareto(front: ParetoFront, title: str, output: Path) -> None:
    """Every trial that reports both metrics (infeasible ones as grey crosses), the feasible
    non-dominated ones joined as the front."""
    x_axis, y_axis = front.axes
    fig, ax = plt.subplots(figsize=(7, 4.5))
    infeasible = [p.values for p in front.points if not p.feasible]
    dominated = [p.values for p in front.points if p.feasible and p not in front.front]
    if infeasible:
        ax.scatter(*zip(*infeasible), marker="x", s=16, color="grey", alpha=0.6, label=f"infeasible ({len(infeasible)})")
    if dominated:
        ax.scatter(*zip(*dominated), s=14, color="tab:blue", alpha=0.5, label=f"feasible ({len(dominated)})")
    if front.front:
        xs, ys = zip(*sorted(p.values for p in front.front))
        ax.plot(xs, ys, "o-", color="tab:red", markersize=5, label=f"Pareto front ({len(front.front)})")
    ax.set_xlabel(f"{x_axis.metric} ({'higher' if x_axis.maximize else 'lower'} is better)")
    ax.set_ylabel(f"{y_axis.metric} ({'higher' if y_axis.maximize else 'lower'} is better)")
    ax.set_title(f"{title}: {len(front.points)} trials" + (f" ({front.unreported} more report no {x_axis.metric} or {y_axis.metric})" if front.unreported else ""))
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def plot_retrain_bench(results: dict[str, Any], output: Path) -> None:
    """Retrained test accuracy per method: each search seed's answer (its mean over retrainings)
    as a dot, the mean over seeds with its standard error; the random architectures as dots over
    their quartile box."""
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.6 * (len(results["methods"]) + 1)))
    rows: list[str] = []
    for label, method in results["methods"].items():
        y = len(rows)
        means = [run["test_acc_mean"] for run in method["runs"] if run["test_acc_mean"] is not None]
        ax.scatter(means, [y] * len(means), s=18, alpha=0.6)
        summary = method["summary"]
        if summary["test_acc_mean"] is not None:
            ax.errorbar([summary["test_acc_mean"]], [y], xerr=[summary["test_acc_se"]], fmt="D", color="black", capsize=4)
        rows.append(f"{label} ({len(means)})")
    random = [a["test_acc_mean"] for a in results["random"]["architectures"] if a["test_acc_mean"] is not None]
    if random:
        y = len(rows)
        ax.boxplot([random], positions=[y], vert=False, widths=0.5, whis=(0, 100), showfliers=False)
        ax.scatter(random, [y] * len(random), s=12, color="grey", alpha=0.6)
        rows.append(f"random ({len(random)})")
    plan = results["plan"]
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_xlabel(f"test accuracy [%], mean of {len(plan['retrain']['seeds'])} retrainings x {plan['retrain']['epochs']} epochs")
    ax.set_title(f"{plan['dataset']}, {plan['space']}: answers (mean ± s.e.) and random architectures")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)
