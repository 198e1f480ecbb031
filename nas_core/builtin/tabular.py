"""Essential: with ``--benchmark``, a candidate is estimated by looking it up in the table."""

from __future__ import annotations

from nas_core.tables.base import Benchmark
from nas_core.config import Config
from nas_core.hookspecs import hookimpl
from nas_core.study import StudyView
from nas_core.types import Candidate, Result


class TableEstimator:
    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark

    def estimate(self, candidate: Candidate) -> Result:
        return self.benchmark.query(candidate.arch, candidate.fidelity)

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        return self.estimate(candidate)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.executor is None and config.benchmark is not None:
        config.register(TableEstimator(config.benchmark))
