"""The conformance kit's search under a constraint (``--constraint``).

The kit first runs the plugin's search without one, then constrains the metric the plugin's
test names (``constraint_metric``, default ``params``) so that the run's first evaluated
architecture violates it and the larger part of the others satisfies it: the constrained run proposes that same
first architecture (nothing has been fed back yet), so it must record it as infeasible, and
the rest of the search must go on around it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from nas_core.constraints import Constraint, is_architecture_metric
from nas_core.errors import StorageError
from nas_core.export import StudyBest
from nas_core.report import summarize
from nas_core.types import Status, Trial


def first_violated(trials: Sequence[Trial], metric: str, who: str) -> str:
    """A constraint on ``metric`` that the first completed trial violates and the others on its
    larger side satisfy (at least half of the other values, so the search has room)."""
    completed = [t for t in trials if t.result.status is Status.COMPLETE and metric in t.result.metrics]
    if not completed:
        reported = sorted({name for t in trials for name in t.result.metrics})
        pytest.fail(
            f"{who}.constraint_metric is {metric!r}, which no completed trial of its search reports "
            f"(they report {', '.join(reported) or 'nothing'}): name one of those"
        )
    first = completed[0].result.metrics[metric]
    values = [t.result.metrics[metric] for t in completed]
    below = [value for value in values if value < first]
    above = [value for value in values if value > first]
    if below and len(below) >= len(above):
        return str(Constraint(metric, "<=", max(below)))
    if above:
        return str(Constraint(metric, ">=", min(above)))
    pytest.fail(f"every completed trial of {who}'s search reports {metric} = {first}: name a metric that varies in constraint_metric")


def assert_constraint_kept(trials: Sequence[Trial], storage: str | os.PathLike[str], text: str, *, first_violates: bool) -> None:
    """Infeasible trials recorded as such, feasible ones within the constraint, and an answer
    (what ``nas show``, ``export`` and ``retrain`` use) that satisfies it."""
    constraint = Constraint.parse(text)
    assert trials, "the constrained search recorded no trial"
    for trial in trials:
        status, value = trial.result.status, trial.result.metrics.get(constraint.metric)
        if status is Status.COMPLETE:
            assert value is not None and constraint.holds(value), f"trial {trial.trial_id} completed, but violates {text}"
        if status.infeasible:
            assert trial.result.objective is None, f"infeasible trial {trial.trial_id} kept an objective"
            assert [v["constraint"] for v in trial.result.info["violated"]] == [text]
            assert status is Status.INFEASIBLE or is_architecture_metric(constraint.metric)
        if value is not None and not constraint.holds(value) and status is not Status.PREDICTED:  # predictions are not judged
            assert status.infeasible, f"trial {trial.trial_id} violates {text} but is recorded as {status.value}"
    if first_violates:
        assert trials[0].result.status.infeasible, f"the first trial violates {text} but is recorded as {trials[0].result.status.value}"
    best = summarize(storage)["best"]
    if best is not None:
        assert constraint.holds(best["metrics"][constraint.metric]), f"the best trial violates {text}"
    try:
        answer = StudyBest.read(storage)
    except StorageError as none:
        assert best is None and "no feasible trial" in str(none)
        return
    if answer.row is not None:
        assert answer.row.result["status"] == Status.COMPLETE, "the answer's trial is not feasible"
        assert constraint.holds(answer.row.result["metrics"][constraint.metric]), f"the answer violates {text}"
