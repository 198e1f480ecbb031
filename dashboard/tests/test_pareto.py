"""The dashboard's Pareto rule against the definition, point by point."""

from __future__ import annotations

import numpy as np
import pytest

from nas_dashboard.pareto import non_dominated


def dominated(i: int, xs: list[float], ys: list[float], maximize: tuple[bool, bool]) -> bool:
    sx, sy = (1 if maximize[0] else -1), (1 if maximize[1] else -1)
    return any(sx * xs[j] >= sx * xs[i] and sy * ys[j] >= sy * ys[i] and (xs[j], ys[j]) != (xs[i], ys[i]) for j in range(len(xs)))


@pytest.mark.parametrize("maximize", [(True, True), (True, False), (False, True), (False, False)])
def test_the_front_is_exactly_the_points_nothing_dominates(maximize: tuple[bool, bool]) -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(1, 40))
        xs = rng.integers(0, 8, n).astype(float).tolist()  # few values: many ties
        ys = rng.integers(0, 8, n).astype(float).tolist()
        assert non_dominated(xs, ys, maximize) == [not dominated(i, xs, ys, maximize) for i in range(n)]


def test_equal_points_stay_on_the_front_together_and_a_better_one_removes_them() -> None:
    assert non_dominated([1.0, 1.0], [2.0, 2.0], (True, True)) == [True, True]
    assert non_dominated([1.0, 1.0, 1.0], [2.0, 2.0, 3.0], (True, True)) == [False, False, True]
    assert non_dominated([], [], (True, False)) == []
    with pytest.raises(ValueError, match="2 x values for 1 y values"):
        non_dominated([1.0, 2.0], [1.0], (True, True))
