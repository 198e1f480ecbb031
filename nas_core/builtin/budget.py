"""Essential: answers ``nas_budget`` for ``--budget`` and ``--timeout``."""

from __future__ import annotations

from nas_core.budget import BudgetStatus, budget_status
from nas_core.hookspecs import hookimpl
from nas_core.study import StudyView


@hookimpl
def nas_budget(study: StudyView) -> BudgetStatus:
    return budget_status(study.spec.budget, study.usage)
