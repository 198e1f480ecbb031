"""Names of the candidate operations and of the search methods (no torch here: the space and
the options import them without loading torch)."""

from __future__ import annotations

from nas_core import NB201_OPS

DARTS_OPS: tuple[str, ...] = (
    "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
    "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
)  # fmt: skip
# Ops without weights: a cell made only of these is what "collapse" means (DARTS on NB201).
PARAMETER_FREE = frozenset({"none", "skip_connect", "max_pool_3x3", "avg_pool_3x3"})

# Architecture gradients: DARTS first order, DARTS second order (unrolled), MiLeNAS mixed-level.
METHODS: tuple[str, ...] = ("first-order", "second-order", "milenas")

# Alpha learning rate and supernet size: fitted to the run (the default), or DARTS' CIFAR-10 values.
SCHEDULES: tuple[str, ...] = ("cpu", "paper")

# How the answer is read from the searched supernet: the largest alpha per edge (DARTS), or the op
# whose removal costs the supernet most accuracy (perturbation-based selection, DARTS-PT).
SELECTIONS: tuple[str, ...] = ("alphas", "perturbation")

__all__ = ["DARTS_OPS", "METHODS", "NB201_OPS", "PARAMETER_FREE", "SCHEDULES", "SELECTIONS"]
