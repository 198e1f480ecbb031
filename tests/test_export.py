"""A searched model leaves nas: the torch program loads with plain torch and predicts the same; ONNX checks out."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from cli_helpers import nas, nas_json
from nas_core import load_exported
from nas_core.errors import DataError, NasError
from nas_core.export import StudyBest, export, load_model
from nas_core.storage import StudyStorage
from nas_core.registry import DatasetRequest
from nas_core.datasets.builtin import digits

DIGITS = ("--space", "mlp", "--dataset", "digits", "--train-epochs", "4")

# Runs in a fresh interpreter in which nas cannot be imported at all.
PLAIN_TORCH = """
import sys
sys.modules["nas_core"] = None
sys.modules["nas_cli"] = None
import numpy, torch
model = torch.export.load(sys.argv[1]).module()
inputs = torch.from_numpy(numpy.load(sys.argv[2]))
with torch.no_grad():
    numpy.save(sys.argv[3], model(inputs).numpy())
try:
    import nas_core
except ImportError:
    print("nas_core not importable")
"""


@pytest.fixture(scope="module")
def digits_study(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("study") / "digits.db"
    nas_json("search", "--plugin", "random", *DIGITS, "--budget", "4", "--storage", str(db), "--json")
    return db


def test_torch_export_predicts_the_same_without_nas(digits_study: Path, tmp_path: Path) -> None:
    model_file = tmp_path / "model.pt2"
    assert nas("export", str(digits_study), "--format", "torch", "-o", str(model_file)).returncode == 0
    data = digits(DatasetRequest(None, 0))
    raw = data.raw(data.x_test)  # the exported model standardizes raw inputs itself
    np.save(tmp_path / "inputs.npy", raw)
    done = subprocess.run([sys.executable, "-c", PLAIN_TORCH, str(model_file), str(tmp_path / "inputs.npy"), str(tmp_path / "out.npy")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "nas_core not importable" in done.stdout
    exported = np.load(tmp_path / "out.npy")

    model, _ = load_model(StudyBest.read(digits_study))
    with torch.no_grad():
        ours = model(torch.from_numpy(raw)).numpy()
    assert np.allclose(exported, ours, atol=1e-5)
    accuracy = 100 * float((exported.argmax(1) == data.y_test).mean())
    best = StudyBest.read(digits_study)
    assert accuracy == pytest.approx(best.row.result["metrics"]["test_acc"], abs=1e-6)


def test_the_card_names_the_labels_and_load_exported_predicts_them(digits_study: Path, tmp_path: Path) -> None:
    target = export(digits_study, "torch", tmp_path / "model.pt2")
    model = load_exported(target)
    assert model.labels == list(range(10)) and model.input_shape == (1, 8, 8) and model.columns is None
    data = digits(DatasetRequest(None, 0))
    accuracy = 100 * float(np.mean(np.array(model.predict(data.raw(data.x_test))) == data.y_test))
    assert accuracy == pytest.approx(StudyBest.read(digits_study).row.result["metrics"]["test_acc"], abs=1e-6)
    with pytest.raises(DataError, match=r"the model takes samples of shape \(1, 8, 8\), got an array of shape \(3, 64\)"):
        model.predict(np.zeros((3, 64)))
    plain = tmp_path / "plain.pt2"
    torch.export.save(torch.export.export(load_model(StudyBest.read(digits_study))[0], (torch.zeros(1, 1, 8, 8),)), str(plain))
    with pytest.raises(DataError, match="carries no nas model card"):
        load_exported(plain)


def test_onnx_export_checks_out(digits_study: Path, tmp_path: Path) -> None:
    target = export(digits_study, "onnx", tmp_path / "model.onnx")
    import onnx

    onnx.checker.check_model(onnx.load(str(target)))


def test_onnx_without_the_package_says_how_to_install_it(digits_study: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(NasError, match=r"needs the onnx and onnxscript packages: pip install 'nas-core\[onnx\]'"):
        export(digits_study, "onnx", tmp_path / "model.onnx")


def test_json_export_and_table_studies(digits_study: Path, tmp_path: Path) -> None:
    described = json.loads(export(digits_study, "json", tmp_path / "best.json").read_text())
    assert described["arch"]["kind"] == "mlp" and described["metrics"]["test_acc"] > 50
    table_db = tmp_path / "table.db"
    nas_json("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "5",
             "--storage", str(table_db), "--json")  # fmt: skip
    refused = nas("export", str(table_db), "--format", "torch", "-o", str(tmp_path / "x.pt"))
    assert refused.returncode == 1 and "keeps no trained weights" in refused.stderr
    assert nas("export", str(table_db), "--format", "json", "-o", str(tmp_path / "t.json")).returncode == 0


def test_retrain_reports_test_accuracy(digits_study: Path, tmp_path: Path) -> None:
    result = nas_json("retrain", str(digits_study), "--epochs", "6", "--json", "--save", str(tmp_path / "r.pt2"))
    assert result["epochs"] == 6 and result["dataset"] == "digits" and 50 < result["test_acc"] <= 100
    assert torch.export.load(str(tmp_path / "r.pt2")).module()(torch.zeros(1, 1, 8, 8)).shape == (1, 10)


def test_retrain_can_anneal_the_learning_rate_the_study_kept_constant(digits_study: Path, tmp_path: Path) -> None:
    constant = nas_json("retrain", str(digits_study), "--epochs", "4", "--json")
    cosine = nas_json("retrain", str(digits_study), "--epochs", "4", "--lr-schedule", "cosine", "--json")
    assert cosine["arch"] == constant["arch"] and cosine["train_loss"] != constant["train_loss"]
    assert nas_json("retrain", str(digits_study), "--epochs", "4", "--lr-schedule", "constant", "--json")["train_loss"] == constant["train_loss"]
    refused = nas("retrain", str(digits_study), "--epochs", "1", "--lr-schedule", "step")
    assert refused.returncode == 2 and "'step' is not one of 'constant', 'cosine'" in refused.stderr


def test_an_nb201_cell_from_the_table_retrains_on_digits(tmp_path: Path) -> None:
    db = tmp_path / "table.db"
    nas_json("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "5",
             "--nb201-cells", "1", "--storage", str(db), "--json")  # fmt: skip
    missing = nas("retrain", str(db), "--epochs", "1")
    assert missing.returncode == 2 and "name the data to retrain on with --dataset" in missing.stderr  # usage
    result = nas_json("retrain", str(db), "--epochs", "1", "--dataset", "digits", "--lr-schedule", "cosine", "--json")
    assert result["arch"]["kind"] == "nb201" and result["test_acc"] > 0


def test_draw_cells_and_chains(digits_study: Path, tmp_path: Path) -> None:
    chain = tmp_path / "chain.png"
    assert nas("draw", str(digits_study), "-o", str(chain)).returncode == 0
    assert chain.read_bytes()[:4] == b"\x89PNG"
    db = tmp_path / "cells.db"
    nas_json("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "12",
             "--storage", str(db), "--json")  # fmt: skip
    cell = tmp_path / "cell.png"
    assert nas("draw", str(db), "-o", str(cell)).returncode == 0 and cell.stat().st_size > 5000


def test_a_strategy_named_answer_is_what_show_export_retrain_and_draw_use(tmp_path: Path) -> None:
    db = tmp_path / "answer.db"
    search = ("search", "--plugin", "random", "--plugin", "nastest_plugins.answers", "--benchmark", "nb201",
              "--dataset", "cifar10", "--budget", "8", "--nb201-cells", "1")  # fmt: skip
    nas_json(*search, "--storage", str(db), "--json")
    shown = nas_json("show", str(db), "--json")
    storage = StudyStorage.open(db, writer=False)
    completed = [row for row in storage.trials() if row.result["status"] == "complete"]
    storage.close()
    worst_arch = min(completed, key=lambda row: row.result["objective"]).candidate["arch"]
    assert shown["answer"]["arch"] == worst_arch != shown["best"]["arch"]
    described = json.loads(export(db, "json", tmp_path / "answer.json").read_text())
    assert described["arch"] == worst_arch and described["trial_id"] is not None
    assert described["objective"] < shown["best"]["objective"]
    retrained = nas_json("retrain", str(db), "--epochs", "1", "--dataset", "digits", "--json")
    assert retrained["arch"] == worst_arch and retrained["trial_id"] == described["trial_id"]

    unevaluated = tmp_path / "unevaluated.db"
    nas_json(*search, "--answers-unevaluated", "true", "--storage", str(unevaluated), "--json")
    described = json.loads(export(unevaluated, "json", tmp_path / "fresh.json").read_text())
    assert described["trial_id"] is None and described["metrics"] == {}
    picture = tmp_path / "fresh.png"
    assert nas("draw", str(unevaluated), "-o", str(picture)).returncode == 0
