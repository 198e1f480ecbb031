"""Discounted returns, the moving-average baseline and the reward statistics."""

import numpy as np
import pytest

from nas_mlpnas.reinforce import MovingBaseline, RewardStats, discounts


def test_discounts_give_the_last_token_the_whole_reward() -> None:
    assert discounts(4, 0.5).tolist() == [0.125, 0.25, 0.5, 1.0]
    assert discounts(3, 1.0).tolist() == [1.0, 1.0, 1.0]


def test_baseline_starts_at_the_first_batch_mean_then_moves() -> None:
    baseline = MovingBaseline(decay=0.5)
    assert baseline.advantages([1.0, 3.0]).tolist() == [-1.0, 1.0]
    assert baseline.value == pytest.approx(2.25)  # 2 -> (2 + 1) / 2 -> (1.5 + 3) / 2
    assert baseline.advantages([2.25, 3.25]).tolist() == pytest.approx([0.0, 1.0])  # judged by the old value


def test_reward_stats_match_numpy() -> None:
    rewards = np.random.default_rng(0).normal(80, 7, size=50)
    stats = RewardStats()
    for reward in rewards:
        stats.push(float(reward))
    assert stats.mean == pytest.approx(rewards.mean())
    assert stats.std == pytest.approx(rewards.std())
    assert stats.minimum == rewards.min()
    assert RewardStats().std == 1.0 and RewardStats(count=3, mean=5.0).std == 1.0  # nothing to scale by
