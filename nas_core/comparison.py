"""Many seeds of one or several plugin sets on a tabular benchmark, summarized for comparison.

Each run is a normal search on an in-memory study; its best-so-far curve is taken over simulated
search time. The returned architecture is the one with the best observed objective (for NB201 the
noisy single-seed accuracy), and it is judged by its seed-averaged validation and test accuracy.
Under constraints every run searches with them, only feasible trials count as its best, and the
regret is measured to the best architecture of the table that satisfies them.
"""

from __future__ import annotations

import importlib.metadata
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numpy as np

from nas_core.tables.base import Optimum
from nas_core.tables.loader import load_benchmark
from nas_core.budget import Budget, BudgetStatus
from nas_core.config import RunSpec
from nas_core.constraints import Constraints
from nas_core.hookspecs import hookimpl
from nas_core.report import best_so_far
from nas_core.plugin_sets import options_per_set
from nas_core.session import open_session
from nas_core.study import StudyView
from nas_core.types import Candidate, Result

# Libraries whose numerics a run's proposals depend on (a strategy's model, its predictor, the tables).
_NUMERIC_LIBRARIES = ("numpy", "scipy", "scikit-learn", "torch", "torch-geometric", "ConfigSpace", "smac", "optuna", "cmaes", "nas-core")


@dataclass(frozen=True)
class BenchPlan:
    plugin_sets: tuple[tuple[str, ...], ...]
    benchmark: str
    dataset: str | None
    seeds: tuple[int, ...]
    budget: Budget
    options: Mapping[str, Any] = field(default_factory=dict)
    data_dir: str | None = None
    stop_at_optimum: bool = False
    constraints: tuple[str, ...] = ()  # --constraint texts, for every run

    def specs(self) -> list[RunSpec]:
        """One spec per (set, seed); each set gets the options its plugins declare."""
        per_set = dict(zip(self.plugin_sets, options_per_set(self.plugin_sets, self.options)))
        return [
            RunSpec(plugins, self.budget, seed, self.benchmark, self.dataset, None, per_set[plugins], "cpu", self.data_dir,
                    constraints=self.constraints)  # fmt: skip
            for plugins in self.plugin_sets
            for seed in self.seeds
        ]


class StopAtOptimum:
    """Ends a run once it has evaluated one of the benchmark's optimal architectures.

    A study of the queries a method needs to find the optimum has learned what it wants then, and
    the rest of a budget large enough for the slow seeds would only cost time.
    """

    def __init__(self, optimum_keys: frozenset[str]) -> None:
        self.optimum_keys = optimum_keys
        self.found = False

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if result.status.consumes_budget and candidate.arch.key in self.optimum_keys:
            self.found = True

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus | None:
        return BudgetStatus(0.0, "the optimum was evaluated") if self.found else None


def run_one(spec: RunSpec, stop_at_optimum: bool = False) -> dict[str, Any]:
    """One seeded search on an in-memory study; its final result and best-so-far curve."""
    started = time.perf_counter()
    session = open_session(spec)
    try:
        assert session.benchmark is not None
        optimum_keys = session.benchmark.optimum_under(Constraints.parse(spec.constraints)).keys
        if stop_at_optimum:
            session.plugins.register(StopAtOptimum(optimum_keys), "stop-at-optimum", "nas bench")
        reason = session.run()
        trials = list(session.study.trials)
    finally:
        session.close()
    curve = best_so_far([t.result for t in trials])
    evaluations = 0
    to_optimum = None
    for trial in trials:
        if trial.result.status.consumes_budget:
            evaluations += 1
            if to_optimum is None and trial.candidate.arch.key in optimum_keys:
                to_optimum = evaluations
    final = curve[-1][1] if curve else None
    return {
        "seed": spec.seed,
        "queries": evaluations,
        "queries_to_optimum": to_optimum,
        "final_valid": None if final is None else final.metrics.get("valid_acc"),
        "final_test": None if final is None else final.metrics.get("test_acc"),
        "stopped": reason,
        "warnings": list(session.warnings),  # what nas search would have warned of (nas_planned_spend)
        "wall_seconds": time.perf_counter() - started,
        "curve": {
            "cost": [c for c, _ in curve],
            "valid": [r.metrics.get("valid_acc") for _, r in curve],
            "test": [r.metrics.get("test_acc") for _, r in curve],
        },
    }


