"""The searched model, out of nas: JSON, a ``torch.export`` program (plain torch loads it), ONNX.

A study that trained keeps the weights of its best trial; the exported model takes raw inputs
(it standardizes them with the training split's statistics) and returns logits (one per class;
a single logit for binary tasks).
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
from nas_core.errors import NasError, StorageError, reading_study
from nas_core.report import best_row
from nas_core.preparation import study_space
from nas_core.spaces.base import SearchSpace
from nas_core.storage import StudyStorage, TrialRow
from nas_core.types import Status

FORMATS = ("json", "torch", "onnx")


@dataclass(frozen=True)
class StudyBest:
    """A study's answer, with its spec, the trial that evaluated it and that trial's kept weights.

    The answer is the architecture a plugin nominated when the search ended (``nas_answer``: a
    differentiable search's final derived cell), else the best trial's (under ``--constraint``,
    the best feasible trial's). A nominated architecture that no completed trial evaluated has no
    ``row`` and no weights: it can be retrained, not exported as a trained model.
    """

    spec: RunSpec
    arch: dict[str, Any]
    row: TrialRow | None
    weights: bytes | None

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
                rows = list(storage.trials())
                kept = storage.artifacts()
        finally:
            storage.close()
        nominated = meta.get("answer")
        if nominated is not None:
            arch = nominated["arch"]
            row = latest_completed(rows, arch)
        else:
            row = best_row(rows)
            if row is None:
                raise StorageError(no_answer(path, spec, rows))
            arch = row.candidate["arch"]
        weights = kept[1].get("model") if kept is not None and row is not None and kept[0] == row.trial_id else None
        return cls(spec, arch, row, weights)

    def architecture(self, space: SearchSpace) -> Architecture:
        return space.decode(self.arch)

    def describe(self) -> dict[str, Any]:
        return {
            "trial_id": None if self.row is None else self.row.trial_id,
            "arch": self.arch,
            "objective": None if self.row is None else self.row.result["objective"],
            "metrics": {} if self.row is None else self.row.result["metrics"],
            "spec": self.spec.to_dict(),
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


def latest_completed(rows: list[TrialRow], arch: dict[str, Any]) -> TrialRow | None:
    """The last completed trial of exactly this architecture (its most trained fidelity)."""
    matching = [r for r in rows if r.candidate["arch"] == arch and r.result["status"] == Status.COMPLETE]
    return matching[-1] if matching else None


def load_model(best: StudyBest) -> tuple[Any, tuple[int, ...]]:
    """The answer's trained model (eval mode) and its input shape."""
    import torch

    from nas_core.networks.common import with_standardization

    if best.weights is None or best.row is None:
        raise NasError(
            "the study keeps no trained weights of its answer (table searches train nothing, and a "
            "one-shot search never trains its answer alone): export --format json, or train it with nas retrain"
        )
    info = best.row.result["info"]
    shape = tuple(info["input_shape"])
    space = study_space(best.spec)
    net = space.build(best.architecture(space), shape, int(info["num_classes"]))
    state = torch.load(io.BytesIO(best.weights), weights_only=True)
    model = with_standardization(net, torch.zeros(state["0.mean"].shape), torch.ones(state["0.std"].shape))
    model.load_state_dict(state)
    return model.eval(), shape


def export(
    path: str | os.PathLike[str], fmt: str, output: str | os.PathLike[str], *, data_dir: str | None = None
) -> Path:
    best = StudyBest.read(path, data_dir=data_dir)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        target.write_text(json.dumps(best.describe(), indent=2))
        return target
    model, shape = load_model(best)
    if fmt == "torch":
        save_torch_program(model, shape, target)
    elif fmt == "onnx":
        save_onnx(model, shape, target)
    else:
        raise NasError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return target


def save_torch_program(model: Any, shape: tuple[int, ...], target: Path) -> None:
    """A ``torch.export`` program with a dynamic batch size: ``torch.export.load(f).module()``
    gives a callable model in any Python with torch (TorchScript is deprecated since torch 2.9)."""
    import torch

    program = torch.export.export(
        model.eval(), (torch.zeros(2, *shape),), dynamic_shapes=({0: torch.export.Dim("batch")},)
    )
    torch.export.save(program, str(target))


def save_onnx(model: Any, shape: tuple[int, ...], target: Path) -> None:
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
                model.eval(), (torch.zeros(2, *shape),), str(target), dynamo=True, verbose=False,
                input_names=["input"], output_names=["logits"], dynamic_shapes=({0: torch.export.Dim("batch")},),
            )  # fmt: skip
    finally:
        exporter_log.setLevel(level)
    onnx.checker.check_model(onnx.load(str(target)))
