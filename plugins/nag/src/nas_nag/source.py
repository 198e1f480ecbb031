"""Where a NAS dataset comes from when it is not made of the run's own trials.

- :class:`TableSource`: a sampled fraction of the run's benchmark table, looked up directly
  (``nag-generator`` cannot propose trials: it is not the strategy);
- :class:`SupernetSource`: the one-shot supernet with improved parameter sharing, on the run's
  dataset (:mod:`nas_nag.supernet`).

Either reports what the building used, queries and (simulated or measured) seconds, so a plugin
can charge it to the run's budget through ``nas_budget`` (:func:`charged_status`); the table's
can also say beforehand what it will use (``nas_planned_spend``). The supernet's seconds are
measured training time, not known before it is trained.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from nas_core import (
    Benchmark, BudgetStatus, Config, ConfigError, PlannedSpend, StudyView, budget_status,
)
from nas_nag.dataset import NASRecord, draw_distinct, query_records
from nas_nag.opendomain import OpenDomainSpace
from nas_nag.settings import SupernetSettings
from nas_nag.supernet import build_with_supernet


@dataclass(frozen=True)
class Built:
    records: list[NASRecord]
    queries: int  # table lookups, which a trial budget counts as trials when charged
    seconds: float  # simulated (table) or measured (supernet) cost


class NonTrialSource(Protocol):
    def build(self, rng: np.random.Generator, size: int) -> Built: ...

    def planned(self, size: int) -> PlannedSpend | None:
        """What building a dataset of ``size`` will cost, when it can be known beforehand."""


class TableSource:
    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark

    def build(self, rng: np.random.Generator, size: int) -> Built:
        records, queries, seconds = query_records(self.benchmark.space, rng, size, self.benchmark.query)
        return Built(records, queries, seconds)

    def planned(self, size: int) -> PlannedSpend:
        return PlannedSpend(
            "nag-generator's NAS dataset",
            trials=size,
            seconds=size * self.benchmark.mean_cost_seconds,
            units="table lookups",
            remedy="shrink --nag-dataset-size, or --nag-charge-dataset false",
        )


class SupernetSource:
    def __init__(self, config: Config, settings: SupernetSettings, with_flops: bool) -> None:
        from nas_core import device_data

        assert isinstance(config.space, OpenDomainSpace) and config.dataset is not None
        self.space = config.space
        self.data = device_data(config.dataset, config.device)
        self.settings = settings
        self.with_flops = with_flops

    def build(self, rng: np.random.Generator, size: int) -> Built:
        seen: set[str] = set()
        pool = [arch for arch in (draw_distinct(self.space, rng, seen) for _ in range(size)) if arch is not None]
        built = build_with_supernet(
            self.space, self.data, pool, self.settings, int(rng.integers(2**31)), self.with_flops  # type: ignore[arg-type]
        )
        return Built(built.records, 0, built.seconds)

    def planned(self, size: int) -> None:
        return None  # measured training time: unknown until the supernet is trained


def supernet_source(config: Config, settings: SupernetSettings, with_flops: bool) -> SupernetSource:
    """The supernet source, or a one-line ConfigError when the run cannot train one."""
    if not isinstance(config.space, OpenDomainSpace):
        raise ConfigError(
            f"--nag-dataset supernet trains the open-domain space's supernet (--space nag-open with --plugin nag-space), not '{config.space.name}'"
        )
    if config.dataset is None:
        raise ConfigError("--nag-dataset supernet trains on the run's data: give --dataset (and no --benchmark)")
    return SupernetSource(config, settings, with_flops)


def charged_status(study: StudyView, queries: int, seconds: float) -> BudgetStatus | None:
    """The run's budget as if ``queries`` more trials and ``seconds`` more search time were used."""
    if not queries and not seconds:
        return None
    usage = study.usage
    usage = replace(usage, trials=usage.trials + queries, cost_seconds=usage.cost_seconds + seconds)
    return budget_status(study.spec.budget, usage)
