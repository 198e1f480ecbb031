"""The NB201 adapter against the sanity figures of the raw tables' README (../shared/data/README.md),
on the tables a run reads: the shipped copy, or NAS_DATA_DIR's."""

from pathlib import Path

import numpy as np
import pytest

from nas_core.tables.nb201 import EPOCHS_CHARGED, load_nb201
from nas_core.tables.loader import load_benchmark
from nas_core.errors import ConfigError, DataError, TrialError
from nas_core.spaces.nb201 import NB201Cell
from nas_core.testing import require_data_dir

BEST_CIFAR10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


@pytest.fixture(scope="module")
def cifar10():
    return load_benchmark("nb201", "cifar10", require_data_dir())


def test_cifar10_valid_sanity_figures(cifar10) -> None:
    assert len(cifar10) == 15625
    assert cifar10.optimum.valid_acc == pytest.approx(91.6067, abs=1e-3)
    assert cifar10.optimum.test_acc == pytest.approx(91.5233, abs=1e-3)
    best = cifar10.query(NB201Cell.from_str(BEST_CIFAR10))
    assert best.info["nb201_index"] == 6111
    assert best.metrics["valid_acc"] == pytest.approx(91.6067, abs=1e-3)
    assert cifar10.optimum.keys == {NB201Cell.from_str(BEST_CIFAR10).key}
    valid = [cifar10.query(a).metrics["valid_acc"] for a in cifar10.space.enumerate()]
    assert np.mean(valid) == pytest.approx(83.67, abs=0.01)


def test_the_exhaustive_ceiling_is_the_valid_acc_of_the_best_single_seed_cell(cifar10) -> None:
    """Querying all 15,625 cells and keeping the best noisy answer reports 91.448, not the optimum."""
    results = [cifar10.query(a) for a in cifar10.space.enumerate()]
    best_answer = max(results, key=lambda r: r.objective)
    assert cifar10.optimum.exhaustive_valid_acc == best_answer.metrics["valid_acc"]
    assert cifar10.optimum.exhaustive_valid_acc == pytest.approx(91.448, abs=1e-3)
    assert cifar10.optimum.exhaustive_valid_acc < cifar10.optimum.valid_acc


def test_a_column_lists_every_row_s_value_and_is_a_copy(cifar10) -> None:
    valid = cifar10.column("valid_acc")
    assert valid.shape == (15625,) and valid.max() == pytest.approx(91.6067, abs=1e-3)
    valid[:] = 0
    assert cifar10.column("valid_acc").max() > 0
    with pytest.raises(DataError, match="no column 'accuracy'"):
        cifar10.column("accuracy")


@pytest.mark.parametrize(("dataset", "valid", "test"), [("cifar100", 73.4933, 73.5133), ("ImageNet16-120", 46.7333, 47.3111)])
def test_other_datasets_sanity_figures(dataset: str, valid: float, test: float) -> None:
    bench = load_benchmark("nb201", dataset, require_data_dir())
    assert len(bench) == 15625
    assert bench.optimum.valid_acc == pytest.approx(valid, abs=1e-3)
    assert bench.optimum.test_acc == pytest.approx(test, abs=1e-3)


def test_a_query_returns_the_single_seed_signal_and_charges_12_epochs(cifar10) -> None:
    first = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    result = cifar10.query(NB201Cell.from_str(first))
    assert result.cost_seconds == pytest.approx(EPOCHS_CHARGED * 7.221092999)
    assert result.objective == result.metrics["valid_acc_1seed"] != result.metrics["valid_acc"]
    assert result.metrics["params"] == pytest.approx(0.129306)
    assert result.metrics["flops"] == pytest.approx(15.64737)
    assert {"hw_edgegpu_latency", "hw_raspi4_latency", "hw_fpga_energy"} <= set(result.metrics)


def test_single_seed_accuracies_track_the_seed_averages(cifar10) -> None:
    pairs = np.array([(r.objective, r.metrics["valid_acc"]) for r in map(cifar10.query, cifar10.space.enumerate())])
    assert np.corrcoef(pairs.T)[0, 1] > 0.99
    assert 0.1 < np.mean(np.abs(pairs[:, 0] - pairs[:, 1])) < 2.0  # noisy, not a copy


def test_a_table_has_a_single_fidelity(cifar10) -> None:
    with pytest.raises(TrialError, match="single fidelity"):
        cifar10.query(NB201Cell.from_str(BEST_CIFAR10), fidelity=12)


def test_unknown_dataset_and_missing_files_say_how_to_fix_it(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(ConfigError, match="no dataset 'svhn'"):
        load_benchmark("nb201", "svhn", require_data_dir())
    (tmp_path / "nb201").mkdir()
    (tmp_path / "nb201" / "nasbench201_cifar10.csv").write_text(
        "file id,arch str,train accuracy,validation accuracy,test accuracy\n"
        f"6111,{BEST_CIFAR10},99.9,91.6,91.5\n"
    )  # a user's folder of raw tables that lacks the rest
    with pytest.raises(DataError, match=r"missing data file .*nb201_zen.zip: point --data-dir or NAS_DATA_DIR"):
        load_nb201(tmp_path, "cifar10")
    monkeypatch.setenv("NAS_DATA_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(DataError, match="data directory .*elsewhere does not exist .from NAS_DATA_DIR"):
        load_benchmark("nb201", "cifar10", None)
