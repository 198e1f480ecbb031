"""Reading a study file for people and scripts, without loading any plugin.

``summarize`` is the machine-readable contract of ``nas show --json``: ``trials`` (recorded
trials), ``best`` (``arch``, ``metrics``, ...), ``budget_used``, ``plugins``, ``seed``,
``answer`` (``arch``, ``key``) when a strategy named its answer through ``nas_answer``, and
``data`` (``path``, ``sha256``, ``format``, ``labels``, ``target``, ``columns``) when it searched
on a data file of the user's. Under ``--constraint``: ``constraints``, ``infeasible`` (trials
that violate them) and ``best`` is the best feasible trial (None when there is none);
``answer_set_aside`` (``arch``, ``why``) is a named answer that no feasible trial backs, which
the best feasible trial replaces.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from nas_core.config import RunSpec
from nas_core.errors import reading_study
from nas_core.fidelity_budgets import fidelity_rank
from nas_core.storage import StudyStorage, TrialRow
from nas_core.types import Result, Status


def best_row(rows: list[TrialRow]) -> TrialRow | None:
    """The best trial as the study tracked it while searching (:meth:`Result.beats`)."""
    best: tuple[TrialRow, Result] | None = None
    for row in rows:
        objective = row.result.get("objective")
        if best is not None and not (isinstance(objective, int | float) and objective > (best[1].objective or 0.0)):
            continue  # cannot beat the best (the same rule, without decoding a Result for every trial)
        result = Result.from_dict(row.result)
        if result.beats(None if best is None else best[1]):
            best = (row, result)
    return None if best is None else best[0]


def answer_row(meta: Mapping[str, Any], rows: list[TrialRow]) -> tuple[dict[str, Any] | None, TrialRow | None]:
    """A study's answer (its architecture as stored) and the trial that evaluated it.

    The answer is what a plugin nominated when the search ended (``nas_answer``: a differentiable
    search's final derived cell), else the best trial's architecture. A nominated architecture
    that no completed trial evaluated has no trial; a study with neither has no answer yet.
    """
    nominated = meta.get("answer")
    if nominated is not None:
        return nominated["arch"], most_trained_completed(rows, nominated["arch"])
    best = best_row(rows)
    return (None, None) if best is None else (best.candidate["arch"], best)


def most_trained_completed(rows: list[TrialRow], arch: Mapping[str, Any]) -> TrialRow | None:
    """The completed trial of exactly this architecture at its most trained fidelity (the last of
    them): a multi-fidelity search may train a child again at fewer epochs after it was trained at
    more, and its answer is judged by the most training it had."""
    matching = [r for r in rows if r.candidate["arch"] == arch and r.result["status"] == Status.COMPLETE]
    if not matching:
        return None
    top = max(fidelity_rank(r.candidate.get("fidelity")) for r in matching)
    return [r for r in matching if fidelity_rank(r.candidate.get("fidelity")) == top][-1]


def summarize(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The summary of the study file at ``path`` (opened read-only)."""
    storage = StudyStorage.open(path, writer=False)
    try:
        with reading_study(path):
            return summarize_storage(storage)
    finally:
        storage.close()


def summarize_storage(storage: StudyStorage) -> dict[str, Any]:
    return summarize_rows(storage.path, storage.meta(), list(storage.trials()))


def summarize_rows(path: str, meta: Mapping[str, Any], rows: list[TrialRow]) -> dict[str, Any]:
    """The summary of a study whose meta and trial rows have been read."""
    spec = RunSpec.from_dict(meta["spec"])
    statuses = Counter(row.result["status"] for row in rows)
    best = best_row(rows)
    return {
        "storage": path,
        "trials": len(rows),
        "status_counts": dict(statuses),
        "constraints": list(spec.constraints),
        "infeasible": sum(n for status, n in statuses.items() if Status(status).infeasible),
        "duplicates": meta.get("duplicates", 0),
        "best": None
        if best is None
        else {
            "trial_id": best.trial_id,
            "arch": best.candidate["arch"],
            "objective": best.result["objective"],
            "metrics": best.result["metrics"],
            "origin": best.candidate.get("origin", ""),
            "fidelity": best.candidate.get("fidelity"),
            "info": best.result.get("info", {}),
        },
        "budget": spec.budget.to_dict(),
        "budget_used": {
            "trials": sum(n for status, n in statuses.items() if Status(status).consumes_budget),
            "cost_seconds": sum(row.result["cost_seconds"] for row in rows),
            "wall_seconds": rows[-1].wall_seconds if rows else 0.0,
        },
        "plugins": [{"name": name, "version": meta.get("plugins", {}).get(name, "")} for name in spec.plugins],
        "seed": spec.seed,
        "benchmark": spec.benchmark,
        "dataset": spec.dataset,
        "data": meta.get("data"),
        "space": spec.space,
        "options": dict(spec.options),
        "stopped": meta.get("stopped"),
        "answer": meta.get("answer"),
        "answer_set_aside": meta.get("answer_set_aside"),
        "nas_core_version": meta.get("nas_core_version"),
    }


def best_so_far(results: list[Result]) -> list[tuple[float, Result]]:
    """After each result: cumulative search time and the best completed result so far."""
    points = []
    cost = 0.0
    best: Result | None = None
    for result in results:
        cost += result.cost_seconds
        if result.beats(best):
            best = result
        if best is not None:
            points.append((cost, best))
    return points
