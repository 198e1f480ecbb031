"""The NAS dataset (paper 3.3): evaluated architectures and their indicator labels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nas_core import Architecture, NasError, Result, SearchSpace, TrialError
from nas_nag.labels import Indicator, indicator_value, tertiles

MIN_RECORDS = 3  # one per third, at least


@dataclass(frozen=True)
class NASRecord:
    arch: Architecture
    objective: float
    metrics: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"arch": self.arch.to_dict(), "objective": self.objective, "metrics": dict(self.metrics)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], space: SearchSpace) -> NASRecord:
        return cls(space.decode(data["arch"]), float(data["objective"]), dict(data["metrics"]))


def label_matrix(records: Sequence[NASRecord], indicators: Sequence[Indicator]) -> np.ndarray:
    """(records, indicators) class indices: each indicator's tertile over the dataset."""
    if len(records) < MIN_RECORDS:
        raise NasError(f"the NAS dataset holds {len(records)} evaluated architectures; NAG needs {MIN_RECORDS} at least")
    columns = [tertiles([indicator_value(ind, r.objective, r.metrics) for r in records]) for ind in indicators]
    return np.stack(columns, axis=1) if columns else np.zeros((len(records), 0), dtype=np.int64)


def draw_distinct(space: SearchSpace, rng: np.random.Generator, seen: set[str], attempts: int = 1000) -> Architecture | None:
    """A uniformly sampled architecture whose key is not in ``seen`` (added to it), or None when
    ``attempts`` draws found none (the space is nearly exhausted)."""
    for _ in range(attempts):
        arch = space.sample(rng)
        if arch.key not in seen:
            seen.add(arch.key)
            return arch
    return None


def query_records(
    space: SearchSpace, rng: np.random.Generator, size: int, query: Callable[[Architecture], Result]
) -> tuple[list[NASRecord], int, float]:
    """``size`` distinct sampled architectures answered by ``query`` (a table lookup): the usable
    records, how many queries were made and their summed cost in seconds."""
    seen: set[str] = set()
    records: list[NASRecord] = []
    queries, cost = 0, 0.0
    for _ in range(size):
        arch = draw_distinct(space, rng, seen)
        if arch is None:
            break
        queries += 1
        try:
            result = query(arch)
        except TrialError:
            continue
        cost += result.cost_seconds
        if result.ok:
            assert result.objective is not None
            records.append(NASRecord(arch, result.objective, dict(result.metrics)))
    return records, queries, cost
