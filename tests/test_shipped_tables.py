"""The NB201 tables shipped in data/nas-tables-nb201: found without NAS_DATA_DIR, overridden by it,
equal to the raw tables bit for bit, and rebuilt from them byte for byte.

The comparisons with the raw tables need them: ``NAS_RAW_DATA_DIR`` or a ``NAS_DATA_DIR`` that
holds the raw layout (``make test`` sets neither: it must pass on a fresh clone with nothing
beside it). Without them those tests skip, and the shipped files are checked against the
manifest they were built with and the sanity figures of the raw tables' README.
"""

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nas_core.errors import DataError
from nas_core.tables import files
from nas_core.tables.files import data_dir, shipped_data_dir
from nas_core.tables.nb201 import DATASETS, load_nb201
from nas_core.tables.nb201.compact import compact_path, read_compact, write_compact
from nas_core.tables.nb201.raw import read_raw

SHIPPED = shipped_data_dir()
MANIFEST = json.loads((SHIPPED / "nb201" / "manifest.json").read_text()) if SHIPPED else {}
# dataset: rows, best validation accuracy, best test accuracy, index of the best (by validation, or
# by test where the README names that one), mean validation accuracy (README: cifar10-valid only)
SANITY = {
    "cifar10": (15625, 91.6067, 91.5233, ("valid_acc", 6111), 83.67),
    "cifar100": (15625, 73.4933, 73.5133, ("test_acc", 9930), None),
    "ImageNet16-120": (15625, 46.7333, 47.3111, None, None),
}


def raw_tables() -> Path:
    for variable in ("NAS_RAW_DATA_DIR", "NAS_DATA_DIR"):
        value = os.environ.get(variable)
        if value and (Path(value) / "nb201" / "nasbench201_cifar10.csv").is_file():
            return Path(value)
    pytest.skip("the raw NB201 tables are not here: set NAS_RAW_DATA_DIR to the folder that contains nb201/*.csv")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_tables_are_installed_with_the_project() -> None:
    assert SHIPPED is not None, "nas-tables-nb201 is not installed (make setup installs it)"
    assert sorted(MANIFEST["tables"]) == sorted(f"nb201/{name}.npz" for name in DATASETS.values())


@pytest.mark.parametrize("dataset", list(SANITY))
def test_the_shipped_copy_has_the_readme_s_sanity_figures(dataset: str) -> None:
    rows, best_valid, best_test, best_index, mean_valid = SANITY[dataset]
    table = load_nb201(SHIPPED, dataset)
    assert len(table) == rows
    assert table.optimum.valid_acc == pytest.approx(best_valid, abs=1e-4)
    assert table.optimum.test_acc == pytest.approx(best_test, abs=1e-4)
    if best_index:
        column, index = best_index
        rows = read_compact(compact_path(SHIPPED, dataset))
        assert rows.index[np.argmax(rows.columns[column])] == index
    if mean_valid:
        assert table.column("valid_acc").mean() == pytest.approx(mean_valid, abs=0.005)


def test_the_files_are_those_the_manifest_lists() -> None:
    for name, entry in MANIFEST["tables"].items():
        assert sha256(SHIPPED / name) == entry["sha256"], f"{name} changed since it was built: rerun tools/build.py"
        assert list(read_compact(SHIPPED / name).columns) == entry["columns"]


@pytest.mark.parametrize("dataset", list(DATASETS.values()))
def test_the_shipped_copy_equals_the_raw_tables(dataset: str) -> None:
    raw = read_raw(raw_tables(), dataset)
    shipped = read_compact(compact_path(SHIPPED, dataset))
    assert shipped.cells == raw.cells
    assert shipped.index.tolist() == raw.index.tolist()
    assert list(shipped.columns) == list(raw.columns)
    for name, values in raw.columns.items():
        assert np.array_equal(shipped.columns[name], values, equal_nan=True), name


def test_rebuilding_from_the_raw_tables_gives_the_same_bytes(tmp_path: Path) -> None:
    root = raw_tables()
    for relative, digest in MANIFEST["sources"].items():
        assert sha256(root / relative) == digest, f"{relative} is not the file the shipped copy was built from"
    write_compact(tmp_path / "cifar10.npz", read_raw(root, "cifar10"))
    assert (tmp_path / "cifar10.npz").read_bytes() == compact_path(SHIPPED, "cifar10").read_bytes()


def test_nas_data_dir_and_data_dir_override_the_shipped_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAS_DATA_DIR", raising=False)
    assert data_dir(None) == SHIPPED
    monkeypatch.setenv("NAS_DATA_DIR", str(tmp_path))
    assert data_dir(None) == tmp_path
    assert data_dir(tmp_path / "..") == tmp_path / ".."
    with pytest.raises(DataError, match=r"missing data file .*nasbench201_cifar10.csv: point --data-dir or NAS_DATA_DIR"):
        load_nb201(tmp_path, "cifar10")  # a user's folder holds the raw layout


def test_without_the_distribution_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAS_DATA_DIR", raising=False)
    monkeypatch.setattr(files, "SHIPPED", "nas_tables_not_installed")
    with pytest.raises(DataError, match="no benchmark tables: install nas-tables-nb201, or pass --data-dir or set NAS_DATA_DIR"):
        data_dir(None)


def test_a_compact_table_is_read_as_data_only(tmp_path: Path) -> None:
    path = tmp_path / "nb201" / "cifar10.npz"
    path.parent.mkdir()
    arrays = {name: np.zeros(1) for name in ("op_names", "nb201_index", "column_names", "values")}
    np.savez(path, ops=np.array([object()], dtype=object), **arrays)  # a pickle inside
    with pytest.raises(DataError, match="cannot read .*cifar10.npz"):
        load_nb201(tmp_path, "cifar10")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ops.npy", b"")
    with pytest.raises(DataError, match="not a compact NB201 table: it lacks op_names"):
        load_nb201(tmp_path, "cifar10")
