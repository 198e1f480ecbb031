"""Indicator labels: tertiles of the NAS dataset, and requests parsed from the command line."""

import numpy as np
import pytest

from nas_core import ConfigError, NB201Space, NasError
from nas_nag.dataset import NASRecord, label_matrix
from nas_nag.labels import INDICATORS, parse_labels, tertiles


def test_tertiles_split_by_rank() -> None:
    assert tertiles([5.0, 1.0, 3.0, 9.0, 7.0, 2.0]).tolist() == [1, 0, 1, 2, 2, 0]
    assert np.bincount(tertiles(np.random.default_rng(0).random(300))).tolist() == [100, 100, 100]


def test_requests_name_one_class_per_indicator_in_a_fixed_order() -> None:
    request = parse_labels("few-params, high-acc", "--nag-labels")
    assert [i.name for i in request.indicators] == ["acc", "params"]
    assert request.classes == (2, 0) and request.names == "high-acc,few-params"
    with pytest.raises(ConfigError, match="--nag-labels: unknown label 'best'"):
        parse_labels("best", "--nag-labels")
    with pytest.raises(ConfigError, match="same indicator"):
        parse_labels("high-acc,low-acc", "--nag-labels")


def test_the_label_matrix_ranks_the_objective_and_metrics() -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    records = [NASRecord(space.sample(rng), acc, {"params": p}) for acc, p in [(90, 0.1), (80, 0.5), (70, 1.0)]]
    assert label_matrix(records, INDICATORS[:2]).tolist() == [[2, 0], [1, 1], [0, 2]]
    with pytest.raises(NasError, match="'flops' metric"):
        label_matrix(records, INDICATORS[2:])
    with pytest.raises(NasError, match="needs 3"):
        label_matrix(records[:2], INDICATORS[:1])
