"""Essential: an architecture the study has already evaluated is answered from the study.

It runs before every other estimator, costs nothing and spends no budget; strategies still see
the answer in ``nas_update``, so a population or controller learns that it proposed a duplicate.
"""

from __future__ import annotations

from nas_core.hookspecs import hookimpl
from nas_core.loop import cached_answer
from nas_core.study import StudyView
from nas_core.types import Candidate, Result


@hookimpl(tryfirst=True)
def nas_estimate(candidate: Candidate, study: StudyView) -> Result | None:
    previous = study.find(candidate.arch, candidate.fidelity)
    return None if previous is None else cached_answer(previous)
