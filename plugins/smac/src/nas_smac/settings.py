"""The options of ``hyperband`` and ``bohb`` (no torch, no SMAC: options are declared without them)."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import Settings, setting


@dataclass(frozen=True)
class HyperbandSettings(Settings, prefix="hyperband"):
    eta: int = setting(3, "Hyperband's halving rate: a successive-halving stage keeps the best 1/eta of its configurations for eta times the budget", at_least=2)
    min_epochs: int = setting(
        0,
        "the smallest budget, in epochs, when candidates are trained (0: --train-epochs / eta^2, rounded up); "
        "a table's budgets are the fidelities it records",
        at_least=0,
    )


@dataclass(frozen=True)
class BOHBSettings(HyperbandSettings, prefix="bohb"):
    initial: int = setting(
        0,
        "random configurations before SMAC's random forest proposes (0: the multi-fidelity facade's rule "
        "at SMAC's default 100 trials, 10 per decision and at most 25)",
        at_least=0,
    )
