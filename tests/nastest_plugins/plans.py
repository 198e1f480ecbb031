"""Declares work of its own that takes 6 trials of the budget (it spends none: the core's warning
about such plans is what a test looks at)."""

from nas_core import PlannedSpend, hookimpl


@hookimpl
def nas_planned_spend(config):
    return PlannedSpend("plans' warm-up", trials=6)
