"""Training a study's best architecture from scratch (``nas retrain``).

A study that trained is retrained on its own dataset, space and training options; a study on a
table (nothing trained) needs ``dataset``, and the table's space builds the network (NB201 cells
found on the NB201 table can be retrained on digits, for instance).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from nas_core.config import stable_seed
from nas_core.errors import ConfigError
from nas_core.export import StudyBest, save_torch_program
from nas_core.preparation import prepare, study_space
from nas_core.settings import from_options
from nas_core.training.settings import TrainSettings


def retrain(
    path: str | os.PathLike[str],
    epochs: int,
    *,
    dataset: str | None = None,
    seed: int = 0,
    device: str = "auto",
    data_dir: str | None = None,
    save: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    from nas_core.training.device import device_data
    from nas_core.training.trial import train_architecture

    best = StudyBest.read(path)
    spec = best.spec
    if spec.benchmark:
        if dataset is None:
            raise ConfigError("this study searched a table: name the data to retrain on with --dataset")
        space_name = study_space(spec).name
        spec = replace(spec, benchmark=None, space=space_name, dataset=dataset)
    elif dataset is not None:
        spec = replace(spec, dataset=dataset)
    if data_dir is not None:
        spec = replace(spec, data_dir=data_dir)
    prepared = prepare(spec)
    if prepared.dataset is None:
        raise ConfigError("nothing to train on: give --dataset")
    arch = best.architecture(prepared.space)
    settings = replace(from_options(TrainSettings, prepared.options), epochs=epochs)
    data = device_data(prepared.dataset, device)
    trained = train_architecture(prepared.space, arch, data, settings, stable_seed(seed, "retrain", arch.key))
    if save is not None:
        save_torch_program(trained.model, prepared.dataset.input_shape, Path(save))
    return {
        **trained.metrics,
        "trial_id": None if best.row is None else best.row.trial_id,
        "arch": arch.to_dict(),
        "dataset": prepared.dataset.name,
        "epochs": trained.report.epochs_run,
        "seed": seed,
        "seconds": trained.report.seconds,
        "searched_metrics": None if best.row is None else best.row.result["metrics"],
    }
