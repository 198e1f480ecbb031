"""Training a study's best architecture from scratch (``nas retrain``).

A study that trained is retrained on its own dataset, space and training options; a study on a
table (nothing trained) needs ``dataset``, and the table's space builds the network (NB201 cells
found on the NB201 table can be retrained on digits, for instance).

:func:`train_from_scratch` is the training itself, for any architecture of a run's space:
``nas retrain-bench`` trains its random architectures through it, so they are trained exactly as
the answers it compares them with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nas_core.config import RunSpec, stable_seed
from nas_core.errors import ConfigError
from nas_core.export import Deployable, StudyBest, save_torch_program
from nas_core.datasets.provenance import DataFile
from nas_core.preparation import prepare_checked, study_space
from nas_core.settings import from_options
from nas_core.training.settings import TrainSettings

if TYPE_CHECKING:
    from nas_core.training.fit import OnEpoch  # torch: imported where training runs


def retrain(
    path: str | os.PathLike[str],
    epochs: int,
    *,
    dataset: str | None = None,
    seed: int = 0,
    device: str = "auto",
    data_dir: str | None = None,
    save: str | os.PathLike[str] | None = None,
    on_epoch: OnEpoch | None = None,
    lr_schedule: str | None = None,
) -> dict[str, Any]:
    """``on_epoch(epoch, train_loss, valid_acc)`` hears of every epoch as it ends. ``lr_schedule``
    (``--train-lr-schedule``'s values) replaces the study's: a search may train its candidates
    at a constant rate and still want its answer's final training annealed."""
    best = StudyBest.read(path)
    spec = best.spec
    if lr_schedule is not None:
        spec = replace(spec, options={**spec.options, "train_lr_schedule": lr_schedule})
    if spec.benchmark:
        if dataset is None:
            raise ConfigError("this study searched a table: name the data to retrain on with --dataset")
        space_name = study_space(spec).name
        spec = replace(spec, benchmark=None, space=space_name, dataset=dataset)
    elif dataset is not None:
        spec = replace(spec, dataset=dataset)
    if data_dir is not None:
        spec = replace(spec, data_dir=data_dir)
    return {
        **train_from_scratch(spec, best.arch, epochs, seed=seed, device=device, save=save, on_epoch=on_epoch, recorded_data=best.data),
        "trial_id": None if best.row is None else best.row.trial_id,
        "searched_metrics": None if best.row is None else best.row.result["metrics"],
    }


def train_from_scratch(
    spec: RunSpec,
    arch: Mapping[str, Any],
    epochs: int,
    *,
    seed: int = 0,
    device: str = "auto",
    save: str | os.PathLike[str] | None = None,
    on_epoch: OnEpoch | None = None,
    recorded_data: DataFile | None = None,
) -> dict[str, Any]:
    """``arch`` (its ``to_dict()`` form) trained for ``epochs`` on the data and with the training
    options of ``spec``, from weights and shuffles seeded by ``seed`` and the architecture.
    ``recorded_data`` is the data file the study that found ``arch`` searched: a data file
    trained on must hold the same data."""
    from nas_core.training.device import device_data
    from nas_core.training.trial import train_architecture

    prepared = prepare_checked(spec, recorded_data, "retrain")
    dataset = prepared.dataset
    if dataset is None:
        raise ConfigError("nothing to train on: give --dataset")
    architecture = prepared.space.decode(arch)
    settings = replace(from_options(TrainSettings, prepared.options), epochs=epochs)
    data = device_data(dataset, device)
    trained = train_architecture(prepared.space, architecture, data, settings, stable_seed(seed, "retrain", architecture.key), on_epoch)
    if save is not None:
        exported = Deployable.of(trained.model, dataset.input_shape, dataset.num_classes, dataset.source)
        save_torch_program(exported, Path(save))
    return {
        **trained.metrics,
        "arch": architecture.to_dict(),
        "dataset": dataset.name,
        "epochs": trained.report.epochs_run,
        "seed": seed,
        "seconds": trained.report.seconds,
    }
