"""Datasets: sizes, fixed seeded splits, standardization fitted on train only, CIFAR-10 reading."""

import pickle
from pathlib import Path

import numpy as np
import pytest

from nas_core.builtin.catalog import nas_register
from nas_core.errors import ConfigError, DataError
from nas_core.registry import DatasetRequest, Registry
from planted import Planted


@pytest.fixture(scope="module")
def registry() -> Registry:
    registry = Registry()
    nas_register(registry)
    return registry


@pytest.mark.parametrize(
    ("name", "shape", "classes", "total"),
    [("digits", (1, 8, 8), 10, 1797), ("wine", (13,), 3, 178), ("breast_cancer", (30,), 2, 569), ("mnist1d", (1, 40), 10, 5000)],
)
def test_sizes_and_shapes(registry: Registry, name: str, shape: tuple, classes: int, total: int) -> None:
    data = registry.dataset(name, DatasetRequest(None, 0))
    assert data.input_shape == shape and data.num_classes == classes
    assert len(data.x_train) + len(data.x_valid) + len(data.x_test) == total
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64


def test_splits_are_fixed_by_their_seed_and_stratified(registry: Registry) -> None:
    a = registry.dataset("digits", DatasetRequest(None, 0))
    b = registry.dataset("digits", DatasetRequest(None, 0))
    c = registry.dataset("digits", DatasetRequest(None, 1))
    assert np.array_equal(a.x_test, b.x_test) and not np.array_equal(a.y_test, c.y_test)
    assert (len(a.x_train), len(a.x_valid), len(a.x_test)) == (1077, 360, 360)
    counts = np.bincount(a.y_valid, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 38  # stratified: ~36 per class


def test_standardization_is_fitted_on_train_only(registry: Registry) -> None:
    data = registry.dataset("wine", DatasetRequest(None, 0))
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-5) and np.allclose(data.x_train.std(0), 1, atol=1e-4)
    assert not np.allclose(data.x_test.mean(0), 0, atol=1e-2)
    from sklearn.datasets import load_wine

    raw = load_wine().data.astype(np.float32)
    assert any(np.allclose(data.raw(data.x_test[:1])[0], row, atol=1e-3) for row in raw)
    images = registry.dataset("digits", DatasetRequest(None, 0))
    assert images.mean.shape == (1, 1, 1)  # per channel for images


def test_cached_datasets_cannot_be_modified(registry: Registry) -> None:
    data = registry.dataset("digits", DatasetRequest(None, 0))
    with pytest.raises(ValueError):
        data.x_train[0, 0, 0, 0] = 1.0


CIFAR_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def write_fake_cifar(folder: Path, per_batch: int = 20) -> None:
    """Batches as the CIFAR site's python version has them: pickled dicts of bytes keys."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in CIFAR_BATCHES:
        batch = {
            b"batch_label": f"{name} of 6".encode(),
            b"labels": [i % 10 for i in range(per_batch)],
            b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
            b"filenames": [f"image_{i}.png".encode() for i in range(per_batch)],
        }
        with (folder / name).open("wb") as handle:
            pickle.dump(batch, handle)


def test_cifar10_is_read_from_the_python_batches(registry: Registry, tmp_path: Path) -> None:
    write_fake_cifar(tmp_path / "cifar-10-batches-py")
    data = registry.dataset("cifar10", DatasetRequest(tmp_path, 0))
    assert data.input_shape == (3, 32, 32) and data.num_classes == 10
    assert (len(data.x_train), len(data.x_valid), len(data.x_test)) == (90, 10, 20)
    with pytest.raises(DataError, match="CIFAR-10 not found at .*: pass --data-dir"):
        registry.dataset("cifar10", DatasetRequest(tmp_path / "elsewhere", 0))


def test_a_cifar10_batch_that_would_run_code_is_refused_without_running_it(registry: Registry, tmp_path: Path) -> None:
    folder, marker = tmp_path / "cifar-10-batches-py", tmp_path / "ran"
    write_fake_cifar(folder)
    with (folder / "data_batch_3").open("wb") as handle:
        pickle.dump({b"data": np.zeros((1, 3072), dtype=np.uint8), b"labels": [Planted(marker)]}, handle)
    with pytest.raises(DataError) as refused:
        registry.dataset("cifar10", DatasetRequest(tmp_path, 0))
    assert str(refused.value) == (
        f"cannot read CIFAR-10 batch {folder / 'data_batch_3'}: it calls posix.system, which a CIFAR-10 batch never holds"
    )
    assert not marker.exists()


def test_unknown_dataset(registry: Registry) -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'mnist' \\(choose from breast_cancer, cifar10, digits, mnist1d, wine\\)"):
        registry.dataset("mnist", DatasetRequest(None, 0))