def run_bench(
    plan: BenchPlan,
    jobs: int = 1,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every run of the plan; ``progress`` hears of each run, ``checkpoint`` gets the results so far
    after each (``complete`` is false until the last), so a long bench that is stopped keeps them."""
    benchmark = load_benchmark(plan.benchmark, plan.dataset, plan.data_dir)  # fail fast, and cache
    optimum = benchmark.optimum_under(Constraints.parse(plan.constraints))  # a constraint no cell satisfies: fail fast too
    specs = plan.specs()
    labels = {spec.plugins: "+".join(spec.plugins) for spec in specs}
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels.values()}

    def collect(spec: RunSpec, record: dict[str, Any]) -> None:
        runs[labels[spec.plugins]].append(record)
        if progress is not None:
            progress(labels[spec.plugins], record)
        if checkpoint is not None:
            checkpoint(_results(plan, benchmark.dataset, optimum, runs, complete=False))

    if jobs > 1:
        # kept as they finish: a slow seed must not hold back the runs that finished after it
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            running = {pool.submit(run_one, spec, plan.stop_at_optimum): spec for spec in specs}
            for done in as_completed(running):
                collect(running[done], done.result())
    else:
        for spec in specs:
            collect(spec, run_one(spec, plan.stop_at_optimum))
    return _results(plan, benchmark.dataset, optimum, runs, complete=True)


def _results(
    plan: BenchPlan, dataset: str | None, optimum: Optimum, runs: dict[str, list[dict[str, Any]]], complete: bool
) -> dict[str, Any]:
    return {
        "benchmark": plan.benchmark,
        "dataset": dataset,
        "budget": plan.budget.to_dict(),
        "seeds": list(plan.seeds),
        "options": dict(plan.options),
        "stop_at_optimum": plan.stop_at_optimum,
        "constraints": list(plan.constraints),
        "complete": complete,
        "environment": environment(),
        "optimum": {
            "valid_acc": optimum.valid_acc,
            "test_acc": optimum.test_acc,
            "exhaustive_valid_acc": optimum.exhaustive_valid_acc,
        },
        "summary": {label: summarize_runs(records, optimum.valid_acc) for label, records in runs.items()},
        "runs": {label: sorted(records, key=lambda r: r["seed"]) for label, records in runs.items()},
    }


def environment() -> dict[str, str | None]:
    """Python's and the numeric libraries' versions: a seeded run repeats only where they match
    (GPNAS's NB201 runs of one code version differed between two installations)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _NUMERIC_LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def summarize_runs(records: Sequence[dict[str, Any]], optimum_valid: float) -> dict[str, Any]:
    valid = [r["final_valid"] for r in records if r["final_valid"] is not None]
    test = [r["final_test"] for r in records if r["final_test"] is not None]
    found = [r["queries_to_optimum"] for r in records if r["queries_to_optimum"] is not None]
    hits = sorted(found) + [float("inf")] * (len(records) - len(found))
    median_hit = statistics.median(hits) if hits else float("inf")
    return {
        "runs": len(records),
        "answered": len(valid),  # runs with an answer: under constraints, a feasible one
        "final_valid_mean": _mean(valid),
        "final_valid_std": _std(valid),
        "final_test_mean": _mean(test),
        "final_test_std": _std(test),
        "regret_mean": None if not valid else optimum_valid - _mean(valid),
        "regret_std": _std(valid),
        "queries_mean": _mean([r["queries"] for r in records]),
        "found_optimum_rate": len(found) / len(records) if records else 0.0,
        "queries_to_optimum_median": None if median_hit == float("inf") else median_hit,
        "wall_seconds_mean": _mean([r["wall_seconds"] for r in records]),
    }


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _std(values: Sequence[float]) -> float | None:
    return statistics.pstdev(values) if len(values) > 1 else (0.0 if values else None)


GRID_POINTS = 300  # points of the common time grid on which the runs' curves are averaged


@dataclass(frozen=True)
class RegretBand:
    """One plugin set's mean regret over simulated search time and its 95% band (of the mean)."""

    label: str
    runs: int
    seconds: tuple[float, ...]
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


def regret_bands(result: Mapping[str, Any]) -> list[RegretBand]:
    """What ``nas plot`` draws of a ``nas bench`` result: per plugin set, the mean regret (the
    table's best validation accuracy minus each run's best so far) on a log-spaced grid of
    simulated time, with mean +- 1.96 standard errors. A point is kept where at least half of the
    set's runs have a best already (a run has none before its first query)."""
    optimum = result["optimum"]["valid_acc"]
    runs_by_set = result["runs"]
    horizon = max((r["curve"]["cost"][-1] for rs in runs_by_set.values() for r in rs if r["curve"]["cost"]), default=1.0)
    grid = np.geomspace(max(horizon / 1000, 1e-3), horizon, GRID_POINTS)
    bands = []
    for label, runs in runs_by_set.items():
        curves = np.array([optimum - _step_values(r["curve"]["cost"], r["curve"]["valid"], grid) for r in runs if r["curve"]["cost"]])
        if curves.size == 0:
            continue
        count = np.sum(~np.isnan(curves), axis=0)
        defined = count >= max(1, len(curves) // 2)
        kept, count = curves[:, defined], count[defined]
        mean = np.nanmean(kept, axis=0)
        half = 1.96 * np.nanstd(kept, axis=0) / np.sqrt(count)
        bands.append(RegretBand(label, len(runs), tuple(grid[defined].tolist()), tuple(mean.tolist()),
                                tuple((mean - half).tolist()), tuple((mean + half).tolist())))  # fmt: skip
    return bands


def _step_values(xs: Sequence[float], ys: Sequence[float | None], grid: np.ndarray) -> np.ndarray:
    """Value of a best-so-far step function at each grid point (NaN before its first point)."""
    idx = np.searchsorted(np.asarray(xs), grid, side="right") - 1
    values = np.asarray(ys, dtype=float)[np.clip(idx, 0, None)]
    return np.where(idx >= 0, values, np.nan)
