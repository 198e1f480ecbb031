"""SMAC's budget range for a run, and how a budget SMAC asks for becomes a candidate's fidelity.

- Trained candidates: a budget is a number of epochs, from ``--<plugin>-min-epochs`` (by default
  ``--train-epochs`` / eta^2, rounded up: three Hyperband stages) to ``--train-epochs``; SMAC's
  real-valued budgets are rounded to whole epochs.
- A table that records several fidelities: budgets range over them, and a budget becomes the
  smallest recorded fidelity at least that large (never less training than Hyperband planned).
- A table of one fidelity (NAS-Bench-201 records only its 200-epoch results): the range is one
  point, every trial runs at the table's fidelity, and Hyperband's brackets shrink to one stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nas_core import Config, ConfigError

_ONE_FIDELITY = 1.0  # SMAC's budget range (a point) where the table has a single fidelity


@dataclass(frozen=True)
class Budgets:
    low: float
    high: float
    levels: tuple[int, ...] | None = None  # the fidelities a table records
    epochs: bool = False  # budgets are epochs of training

    def fidelity(self, budget: float | None) -> int | None:
        """The candidate's fidelity for SMAC's ``budget`` (None: the table's only one)."""
        if budget is None or (self.levels is None and not self.epochs):
            return None
        if self.epochs:
            return max(1, round(budget))
        assert self.levels is not None
        return next((level for level in self.levels if level >= budget - 1e-9), self.levels[-1])


def budgets_of(config: Config, eta: int, min_epochs: int, flag: str) -> Budgets:
    """The run's budgets: a table's recorded fidelities, or epochs of training."""
    if config.benchmark is not None:
        levels = config.benchmark.fidelities
        if not levels or len(levels) == 1:
            return Budgets(_ONE_FIDELITY, _ONE_FIDELITY)
        ordered = tuple(sorted(levels))
        return Budgets(float(ordered[0]), float(ordered[-1]), ordered)
    most = int(config.option("train_epochs"))
    least = min_epochs or max(1, math.ceil(most / eta**2))
    if least > most:
        raise ConfigError(f"{flag} must be at most --train-epochs ({most}), got {least}")
    return Budgets(float(least), float(most), epochs=True)
