"""Essential: with ``--benchmark``, a candidate is estimated by looking it up in the table."""

from __future__ import annotations

from nas_core.config import Config
from nas_core.estimators import TableEstimator
from nas_core.hookspecs import hookimpl


@hookimpl
def nas_configure(config: Config) -> None:
    if config.executor is None and config.benchmark is not None:
        config.register(TableEstimator(config.benchmark))
