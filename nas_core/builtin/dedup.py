"""Essential: an architecture the study has already evaluated is answered from the study.

It runs before every other estimator, costs nothing and spends no budget; strategies still see
the answer in ``nas_update``, so a population or controller learns that it proposed a duplicate.
"""

from __future__ import annotations

from nas_core.hookspecs import hookimpl
from nas_core.study import StudyView
from nas_core.types import Candidate, Result, Status, Trial


def cached_answer(previous: Trial) -> Result:
    """What a duplicate of ``previous`` gets: its metrics, at no cost."""
    return Result(Status.CACHED, previous.result.objective, previous.result.metrics, 0.0, {"duplicate_of": previous.trial_id})


@hookimpl(tryfirst=True)
def nas_estimate(candidate: Candidate, study: StudyView) -> Result | None:
    previous = study.find(candidate.arch, candidate.fidelity)
    return None if previous is None else cached_answer(previous)
