"""The searched model, out of nas: JSON, a ``torch.export`` program (plain torch loads it), ONNX.

A study that trained keeps the weights of its best trial; the exported model takes raw inputs
(it standardizes them with the training split's statistics; for a CSV file's rows it one-hot
encodes their categories first) and returns logits (one per class; a single logit for binary
tasks). Every model file carries its card (:mod:`nas_core.model_card`): what the inputs are and
which label each output stands for.
"""

from __future__ import annotations

import io
import json
import logging
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nas_core.architecture import Architecture
from nas_core.config import RunSpec
from nas_core.datasets.provenance import DataFile
from nas_core.errors import NasError, StorageError, reading_study
from nas_core.model_card import CARD_FILE, ONNX_KEY, model_card
from nas_core.report import answer_row
from nas_core.preparation import study_space
from nas_core.spaces.base import SearchSpace
from nas_core.storage import StudyStorage, TrialRow
from nas_core.types import Status

FORMATS = ("json", "torch", "onnx")


@dataclass(frozen=True)
class StudyBest:
    """A study's answer, with its spec, the trial that evaluated it and that trial's kept weights.

    The answer is :func:`~nas_core.report.answer_row`'s (under ``--constraint``, from the feasible
    trials only). A nominated architecture that no completed trial evaluated has no ``row`` and no
    weights: it can be retrained, not exported as a trained model. ``data`` is the data file the
    study searched on, if it did.
    """

    spec: RunSpec
    arch: dict[str, Any]
    row: TrialRow | None
    weights: bytes | None
    data: DataFile | None = None

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, data_dir: str | None = None) -> StudyBest:
        """The answer of the study in ``path``; ``data_dir`` replaces the stored data folder (a
        study moved to another machine, or a table of its own named relative to that folder)."""
        storage = StudyStorage.open(path, writer=False)
        try:
            with reading_study(path):
                meta = storage.meta()
                spec = RunSpec.from_dict(meta["spec"])
                if data_dir is not None:
                    spec = replace(spec, data_dir=data_dir).with_absolute_paths()
                data = DataFile.from_dict(meta["data"]) if meta.get("data") else None
                rows = list(storage.trials())
                kept = storage.artifacts()
        finally:
            storage.close()
        arch, row = answer_row(meta, rows)
        if arch is None:
            raise StorageError(no_answer(path, spec, rows))
        weights = kept[1].get("model") if kept is not None and row is not None and kept[0] == row.trial_id else None
        return cls(spec, arch, row, weights, data)

    def architecture(self, space: SearchSpace) -> Architecture:
        return space.decode(self.arch)

    def describe(self) -> dict[str, Any]:
        return {
            "trial_id": None if self.row is None else self.row.trial_id,
            "arch": self.arch,
            "objective": None if self.row is None else self.row.result["objective"],
            "metrics": {} if self.row is None else self.row.result["metrics"],
            "spec": self.spec.to_dict(),
            "data": None if self.data is None else self.data.to_dict(),
        }


def no_answer(path: str | os.PathLike[str], spec: RunSpec, rows: list[TrialRow]) -> str:
    """Why a study has no best trial to answer with."""
    infeasible = sum(Status(row.result["status"]).infeasible for row in rows)
    if infeasible:
        return (
            f"{path} has no feasible trial: {infeasible} trials violate --constraint "
            f"{', '.join(spec.constraints)} and none satisfies them"
        )
    return f"{path} has no completed trial yet"


def load_model(best: StudyBest) -> tuple[Any, tuple[int, ...]]:
    """The answer's trained model (eval mode) and its input shape."""
    model, shape, _ = _trained(best)
    return model, shape


def _trained(best: StudyBest) -> tuple[Any, tuple[int, ...], int]:
    """The answer's trained model, its input shape and number of classes."""
    import torch

    from nas_core.networks.common import with_standardization

    if best.weights is None or best.row is None:
        raise NasError(
            "the study keeps no trained weights of its answer (table searches train nothing, and a "
            "one-shot search never trains its answer alone): export --format json, or train it with nas retrain"
        )
    info = best.row.result["info"]
    shape = tuple(info["input_shape"])
    classes = int(info["num_classes"])
    space = study_space(best.spec)
    net = space.build(best.architecture(space), shape, classes)
    state = torch.load(io.BytesIO(best.weights), weights_only=True)
    model = with_standardization(net, torch.zeros(state["0.mean"].shape), torch.ones(state["0.std"].shape))
    model.load_state_dict(state)
    return model.eval(), shape, classes


@dataclass(frozen=True, eq=False)
class Deployable:
    """A trained model as it leaves nas: raw inputs of ``input_shape`` in, logits out, and its card."""

    model: Any
    input_shape: tuple[int, ...]
    card: dict[str, Any]

    @classmethod
    def of(cls, model: Any, input_shape: tuple[int, ...], num_classes: int, data: DataFile | None) -> Deployable:
        """``model`` (standardizing its raw inputs of ``input_shape``) ready to export: searched on a
        CSV file, it takes the file's rows as codes and one-hot encodes them first."""
        if data is not None and data.encoding is not None:
            from torch import nn

            from nas_core.networks.codes import ExpandCodes

            model = nn.Sequential(ExpandCodes(data.encoding), model)
            input_shape = (len(data.encoding.columns),)
        return cls(model.eval(), input_shape, model_card(input_shape, num_classes, data))

    @property
    def card_json(self) -> str:
        return json.dumps(self.card)


def deployable(best: StudyBest) -> Deployable:
    """The answer's trained model as it is exported."""
    return Deployable.of(*_trained(best), best.data)


def export(
    path: str | os.PathLike[str], fmt: str, output: str | os.PathLike[str], *, data_dir: str | None = None
) -> Path:
    best = StudyBest.read(path, data_dir=data_dir)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        target.write_text(json.dumps(best.describe(), indent=2))
        return target
    if fmt not in FORMATS:
        raise NasError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    (save_torch_program if fmt == "torch" else save_onnx)(deployable(best), target)
    return target


def save_torch_program(model: Deployable, target: Path) -> None:
    """A ``torch.export`` program with a dynamic batch size: ``torch.export.load(f).module()``
    gives a callable model in any Python with torch (TorchScript is deprecated since torch 2.9).
    The card is its extra file ``nas-model.json``."""
    import torch

    program = torch.export.export(
        model.model, (torch.zeros(2, *model.input_shape),), dynamic_shapes=({0: torch.export.Dim("batch")},)
    )
    torch.export.save(program, str(target), extra_files={CARD_FILE: model.card_json})


def save_onnx(model: Deployable, target: Path) -> None:
    """ONNX through torch's ``torch.export``-based exporter, checked with ``onnx.checker``."""
    try:
        import onnx
        import onnxscript  # noqa: F401 - the exporter needs it
    except ImportError:
        raise NasError("ONNX export needs the onnx and onnxscript packages: pip install 'nas-core[onnx]'") from None
    import torch

    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)  # it lists every optional op library it does not find
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # raised inside torch's own exporter
            torch.onnx.export(
                model.model, (torch.zeros(2, *model.input_shape),), str(target), dynamo=True, verbose=False,
                input_names=["input"], output_names=["logits"], dynamic_shapes=({0: torch.export.Dim("batch")},),
            )  # fmt: skip
    finally:
        exporter_log.setLevel(level)
    program = onnx.load(str(target))
    onnx.helper.set_model_props(program, {ONNX_KEY: model.card_json})
    onnx.checker.check_model(program)
    onnx.save(program, str(target))
