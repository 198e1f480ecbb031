"""Essential: with ``--workers`` or ``--scheduler``, candidates are estimated on Dask workers.

The dispatcher is the first of the core's fallback estimators: a plugin's own estimator, the
core's de-duplication and any filter answer before it, in the driver. It answers
``Status.PENDING``; the loop collects the worker's result when it is ready.
"""

from __future__ import annotations

from nas_core.config import Config
from nas_core.hookspecs import hookimpl
from nas_core.parallel import DaskExecutor
from nas_core.study import StudyView
from nas_core.types import Candidate, Result, Status


class Dispatcher:
    def __init__(self, executor: DaskExecutor) -> None:
        self.executor = executor

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        self.executor.submit(candidate)
        return Result(Status.PENDING)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.executor is not None:
        config.register(Dispatcher(config.executor))
