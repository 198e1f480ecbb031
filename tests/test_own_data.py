"""Datasets from the user's own files: CSV (categories one-hot, labels named) and NumPy .npz.

The same seeded stratified splits and train-only standardization as the bundled datasets, and
a one-line error, naming the file and the column, line or array, for every file nas cannot use.
"""

import os
import re
from pathlib import Path

import numpy as np
import pytest

from nas_core.datasets.encoding import Column, TabularEncoding
from nas_core.datasets.files import is_data_file, load_data_file
from nas_core.errors import ConfigError, DataError


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def customers(path: Path, n: int = 100) -> Path:
    """``id`` (unique, to follow rows through the splits), a numeric and a categorical feature, a string label."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        city = ("Lyon", "Paris", "Nice")[i % 3]
        rows.append(f"{i},{rng.normal(50, 10):.3f},{city},{'yes' if i % 2 else 'no'}")
    return write_csv(path, "id,income,city,label", rows)


def ids_of(data, x: np.ndarray) -> set[int]:
    return {int(round(v)) for v in data.raw(x)[:, 0]}


def test_csv_splits_are_seeded_disjoint_stratified_and_cover_every_row(tmp_path: Path) -> None:
    path = customers(tmp_path / "c.csv")
    data = load_data_file(str(path), "label", 0)
    train, valid, test = (ids_of(data, x) for x in (data.x_train, data.x_valid, data.x_test))
    assert (len(train), len(valid), len(test)) == (60, 20, 20)
    assert train | valid | test == set(range(100)) and not (train & valid or train & test or valid & test)
    assert np.bincount(data.y_valid).tolist() == [10, 10]  # stratified
    again = load_data_file(str(customers(tmp_path / "copy.csv")), "label", 0)
    other = load_data_file(str(path), "label", 1)
    assert ids_of(again, again.x_test) == test and ids_of(other, other.x_test) != test


def test_csv_standardization_is_fitted_on_the_training_split_only(tmp_path: Path) -> None:
    path = customers(tmp_path / "c.csv")
    data = load_data_file(str(path), "label", 0)
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-5) and np.allclose(data.x_train.std(0), 1, atol=1e-4)
    assert not np.allclose(data.x_test.mean(0), 0, atol=1e-2)
    incomes = {int(row.split(",")[0]): float(row.split(",")[1]) for row in path.read_text().splitlines()[1:]}
    train_ids = sorted(ids_of(data, data.x_train))
    assert data.mean[1] == pytest.approx(np.mean([incomes[i] for i in train_ids]), rel=1e-5)


def test_categorical_columns_are_one_hot_with_the_categories_of_the_training_split(tmp_path: Path) -> None:
    rows = [f"{i},{('red', 'blue')[i % 2]},{i % 2}" for i in range(40)]
    rows[7] = "7,green,1"  # one row of a category: learned only if that row trains
    path = write_csv(tmp_path / "colors.csv", "id,color,label", rows)
    for seed in range(10):
        data = load_data_file(str(path), "label", seed)
        colors = data.source.encoding.columns[1]
        in_train = 7 in ids_of(data, data.x_train)
        assert colors == Column("color", ("blue", "green", "red") if in_train else ("blue", "red"))
        assert data.input_shape == (1 + len(colors.categories),)
        for x in (data.x_train, data.x_valid, data.x_test):
            one_hot = data.raw(x)[:, 1:]
            assert np.allclose(np.round(one_hot), one_hot, atol=1e-4) and set(np.round(one_hot.sum(1))) <= {0.0, 1.0}
            unseen = [row for row, i in zip(one_hot, (int(round(v)) for v in data.raw(x)[:, 0])) if i == 7 and not in_train]
            assert all(np.allclose(row, 0, atol=1e-4) for row in unseen)  # an unseen category is all zeros
        if not in_train:
            break
    else:
        pytest.fail("row 7 trained under every seed tried")


def test_labels_are_class_ids_in_sorted_order_and_recorded(tmp_path: Path) -> None:
    names = load_data_file(str(customers(tmp_path / "c.csv")), "label", 0)
    assert names.source.labels == ("no", "yes") and names.source.target == "label" and names.num_classes == 2
    numbers = write_csv(tmp_path / "n.csv", "x,label", [f"{i},{(7, 3, 12)[i % 3]}" for i in range(30)])
    data = load_data_file(str(numbers), "label", 0)
    assert data.source.labels == (3, 7, 12) and data.num_classes == 3  # numbers, in numeric order
    assert sorted(set(data.y_train.tolist())) == [0, 1, 2]
    assert data.source.format == "csv" and len(data.source.sha256) == 64 and data.source.path == str(numbers)


def test_a_csv_file_is_read_once_until_it_changes(tmp_path: Path) -> None:
    path = customers(tmp_path / "c.csv")
    first = load_data_file(str(path), "label", 0)
    assert load_data_file(str(path), "label", 0) is first
    customers(path, n=90)
    os.utime(path, ns=(1, 1))  # a new modification time, however fast the file system's clock
    assert len(load_data_file(str(path), "label", 0).y_test) == 18


GOOD_HEADER = "age,city,label"
GOOD_ROWS = [f"{20 + i},{('a', 'b')[i % 2]},{('yes', 'no')[i % 2]}" for i in range(30)]


@pytest.mark.parametrize(
    ("content", "target", "error", "message"),
    [
        ("", "label", DataError, "{path} is empty: a CSV dataset needs a header row naming its columns"),
        ("\n\n", "label", DataError, "{path} is empty"),
        (GOOD_HEADER + "\n", "label", DataError, "{path} has a header row but no samples"),
        ("1,2,3\n4,5,6\n", "label", DataError, "{path}: the first row (1, 2, 3, ...) is all numbers: the first row must name the columns"),
        ("age,age,label\n1,2,a\n", "label", DataError, "{path}: the header names column 'age' twice"),
        ("age,,label\n1,2,a\n", "label", DataError, "{path}: column 2 of the header row has no name"),
        (GOOD_HEADER + "\n20,a,yes\n21,b\n", "label", DataError, "{path} line 3: 2 fields, but the header names 3 columns"),
        (GOOD_HEADER + "\n20,a,yes\n,b,no\n", "label", DataError,
         "{path}: column 'age' has a missing value on line 3: fill it in or drop the row"),
        (GOOD_HEADER + "\n20,a,yes\n21,NA,no\n", "label", DataError, "{path}: column 'city' has a missing value ('NA') on line 3"),
        (GOOD_HEADER + "\n20,a,yes\n21,b,\n", "label", DataError, "{path}: column 'label' has a missing value on line 3"),
        (GOOD_HEADER + "\n" + "\n".join(r.rsplit(",", 1)[0] + ",yes" for r in GOOD_ROWS), "label", DataError,
         "{path}: target column 'label' has one class ('yes'): a classifier needs at least two"),
        (GOOD_HEADER + "\n20,a,1\n21,b,2.5\n", "label", DataError,
         "{path}: target column 'label' holds 2.5 (line 3), not a class label: nas classifies"),
        (GOOD_HEADER + "\n20,a,yes\n21,b,no\n", "label", DataError,
         "dataset {path}: 2 samples are too few for stratified train/validation/test splits of 2 classes (the rarest has 1)"),
        (GOOD_HEADER + "\n20,a,yes\ninf,b,no\n", "label", DataError, "{path}: column 'age' holds 'inf' on line 3, not a finite number"),
        ("label\nyes\nno\n", "label", DataError, "{path} has no feature columns besides the target 'label'"),
        (GOOD_HEADER + "\n" + "\n".join(GOOD_ROWS), None, ConfigError,
         "--dataset {path} needs --target COLUMN, its column of class labels (columns: age, city, label)"),
        (GOOD_HEADER + "\n" + "\n".join(GOOD_ROWS), "churn", ConfigError,
         "{path} has no column 'churn' (--target); its columns: age, city, label"),
        (b"age,city,label\n20,\xff,yes\n", "label", DataError, "{path} is not UTF-8 text (byte 18)"),
    ],
)
def test_a_csv_file_nas_cannot_use_is_one_line_naming_what_is_wrong(
    tmp_path: Path, content: str | bytes, target: str | None, error: type, message: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(error) as raised:
        load_data_file(str(path), target, 0)
    text = str(raised.value)
    assert text.startswith(message.format(path=path)) and "\n" not in text


def save_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def images(n: int = 60, shape: tuple = (1, 6, 6)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, *shape)).astype(np.float32), np.array(["cat", "dog", "eel"])[np.arange(n) % 3]


def test_npz_images_and_signals_split_and_standardize_per_channel(tmp_path: Path) -> None:
    x, y = images()
    data = load_data_file(str(save_npz(tmp_path / "img.npz", x=x * 3 + 5, y=y)), None, 0)
    assert data.input_shape == (1, 6, 6) and data.mean.shape == (1, 1, 1) and data.num_classes == 3
    assert (len(data.x_train), len(data.x_valid), len(data.x_test)) == (36, 12, 12)
    assert data.source.labels == ("cat", "dog", "eel") and data.source.format == "npz" and data.source.encoding is None
    assert abs(float(data.x_train.mean())) < 1e-5 and abs(float(data.x_train.std()) - 1) < 1e-4
    signals = load_data_file(str(save_npz(tmp_path / "sig.npz", x=x[:, :, 0, :], y=np.arange(60) % 2)), None, 0)
    assert signals.input_shape == (1, 6) and signals.source.labels == (0, 1)


def test_npz_test_arrays_are_the_test_split(tmp_path: Path) -> None:
    x, y = images(80)
    data = load_data_file(str(save_npz(tmp_path / "t.npz", x=x[:60], y=y[:60], x_test=x[60:], y_test=y[60:])), None, 0)
    assert (len(data.x_train), len(data.x_valid), len(data.x_test)) == (48, 12, 20)
    assert np.allclose(data.raw(data.x_test), x[60:], atol=1e-5)
    assert [data.source.labels[k] for k in data.y_test] == y[60:].tolist()


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x": np.zeros((9, 1, 4))}, "{path} has no array 'y' (it holds: x): save the inputs as x and the class labels as y"),
        ({"inputs": np.zeros((9, 4))}, "{path} has no array 'x' (it holds: inputs)"),
        ({"x": np.zeros(9), "y": np.arange(9) % 2}, "{path}: x has shape (9,): give (N, C, H, W) images, (N, C, L) signals or (N, F) features"),
        ({"x": np.zeros((9, 1, 2, 2, 2)), "y": np.arange(9) % 2}, "{path}: x has shape (9, 1, 2, 2, 2)"),
        ({"x": np.zeros((9, 4)), "y": np.arange(8) % 2}, "{path}: y has 8 labels for 9 samples of x"),
        ({"x": np.zeros((9, 4)), "y": np.arange(9) % 2, "x_test": np.zeros((3, 4))}, "{path} has x_test but no y_test: save both or neither"),
        ({"x": np.zeros((9, 4)), "y": np.arange(9) % 2, "x_test": np.zeros((3, 5)), "y_test": np.arange(3) % 2},
         "{path}: x_test holds samples of shape (5,), x of (4,)"),
        ({"x": np.where(np.arange(36).reshape(9, 4) == 22, np.nan, 0.0), "y": np.arange(9) % 2},
         "{path}: x has a missing or infinite value (NaN or inf) in sample 5"),
        ({"x": np.zeros((9, 4)), "y": np.zeros(9, dtype=int)}, "{path}: y has one class (0): a classifier needs at least two"),
        ({"x": np.zeros((9, 4)), "y": np.array([0, 1, 0.5, 0, 1, 0, 1, 0, 1])}, "{path}: y holds 0.5 (sample 2), not a class label"),
        ({"x": np.full((9, 4), "a"), "y": np.arange(9) % 2}, "{path}: x holds <U1 values, not numbers"),
        ({"x": np.zeros((0, 4)), "y": np.zeros(0)}, "{path}: x holds no samples"),
        ({"x": np.zeros((5, 4)), "y": np.arange(5) % 2}, "dataset {path}: 5 samples are too few"),
    ],
)
def test_an_npz_file_nas_cannot_use_is_one_line_naming_the_array(tmp_path: Path, arrays: dict, message: str) -> None:
    path = save_npz(tmp_path / "data.npz", **arrays)
    with pytest.raises(DataError) as raised:
        load_data_file(str(path), None, 0)
    assert str(raised.value).startswith(message.format(path=path)) and "\n" not in str(raised.value)


def test_npz_files_that_would_unpickle_or_are_no_archive_are_refused(tmp_path: Path) -> None:
    objects = save_npz(tmp_path / "objects.npz", x=np.zeros((9, 4)), y=np.array([{"a": 1}] * 9, dtype=object))
    with pytest.raises(DataError, match=re.escape(f"{objects}: array 'y' holds Python objects, which nas does not load")):
        load_data_file(str(objects), None, 0)
    single = tmp_path / "single.npz"
    with single.open("wb") as handle:
        np.save(handle, np.zeros(3))
    with pytest.raises(DataError, match=re.escape(f"{single} holds a single array: save x and y with numpy.savez")):
        load_data_file(str(single), None, 0)
    text = tmp_path / "text.npz"
    text.write_text("not numpy")
    with pytest.raises(DataError, match=re.escape(f"{text} is not a NumPy .npz archive")):
        load_data_file(str(text), None, 0)
    with pytest.raises(ConfigError, match=re.escape("--target names the label column of a CSV file; objects.npz holds its labels in y")):
        load_data_file(str(objects), "label", 0)


def test_files_nas_does_not_read(tmp_path: Path) -> None:
    parquet = tmp_path / "data.parquet"
    parquet.write_bytes(b"PAR1")
    with pytest.raises(DataError, match=re.escape(f"{parquet}: Parquet files are not read (no Parquet reader is a dependency of nas); save it as CSV")):
        load_data_file(str(parquet), "label", 0)
    with pytest.raises(DataError, match=re.escape(f"no data file {tmp_path / 'gone.csv'}")):
        load_data_file(str(tmp_path / "gone.csv"), "label", 0)
    with pytest.raises(DataError, match=re.escape(f"--dataset {tmp_path}/data.txt: nas reads data files ending in .csv or .npz, not '.txt'")):
        load_data_file(f"{tmp_path}/data.txt", "label", 0)


def test_which_dataset_names_are_files() -> None:
    assert all(map(is_data_file, ("d.csv", "D.CSV", "x.npz", "x.parquet", "data/table", "./mine")))
    assert not any(map(is_data_file, ("digits", "mnist1d", "ImageNet16-120", "", None)))


def test_raw_rows_become_codes_and_features_as_in_training() -> None:
    encoding = TabularEncoding((Column("age"), Column("city", ("Lyon", "Nice")), Column("income")))
    codes = encoding.codes([["41", " Nice ", "3.5"], [30, "Paris", 2]])
    assert codes.tolist() == [[41, 1, 3.5], [30, -1, 2]]
    assert encoding.features(codes).tolist() == [[41, 0, 1, 3.5], [30, 0, 0, 2]]  # Paris: never trained, all zeros
    assert TabularEncoding.from_dict(encoding.to_dict()) == encoding and encoding.width == 4
    with pytest.raises(DataError, match=re.escape("rows[1]: column 'age' holds 'old', not a number")):
        encoding.codes([["41", "Nice", "1"], ["old", "Nice", "1"]])
    with pytest.raises(DataError, match=re.escape("rows[0]: column 'city' has no value")):
        encoding.codes([["41", "", "1"]])
