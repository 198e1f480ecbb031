"""Hyperband's budget range for a run, how a budget becomes a candidate's fidelity, and which
trial a multi-fidelity search answers with.

Shared by the multi-fidelity strategies (the ``smac`` plugin's ``bohb`` and ``hyperband``, and
``gpnas``), so that one ``--train-epochs`` gives them the same brackets:

- Trained candidates: a budget is a number of epochs, from the strategy's ``--<plugin>-min-epochs``
  (by default ``--train-epochs`` / eta^2, rounded up: three Hyperband stages) to ``--train-epochs``;
  real-valued budgets (SMAC's: max / eta^k) are rounded to whole epochs. Equal bounds make every
  trial a full-fidelity one.
- A table that records several fidelities: budgets range over them, and a budget becomes the
  smallest recorded fidelity at least that large (never less training than Hyperband planned).
- A table of one fidelity (NAS-Bench-201 records only its 200-epoch results): the range is one
  point, every trial runs at the table's fidelity (``None``), and Hyperband's brackets shrink to one
  stage.

A multi-fidelity search's answer is the best trial at the highest fidelity any completed trial
reached (:func:`best_at_highest_fidelity`): accuracies after fewer epochs are not comparable with
full-fidelity ones, and a search cut short before any full-fidelity trial still has an answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from nas_core.config import Config
from nas_core.errors import ConfigError
from nas_core.types import Status, Trial

_ONE_FIDELITY = 1.0  # the budget range (a point) where the table has a single fidelity


@dataclass(frozen=True)
class FidelityBudgets:
    low: float
    high: float
    levels: tuple[int, ...] | None = None  # the fidelities a table records
    epochs: bool = False  # budgets are epochs of training

    @property
    def multi_fidelity(self) -> bool:
        """Budgets name fidelities (training, or a table of several); False: one table fidelity."""
        return self.epochs or self.levels is not None

    def fidelity(self, budget: float | None) -> int | None:
        """The candidate's fidelity for the optimizer's ``budget`` (None: the table's only one)."""
        if budget is None or not self.multi_fidelity:
            return None
        if self.epochs:
            return max(1, round(budget))
        assert self.levels is not None
        return next((level for level in self.levels if level >= budget - 1e-6), self.levels[-1])


def fidelity_budgets(config: Config, eta: int, min_epochs: int, flag: str) -> FidelityBudgets:
    """The run's budgets: a table's recorded fidelities, or epochs of training from ``min_epochs``
    (0: ``--train-epochs`` / eta^2, rounded up; ``flag`` names the option in the error)."""
    if config.benchmark is not None:
        levels = config.benchmark.fidelities
        if not levels or len(levels) == 1:
            return FidelityBudgets(_ONE_FIDELITY, _ONE_FIDELITY)
        ordered = tuple(sorted(levels))
        return FidelityBudgets(float(ordered[0]), float(ordered[-1]), ordered)
    most = int(config.option("train_epochs"))
    least = min_epochs or max(1, math.ceil(most / eta**2))
    if least > most:
        raise ConfigError(f"{flag} must be at most --train-epochs ({most}), got {least}")
    return FidelityBudgets(float(least), float(most), epochs=True)


def fidelity_rank(fidelity: int | None) -> float:
    """A fidelity's place in the order of training: ``None`` (the estimator's full fidelity) last."""
    return math.inf if fidelity is None else float(fidelity)


def best_at_highest_fidelity(trials: Iterable[Trial]) -> Trial | None:
    """The best completed trial (:meth:`Result.beats`) among the completed trials at the highest
    fidelity any of them reached; None before any completed trial."""
    completed = [t for t in trials if t.result.status is Status.COMPLETE and t.result.ok]
    if not completed:
        return None
    top = max(fidelity_rank(t.candidate.fidelity) for t in completed)
    best: Trial | None = None
    for trial in completed:
        if fidelity_rank(trial.candidate.fidelity) == top and trial.result.beats(None if best is None else best.result):
            best = trial
    return best
