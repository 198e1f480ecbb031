"""MiLeNAS' model-size-based search and early stopping (He et al., CVPR 2020).

MiLeNAS' abstract credits "model size-based search and early stopping strategies" for finishing
its search in about 5 hours. The project's copy of the paper (``003_*.txt``) holds the abstract
only; what the two mean is read from the authors' public search code (not copied):

- the *model size* of an epoch is the number of ops with weights (convolutions) in the cells
  derived after it (MiLeNAS counts them per normal and reduction cell);
- *model-size-based search*: the derived cells change size as the alphas move, so one search
  passes through several sizes; for each size the epoch whose supernet validated best is kept, and
  one run yields an architecture per size (the paper lists four MiLeNAS cells of 2.1-3.9 M
  parameters). ``--darts-size-ops N`` answers the one of size N;
- *early stopping*: the search ends at the first epoch whose derived cells reach the wanted size
  (the authors stop at 6 convolutions in the normal cell), instead of running every epoch.

Each trial's metrics carry ``parametric_ops``, so the per-size bests are a query of the study.
"""

from __future__ import annotations

from collections.abc import Sequence

from nas_core import Result, Status, Trial

SIZE_METRIC = "parametric_ops"


def size_of(result: Result) -> int | None:
    """The model size of the cells derived after an epoch (None: the epoch failed)."""
    if result.status is not Status.COMPLETE or SIZE_METRIC not in result.metrics:
        return None
    return int(result.metrics[SIZE_METRIC])


def best_per_size(trials: Sequence[Trial]) -> dict[int, Trial]:
    """For every model size the search passed through, its best-validated epoch (earliest on ties)."""
    best: dict[int, Trial] = {}
    for trial in trials:
        size = size_of(trial.result)
        if size is None or trial.result.objective is None:
            continue
        if size not in best or trial.result.objective > (best[size].result.objective or float("-inf")):
            best[size] = trial
    return best


def reached(result: Result, size: int) -> bool:
    """Early stopping: the cells derived after this epoch have ``size`` parametric ops or more."""
    ops = size_of(result)
    return ops is not None and ops >= size
