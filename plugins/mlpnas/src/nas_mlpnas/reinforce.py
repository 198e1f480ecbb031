"""The pieces of REINFORCE (appendix 7.1 of the paper) that are plain arithmetic.

An architecture is one episode: the controller emits its tokens one by one and is rewarded once,
at the end, with the child's validation accuracy ``R``. The discounted return of the token emitted
at step ``t`` of a ``T``-token episode is therefore ``G_t = discount**(T-1-t) * R``; REINFORCE
weights ``log pi(a_t | s_t)`` by ``G_t`` minus a baseline. The baseline is an exponential moving
average of the rewards (so "good" means better than recently), and advantages are divided by the
standard deviation of the rewards seen so far, as the reference code normalizes its rewards: the
policy step then does not depend on the units of the objective.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def discounts(length: int, discount: float) -> np.ndarray:
    """``discount**(length-1-t)`` for ``t = 0..length-1``: the share of the final reward each step gets."""
    return discount ** np.arange(length - 1, -1, -1, dtype=np.float64)


@dataclass
class MovingBaseline:
    """Exponential moving average of rewards: ``b <- decay * b + (1 - decay) * r``.

    The first batch, which has no history to compare with, is compared with its own mean.
    """

    decay: float
    value: float | None = None

    def advantages(self, rewards: Sequence[float]) -> np.ndarray:
        """``reward - baseline`` for a batch, with the baseline from before the batch; then updates it."""
        values = np.asarray(rewards, dtype=np.float64)
        baseline = float(values.mean()) if self.value is None else self.value
        advantages = values - baseline
        for reward in values:
            baseline = self.decay * baseline + (1.0 - self.decay) * float(reward)
        self.value = baseline
        return advantages


@dataclass
class RewardStats:
    """Count, mean, spread (Welford) and minimum of every reward observed in the run."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    minimum: float = math.inf

    def push(self, reward: float) -> None:
        self.count += 1
        delta = reward - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (reward - self.mean)
        self.minimum = min(self.minimum, reward)

    @property
    def std(self) -> float:
        """Population standard deviation; 1 while it is undefined or zero (nothing to scale by)."""
        spread = math.sqrt(self.m2 / self.count) if self.count > 1 else 0.0
        return spread if spread > 1e-12 else 1.0
