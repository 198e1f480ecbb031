"""The core's judgement of what plugins plan to spend on their own (nas_planned_spend)."""

import pytest

from nas_core import Budget, ConfigError, PlannedSpend, Usage
from nas_core.spend import judge

NOTHING_USED = Usage(0, 0.0, 0.0)
LOOKUPS = PlannedSpend("gen's dataset", trials=156, seconds=17546.0, units="table lookups", remedy="shrink --gen-size")


def test_a_plan_that_leaves_nothing_is_refused_with_the_numbers_and_the_remedies() -> None:
    with pytest.raises(ConfigError) as refused:
        judge([LOOKUPS], Budget(seconds=12000), NOTHING_USED, simulated=True)
    assert str(refused.value) == (
        "gen's dataset (156 table lookups, about 17,500 s of simulated time) leaves nothing of --budget 12000s "
        "for the search: raise the budget, shrink --gen-size"
    )


def test_the_tightest_budget_decides_and_is_named() -> None:
    with pytest.raises(ConfigError, match=r"leaves only 8% of --budget 170 for the search"):
        judge([LOOKUPS], Budget(trials=170, seconds=10**6), NOTHING_USED, simulated=True)


@pytest.mark.parametrize(
    ("budget", "warned"),
    [
        (Budget(seconds=20000), "takes 88% of --budget 20000s before the search starts; to leave it more: raise the budget"),
        (Budget(trials=311), "takes 50% of --budget 311 before the search starts"),
        (Budget(trials=312), None),  # exactly half: not less than half left
        (Budget(wall_seconds=60), None),  # a wall-clock limit: nothing a plan can be measured against
    ],
)
def test_a_plan_that_takes_half_or_more_is_a_warning(budget: Budget, warned: str | None) -> None:
    warnings = judge([LOOKUPS], budget, NOTHING_USED, simulated=True)
    if warned is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert warned in warning


def test_a_resumed_study_is_judged_on_what_is_left() -> None:
    small = PlannedSpend("gen's dataset", trials=20)
    assert judge([small], Budget(trials=100), Usage(50, 0.0, 0.0), simulated=False) == []
    with pytest.raises(ConfigError, match="leaves nothing of --budget 100"):
        judge([small], Budget(trials=100), Usage(85, 0.0, 0.0), simulated=False)


def test_measured_time_is_not_called_simulated() -> None:
    trained = PlannedSpend("pre-training", seconds=90.0)
    with pytest.raises(ConfigError, match=r"^pre-training \(about 90 s of search time\) leaves nothing of --budget 60s"):
        judge([trained], Budget(seconds=60), NOTHING_USED, simulated=False)
