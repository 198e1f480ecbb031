"""The non-dominated trials of two metrics, each maximized or minimized.

The dashboard's own small rule, over any two columns a user picks: a point is dominated when
another is at least as good in both metrics and better in one. Equal points do not dominate each
other, so both stay on the front.
"""

from __future__ import annotations

from collections.abc import Sequence


def non_dominated(xs: Sequence[float], ys: Sequence[float], maximize: tuple[bool, bool]) -> list[bool]:
    """For each point (xs[i], ys[i]), whether it is on the Pareto front. O(n log n): a sweep from
    the best x down keeps the best y of the points with a strictly better x."""
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} x values for {len(ys)} y values")
    sx = 1.0 if maximize[0] else -1.0
    sy = 1.0 if maximize[1] else -1.0
    order = sorted(range(len(xs)), key=lambda i: (-sx * xs[i], -sy * ys[i]))
    front = [False] * len(xs)
    best_y_of_better_x = float("-inf")
    start = 0
    while start < len(order):
        end = start
        x = sx * xs[order[start]]
        while end < len(order) and sx * xs[order[end]] == x:
            end += 1
        group = order[start:end]  # equal x, best y first
        top = sy * ys[group[0]]
        if top > best_y_of_better_x:
            for i in group:
                if sy * ys[i] == top:
                    front[i] = True
        best_y_of_better_x = max(best_y_of_better_x, top)
        start = end
    return front
