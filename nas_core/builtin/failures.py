"""Essential: an estimate that raises or diverges becomes a failed trial, not a crashed search.

The innermost wrapper around every estimator. Errors that belong to the run rather than to the
candidate (a missing data file, a bad option: :class:`NasError` other than :class:`TrialError`)
still stop the run, with their message.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator

from nas_core.errors import NasError, TrialError
from nas_core.hookspecs import hookimpl
from nas_core.study import StudyView
from nas_core.types import Candidate, Result, Status


@hookimpl(wrapper=True, trylast=True)
def nas_estimate(candidate: Candidate, study: StudyView) -> Generator[None, Result | None, Result | None]:
    started = time.perf_counter()
    try:
        result = yield
    except TrialError as exc:
        return Result.failed(str(exc), time.perf_counter() - started)
    except NasError:
        raise
    except Exception as exc:  # noqa: BLE001 - any estimator bug fails this trial only
        return Result.failed(f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
    if result is not None and result.status is Status.COMPLETE and not result.ok:
        return Result.failed(f"non-finite objective {result.objective}", result.cost_seconds)
    return result
