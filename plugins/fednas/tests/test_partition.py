"""Partitions: every sample with exactly one client, seeded, IID balanced, Dirichlet skewed by
its concentration, and a one-line error when the minimum per client cannot be met."""

from __future__ import annotations

import numpy as np
import pytest

from nas_core import ConfigError, DatasetRequest
from nas_core.testing import digits

from nas_fednas.partition import deal


@pytest.fixture(scope="module")
def labels() -> tuple[np.ndarray, np.ndarray]:
    data = digits(DatasetRequest(None, 0))
    return data.y_train, data.y_valid


def _deal(labels, scheme: str, clients: int, seed: int = 0, alpha: float = 0.5, min_samples: int = 10):
    y_train, y_valid = labels
    return deal(scheme, clients, y_train, y_valid, np.random.default_rng(seed), alpha=alpha, min_samples=min_samples)


@pytest.mark.parametrize("scheme", ["iid", "dirichlet"])
def test_every_sample_is_held_by_exactly_one_client(labels, scheme: str) -> None:
    partition = _deal(labels, scheme, 8)
    for rows, n in ((partition.train, len(labels[0])), (partition.valid, len(labels[1]))):
        held = np.concatenate(rows)
        assert len(held) == n and np.array_equal(np.sort(held), np.arange(n))
    assert min(partition.train_sizes()) >= 10


@pytest.mark.parametrize("scheme", ["iid", "dirichlet"])
def test_the_seed_decides_the_partition(labels, scheme: str) -> None:
    first, again, other = (_deal(labels, scheme, 4, seed) for seed in (1, 1, 2))
    assert all(np.array_equal(a, b) for a, b in zip(first.train + first.valid, again.train + again.valid))
    assert not all(np.array_equal(a, b) for a, b in zip(first.train, other.train))


def test_iid_clients_hold_equal_shares_of_every_class(labels) -> None:
    partition = _deal(labels, "iid", 4)
    sizes = partition.train_sizes()
    assert max(sizes) - min(sizes) <= 1
    shares = partition.class_counts(labels[0], 10) / np.bincount(labels[0], minlength=10)
    assert np.all(np.abs(shares - 0.25) < 0.15)


def _skew(counts: np.ndarray) -> float:
    """Mean over clients of the largest class's share of the client's samples (IID: about 1/10)."""
    return float((counts.max(1) / counts.sum(1)).mean())


def test_a_smaller_concentration_skews_the_labels_more(labels) -> None:
    skews = {alpha: np.mean([_skew(_deal(labels, "dirichlet", 8, seed, alpha, 4).class_counts(labels[0], 10)) for seed in range(5)]) for alpha in (0.1, 0.5, 100.0)}
    assert skews[0.1] > skews[0.5] > skews[100.0]
    assert skews[100.0] < 0.2  # a large concentration is close to IID


def test_validation_samples_follow_the_clients_training_classes(labels) -> None:
    partition = _deal(labels, "dirichlet", 4, alpha=0.1)
    train = partition.class_counts(labels[0], 10)
    valid = np.stack([np.bincount(labels[1][rows], minlength=10) for rows in partition.valid])
    # a class a client holds no training sample of, it (almost) never validates on
    assert valid[train == 0].sum() <= 0.05 * valid.sum()


def test_an_impossible_minimum_is_one_clear_line(labels) -> None:
    with pytest.raises(ConfigError) as iid:
        _deal(labels, "iid", 8, min_samples=200)
    assert "\n" not in str(iid.value) and "--fednas-min-samples 200" in str(iid.value)
    with pytest.raises(ConfigError) as skewed:
        _deal(labels, "dirichlet", 100, alpha=0.01, min_samples=10)
    assert "\n" not in str(skewed.value) and "--fednas-alpha 0.01" in str(skewed.value)


def test_the_table_counts_every_client_and_class(labels) -> None:
    partition = _deal(labels, "dirichlet", 3)
    table = partition.table(labels[0], 10)
    assert table["columns"] == ["client", *map(str, range(10)), "train", "valid"]
    assert [row[0] for row in table["rows"]] == [0, 1, 2]
    assert sum(row[-2] for row in table["rows"]) == len(labels[0])
    assert sum(row[-1] for row in table["rows"]) == len(labels[1])
    assert all(sum(row[1:-2]) == row[-2] for row in table["rows"])


def test_clients_too_small_for_the_darts_split_are_refused(labels) -> None:
    partition = _deal(labels, "iid", 8, min_samples=4)
    partition.require_split_room(0.5)
    with pytest.raises(ConfigError, match="--darts-train-portion 0.999"):
        partition.require_split_room(0.999)
