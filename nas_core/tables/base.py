"""A benchmark answers queries for architectures of its space from recorded results."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nas_core.architecture import Architecture
from nas_core.constraints import Constraints
from nas_core.errors import ConfigError, DataError, TrialError
from nas_core.spaces.base import SearchSpace
from nas_core.types import Result


@dataclass(frozen=True)
class Optimum:
    """The table's best: regret is measured to ``valid_acc``; ``keys`` are the architectures reaching it.

    ``exhaustive_valid_acc`` is what a search that queried every architecture would report: the
    ``valid_acc`` of the architecture with the best objective. Where the objective is a noisy
    stand-in (NB201's single-seed accuracy), this ceiling lies below ``valid_acc``, and no strategy
    that picks its answer by the objective reaches more on average.
    """

    valid_acc: float
    test_acc: float | None
    keys: frozenset[str]
    exhaustive_valid_acc: float


class Benchmark(ABC):
    name: str
    dataset: str | None
    space: SearchSpace
    fidelities: tuple[int, ...] | None  # None: a single fidelity, query with fidelity=None

    @abstractmethod
    def query(self, arch: Architecture, fidelity: int | None = None) -> Result:
        """The recorded result; raises TrialError for an architecture or fidelity not in the table."""

    @cached_property
    def optimum(self) -> Optimum:
        return self.optimum_under(Constraints())

    @abstractmethod
    def optimum_under(self, constraints: Constraints) -> Optimum:
        """The best of the architectures that satisfy ``constraints`` (the regret's reference of a
        constrained search); a ConfigError if none does or a constraint names no column."""

    @property
    @abstractmethod
    def mean_cost_seconds(self) -> float:
        """What a query of a uniformly drawn architecture costs on average: for a plugin to say
        how much budget its own lookups will spend before it makes them."""

    @property
    def metric_names(self) -> tuple[str, ...] | None:
        """The metrics queries report (some rows may lack some), or None when not known up front."""
        return None


class TableBenchmark(Benchmark):
    """Rows of (architecture[, fidelity]) with numeric metric columns, held in memory.

    ``objective`` names the column returned as feedback (default ``valid_acc``); ``cost`` names the
    column charged as simulated seconds per query. Every numeric column is reported in the
    result's metrics except the cost; ``info_columns`` (non-numeric, e.g. an official index) go
    to the result's info. NaN cells are left out of the metrics.
    """

    def __init__(
        self,
        name: str,
        dataset: str | None,
        space: SearchSpace,
        archs: Sequence[Architecture],
        columns: Mapping[str, np.ndarray],
        *,
        objective: str = "valid_acc",
        cost: str | None = None,
        fidelity: np.ndarray | None = None,
        info_columns: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        if "valid_acc" not in columns:
            raise DataError(f"benchmark {name}: a table needs a valid_acc column")
        for column in (objective, cost):
            if column is not None and column not in columns:
                raise DataError(f"benchmark {name}: no column {column!r}")
        self.name = name
        self.dataset = dataset
        self.space = space
        self._archs = list(archs)
        self._columns = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
        self._metric_names = [k for k in self._columns if k != cost]
        self._objective = objective
        self._cost = cost
        self._fidelity = None if fidelity is None else np.asarray(fidelity, dtype=int)
        self._info = dict(info_columns or {})
        self.fidelities = None if self._fidelity is None else tuple(sorted(set(self._fidelity.tolist())))
        self._rows: dict[tuple[Architecture, int | None], int] = {}
        for row, arch in enumerate(self._archs):
            level = None if self._fidelity is None else int(self._fidelity[row])
            self._rows[(arch, level)] = row
        if self._fidelity is not None:  # fidelity=None means the arch's highest fidelity
            for row, arch in enumerate(self._archs):
                top = self._rows.get((arch, None))
                if top is None or self._fidelity[top] < self._fidelity[row]:
                    self._rows[(arch, None)] = row

    def __len__(self) -> int:
        return len(self._archs)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(self._metric_names)

    def column(self, name: str) -> np.ndarray:
        """One column's values, a row per (architecture, fidelity) in table order, for analyses."""
        if name not in self._columns:
            raise DataError(f"benchmark {self.name}: no column {name!r}")
        return self._columns[name].copy()

    def query(self, arch: Architecture, fidelity: int | None = None) -> Result:
        row = self._rows.get((arch, fidelity))
        if row is None:
            if self._fidelity is None and fidelity is not None:
                raise TrialError(f"{self.name} has a single fidelity: query it with fidelity None, not {fidelity}")
            if (arch, None) in self._rows:
                raise TrialError(f"{self.name} has no fidelity {fidelity} (it has {self.fidelities})")
            raise TrialError(f"architecture {arch.to_dict()} is not in {self.name}")
        return self._result(row)

    def _result(self, row: int) -> Result:
        metrics = {}
        for name in self._metric_names:
            value = float(self._columns[name][row])
            if not math.isnan(value):
                metrics[name] = value
        cost = float(self._columns[self._cost][row]) if self._cost else 0.0
        info = {name: values[row] for name, values in self._info.items()}
        return Result.complete(self._columns[self._objective][row], metrics, cost, info)

    def optimum_under(self, constraints: Constraints) -> Optimum:
        top = self._top_rows()
        for constraint in constraints.items:
            if constraint.metric not in self._columns:
                raise ConfigError(f"--constraint on {constraint.metric}: benchmark {self.name} has no such column")
            values = self._columns[constraint.metric][top]
            top = top[[not math.isnan(v) and constraint.holds(v) for v in values]]
        if len(top) == 0:
            raise ConfigError(f"no architecture of benchmark {self.name} satisfies {constraints}")
        valid = self._columns["valid_acc"][top]
        best = float(np.nanmax(valid))
        keys = frozenset(self._archs[r].key for r, v in zip(top, valid) if v == best)
        test = self._columns.get("test_acc")
        exhaustive = float(valid[np.nanargmax(self._columns[self._objective][top])])
        return Optimum(best, float(np.nanmax(test[top])) if test is not None else None, keys, exhaustive)

    @cached_property
    def mean_cost_seconds(self) -> float:
        if self._cost is None:
            return 0.0
        return float(np.nanmean(self._columns[self._cost][self._top_rows()]))

    def _top_rows(self) -> np.ndarray:
        """Row of every architecture at its highest fidelity."""
        return np.array(sorted({row for (_, level), row in self._rows.items() if level is None}))
