"""Budget a plugin spends on its own, said before it is spent, and the core's judgement of it.

Most budget goes to trials the strategy proposes. A plugin that spends some itself (a generator
that looks up its own training set in the table, charged through ``nas_budget``) can leave the
strategy nothing: a run that silently records one trial is worse than a refusal. Such a plugin
answers ``nas_planned_spend`` with a :class:`PlannedSpend`, and before the study file is touched
the core refuses a run whose plans leave less than :data:`REFUSE_BELOW` of the budget for the
search, and warns when they leave less than :data:`WARN_BELOW`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from nas_core.budget import Budget, Usage
from nas_core.errors import ConfigError

REFUSE_BELOW = 0.10  # of the budget left for the search
WARN_BELOW = 0.50


@dataclass(frozen=True)
class PlannedSpend:
    """What a plugin will charge to the run's budget before or beside the strategy's trials.

    ``what`` names it with its plugin (``"nag-generator's NAS dataset"``); ``trials`` count
    against a trial budget (as ``units``, e.g. ``"table lookups"``), ``seconds`` against a
    search-time budget (an estimate: for table lookups, their number times the table's mean
    cost); ``remedy`` says how to spend less (``"shrink --nag-dataset-size"``).
    """

    what: str
    trials: int = 0
    seconds: float = 0.0
    units: str = "trials"
    remedy: str = ""

    def describe(self, simulated: bool) -> str:
        parts = [f"{self.trials} {self.units}"] if self.trials else []
        if self.seconds:
            parts.append(f"about {_rounded(self.seconds)} s of {'simulated' if simulated else 'search'} time")
        return f"{self.what} ({', '.join(parts)})" if parts else self.what


def judge(spends: Sequence[PlannedSpend], budget: Budget, used: Usage, *, simulated: bool) -> list[str]:
    """Warnings for plans that leave less than half the budget; raises ConfigError for plans that
    leave less than a tenth. ``used``: what a resumed study has spent already."""
    warnings = []
    for spend in spends:
        left, flag = _left_for_search(spend, budget, used)
        if left is None:
            continue
        remedies = ", ".join(filter(None, ("raise the budget", spend.remedy)))
        if left < REFUSE_BELOW:
            share = "nothing" if left <= 0 else f"only {left:.0%}"
            raise ConfigError(f"{spend.describe(simulated)} leaves {share} of {flag} for the search: {remedies}")
        if left < WARN_BELOW:
            warnings.append(f"{spend.describe(simulated)} takes {1 - left:.0%} of {flag} before the search starts; to leave it more: {remedies}")
    return warnings


def _left_for_search(spend: PlannedSpend, budget: Budget, used: Usage) -> tuple[float | None, str]:
    """The tightest fraction of a budget's remainder the plan leaves, and the flag that set it."""
    limits: list[tuple[float, str]] = []
    if budget.trials is not None and spend.trials:
        remaining = budget.trials - used.trials
        limits.append(((remaining - spend.trials) / remaining if remaining > 0 else 0.0, f"--budget {budget.trials}"))
    if budget.seconds is not None and spend.seconds:
        remaining_s = budget.seconds - used.cost_seconds
        limits.append(((remaining_s - spend.seconds) / remaining_s if remaining_s > 0 else 0.0, f"--budget {budget.seconds:g}s"))
    if not limits:
        return None, ""
    return min(limits)


def _rounded(seconds: float) -> str:
    """Three significant figures, thousands separated: 17546 -> '17,500'."""
    if seconds >= 100:
        return f"{round(seconds, 2 - int(math.log10(seconds))):,.0f}"
    return f"{seconds:.3g}"
