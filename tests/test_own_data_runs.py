"""Searches on the user's own files behave as on a bundled dataset: they train (in process and on
Dask workers), resume, retrain and export; the study records the file, so changed data is refused
and a moved identical file is found; exported models take the file's raw rows."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nas_core import Budget, RunSpec, load_exported, open_session, retrain, summarize
from nas_core.datasets.base import split_rows
from nas_core.datasets.labels import class_ids
from nas_core.errors import ConfigError, DataError
from nas_core.export import export
from nas_core.storage import StudyStorage
from nas_core.testing.engines import shared_scheduler
from test_own_data import customers, images, save_npz

CSV_RUN = {"target": "label", "train_epochs": 3}


def search(storage: Path, dataset: Path | str, *, budget: int = 3, resume: bool = False, space: str = "mlp",
           options: dict | None = None, plugins: tuple[str, ...] = ("random",)) -> None:  # fmt: skip
    spec = RunSpec(plugins, Budget.parse([str(budget)], None), dataset=str(dataset), space=space, options=options or CSV_RUN)
    session = open_session(spec, storage, resume=resume)
    try:
        session.run()
    finally:
        session.close()


def objectives(storage: Path) -> list[float]:
    store = StudyStorage.open(storage, writer=False)
    try:
        return [row.result["objective"] for row in store.trials()]
    finally:
        store.close()


@pytest.fixture(scope="module")
def csv_study(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("csv")
    data = customers(folder / "customers.csv", n=150)
    search(folder / "s.db", data)
    return folder / "s.db", data


def test_the_study_records_the_file_it_searched(csv_study: tuple[Path, Path]) -> None:
    study, data = csv_study
    summary = summarize(study)
    assert summary["dataset"] == str(data) and summary["trials"] == 3
    recorded = summary["data"]
    assert recorded["path"] == str(data) and recorded["format"] == "csv" and recorded["target"] == "label"
    assert recorded["labels"] == ["no", "yes"] and len(recorded["sha256"]) == 64
    assert recorded["columns"] == [
        {"name": "id", "categories": None},
        {"name": "income", "categories": None},
        {"name": "city", "categories": ["Lyon", "Nice", "Paris"]},
    ]


def test_the_exported_model_labels_raw_rows_as_the_search_measured(csv_study: tuple[Path, Path], tmp_path: Path) -> None:
    study, data = csv_study
    model = load_exported(export(study, "torch", tmp_path / "m.pt2"))
    assert model.columns == ("id", "income", "city") and model.labels == ["no", "yes"]
    rows = list(csv.DictReader(data.open()))  # every value a string, the label column too
    ids, _ = class_ids([row["label"] for row in rows], "label")
    test_rows = [rows[i] for i in split_rows(str(data), ids, seed=0).test]
    predicted = model.predict(test_rows)
    accuracy = 100 * np.mean([label == row["label"] for label, row in zip(predicted, test_rows)])
    best = summarize(study)["best"]
    assert accuracy == pytest.approx(best["metrics"]["test_acc"])
    assert model.predict({"id": "3", "income": "51.5", "city": "Marseille"})[0] in ("no", "yes")  # unseen city
    with pytest.raises(DataError, match="rows\\[0\\] has no column 'city'"):
        model.predict([{"id": "3", "income": "51.5"}])


# Runs in a fresh interpreter in which nas cannot be imported: the card in the file is enough.
WITHOUT_NAS = """
import json, sys
sys.modules["nas_core"] = None
import torch
extra = {"nas-model.json": ""}
model = torch.export.load(sys.argv[1], extra_files=extra).module()
card = json.loads(extra["nas-model.json"])
row = {"id": "3", "income": "51.5", "city": "Paris"}
codes = [float(row[c["name"]]) if c["categories"] is None else c["categories"].index(row[c["name"]]) for c in card["input"]["columns"]]
print(json.dumps(model(torch.tensor([codes])).tolist()))
"""


def test_the_card_in_the_file_is_enough_without_nas(csv_study: tuple[Path, Path], tmp_path: Path) -> None:
    study, _ = csv_study
    target = export(study, "torch", tmp_path / "m.pt2")
    done = subprocess.run([sys.executable, "-c", WITHOUT_NAS, str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ours = load_exported(target).logits({"id": "3", "income": "51.5", "city": "Paris"})
    assert np.allclose(json.loads(done.stdout), ours, atol=1e-6)


def test_onnx_models_carry_the_card(csv_study: tuple[Path, Path], tmp_path: Path) -> None:
    import onnx

    study, _ = csv_study
    program = onnx.load(str(export(study, "onnx", tmp_path / "m.onnx")))
    card = json.loads({p.key: p.value for p in program.metadata_props}["nas-model"])
    assert card["input"]["shape"] == [3] and card["labels"] == ["no", "yes"] and card["logits"] == 1


def test_resume_on_a_moved_identical_file_equals_the_uninterrupted_run(tmp_path: Path) -> None:
    data = customers(tmp_path / "a.csv")
    search(tmp_path / "straight.db", data, budget=4)
    search(tmp_path / "s.db", data, budget=2)
    moved = tmp_path / "elsewhere" / "b.csv"
    moved.parent.mkdir()
    shutil.move(data, moved)
    with pytest.raises(DataError, match=f"--resume: the data file this study searched, {data}, is not there: pass --dataset"):
        search(tmp_path / "s.db", data, budget=4, resume=True)
    search(tmp_path / "s.db", moved, budget=4, resume=True)
    assert objectives(tmp_path / "s.db") == objectives(tmp_path / "straight.db")
    assert summarize(tmp_path / "s.db")["data"]["path"] == str(moved)


def test_changed_data_is_refused_by_resume_and_retrain(tmp_path: Path) -> None:
    data = customers(tmp_path / "a.csv")
    search(tmp_path / "s.db", data, budget=2)
    other = customers(tmp_path / "other.csv", n=90)
    with pytest.raises(DataError, match=f"--resume: {other} is not the file this study searched \\({data}, sha256"):
        search(tmp_path / "s.db", other, budget=3, resume=True)
    data.write_text(data.read_text().replace("Lyon", "Lille"))
    changed = "changed since this study searched it \\(sha256 [0-9a-f]{12}, now [0-9a-f]{12}\\); restore it"
    with pytest.raises(DataError, match=f"--resume: {data} {changed}"):
        search(tmp_path / "s.db", data, budget=3, resume=True)
    with pytest.raises(DataError, match=f"retrain: {data} {changed}"):
        retrain(tmp_path / "s.db", 1)
    with pytest.raises(ConfigError, match="--resume: options differ"):
        search(tmp_path / "s.db", other, budget=3, resume=True, options={"target": "city", "train_epochs": 3})
    assert len(objectives(tmp_path / "s.db")) == 2  # nothing was written


def test_retrain_trains_on_the_recorded_file(tmp_path: Path) -> None:
    data = customers(tmp_path / "a.csv")
    search(tmp_path / "s.db", data, budget=2)
    result = retrain(tmp_path / "s.db", 2, save=tmp_path / "r.pt2")
    assert result["dataset"] == str(data) and 0 <= result["test_acc"] <= 100
    assert load_exported(tmp_path / "r.pt2").columns == ("id", "income", "city")


def test_an_npz_image_dataset_searched_with_nb201(tmp_path: Path) -> None:
    x, y = images(90, (1, 6, 6))
    x[:, 0, 2, 2] += 2.0 * (np.arange(90) % 3)  # something to learn
    data = save_npz(tmp_path / "img.npz", x=x, y=y)
    options = {"train_epochs": 1, "nb201_channels": 4, "nb201_cells": 1}
    search(tmp_path / "s.db", data, budget=2, space="nb201", options=options)
    summary = summarize(tmp_path / "s.db")
    assert summary["trials"] == 2 and summary["status_counts"] == {"complete": 2}
    assert summary["best"]["info"]["input_shape"] == [1, 6, 6] and summary["data"]["labels"] == ["cat", "dog", "eel"]
    model = load_exported(export(tmp_path / "s.db", "torch", tmp_path / "m.pt2"))
    assert set(model.predict(x[:10])) <= {"cat", "dog", "eel"} and len(model.predict(x[0])) == 1


def test_an_npz_signal_dataset_with_its_own_test_split_searched_with_mlps(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = np.arange(120) % 2
    x = rng.normal(size=(120, 2, 16)).astype(np.float32)
    x[:, 1, 5] += 3.0 * y
    data = save_npz(tmp_path / "sig.npz", x=x[:90], y=y[:90] + 5, x_test=x[90:], y_test=y[90:] + 5)
    search(tmp_path / "s.db", data, budget=2, options={"train_epochs": 5})
    summary = summarize(tmp_path / "s.db")
    assert summary["status_counts"] == {"complete": 2} and summary["data"]["labels"] == [5, 6]
    model = load_exported(export(tmp_path / "s.db", "torch", tmp_path / "m.pt2"))
    accuracy = 100 * np.mean(np.array(model.predict(x[90:])) == y[90:] + 5)
    assert accuracy == pytest.approx(summary["best"]["metrics"]["test_acc"])  # the test split is x_test


def test_a_csv_search_on_dask_workers_equals_the_search_in_process(tmp_path: Path) -> None:
    data = customers(tmp_path / "a.csv")
    search(tmp_path / "here.db", data, budget=3)
    # the cluster --workers 2 starts, shared with the other tests of this process that use one
    spec = RunSpec(("random",), Budget.parse(["3"], None), dataset=str(data), space="mlp", options=CSV_RUN, scheduler=shared_scheduler())
    session = open_session(spec, tmp_path / "workers.db")
    try:
        session.run()
    finally:
        session.close()
    summary = summarize(tmp_path / "workers.db")
    assert summary["status_counts"] == {"complete": 3} and summary["data"] == summarize(tmp_path / "here.db")["data"]
    assert sorted(objectives(tmp_path / "workers.db")) == sorted(objectives(tmp_path / "here.db"))
