"""Essential: the innermost wrapper around every estimator (rules in :mod:`nas_core.failures`)."""

from __future__ import annotations

import time
from collections.abc import Generator

from nas_core.failures import as_failure, checked
from nas_core.hookspecs import hookimpl
from nas_core.study import StudyView
from nas_core.types import Candidate, Result


@hookimpl(wrapper=True, trylast=True)
def nas_estimate(candidate: Candidate, study: StudyView) -> Generator[None, Result | None, Result | None]:
    started = time.perf_counter()
    try:
        result = yield
    except Exception as exc:  # noqa: BLE001 - any estimator bug fails this trial only
        return as_failure(exc, time.perf_counter() - started)
    if not isinstance(result, Result):
        return result  # None (nobody answered) or a wrong type, which the core's hook caller names
    return checked(result)
