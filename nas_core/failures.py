"""How an estimate that raises or diverges becomes a failed trial instead of a crashed search.

Errors that belong to the run rather than to the candidate (a missing data file, a bad option:
:class:`NasError` other than :class:`TrialError`) still stop the run, with their message. The
built-in wrapper ``nas_core.builtin.failures`` applies this around every hook estimator; Dask
workers apply it around the estimates they run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from nas_core.errors import NasError, TrialError
from nas_core.types import Result, Status


def as_failure(exc: Exception, seconds: float) -> Result:
    """The failed result for an estimator's exception; re-raises errors that belong to the run."""
    if isinstance(exc, TrialError):
        return Result.failed(str(exc), seconds)
    if isinstance(exc, NasError):
        raise exc
    return Result.failed(f"{type(exc).__name__}: {exc}", seconds)


def checked(result: Result) -> Result:
    """A complete result must carry a finite objective."""
    if result.status is Status.COMPLETE and not result.ok:
        return Result.failed(f"non-finite objective {result.objective}", result.cost_seconds)
    return result


def estimate_safely(estimate: Callable[[], Result]) -> Result:
    """Run an estimate outside a hook call the way the built-in wrapper runs one inside it."""
    started = time.perf_counter()
    try:
        result = estimate()
    except Exception as exc:  # noqa: BLE001 - any estimator bug fails this trial only
        return as_failure(exc, time.perf_counter() - started)
    return checked(result)
