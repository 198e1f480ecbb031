"""Essential: with ``--dataset`` and no ``--benchmark``, a candidate is trained and measured.

Fidelity is the number of epochs (``Candidate.fidelity``, else ``--train-epochs``). The result's
objective is the validation accuracy in percent; metrics add test accuracy, params (millions),
FLOPs (millions of multiply-adds), latency of one input on the device, and the epochs run; the
trained weights travel as the artifact ``model`` (the study keeps those of its best trial, for
``nas export``). A loss that becomes NaN or infinite fails the trial, not the search.
"""

from __future__ import annotations

from dataclasses import replace
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nas_core.config import Config, stable_seed
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.training import OPTIMIZERS
from nas_core.types import Candidate, Result

if TYPE_CHECKING:  # torch is imported only by runs that train
    from nas_core.training.fit import DeviceData, TrainSettings


class TrainEstimator:
    def __init__(self, space: SearchSpace, data: DeviceData, settings: TrainSettings, seed: int) -> None:
        self.space = space
        self.data = data
        self.settings = settings
        self.seed = seed

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        from nas_core.training.trial import train_architecture

        settings = replace(self.settings, epochs=candidate.fidelity) if candidate.fidelity else self.settings
        trained = train_architecture(
            self.space, candidate.arch, self.data, settings, stable_seed(self.seed, candidate.arch.key, settings.epochs)
        )
        return Result.complete(
            trained.report.valid_acc,
            trained.metrics,
            trained.report.seconds,
            trained.info(self.data),
            artifacts={"model": trained.state_bytes()},
        )


def settings_from(options: Mapping[str, Any]) -> TrainSettings:
    from nas_core.training.fit import TrainSettings

    return TrainSettings(
        epochs=options["train_epochs"],
        batch_size=options["train_batch_size"],
        lr=options["train_lr"],
        optimizer=options["train_optimizer"],
        weight_decay=options["train_weight_decay"],
        patience=options["train_patience"],
    )


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--train-epochs", type=int, default=20, help="epochs per trial when a candidate names no fidelity")
    group.addoption("--train-batch-size", type=int, default=64, help="mini-batch size")
    group.addoption("--train-lr", type=float, default=1e-3, help="learning rate")
    group.addoption("--train-optimizer", default="adam", choices=OPTIMIZERS, help="adam, or sgd with Nesterov momentum 0.9")
    group.addoption("--train-weight-decay", type=float, default=0.0, help="L2 weight decay")
    group.addoption("--train-patience", type=int, default=0, help="early stopping patience in epochs (0: off)")


@hookimpl
def nas_configure(config: Config) -> None:
    if config.benchmark is not None or config.dataset is None:
        return
    from nas_core.training.device import resolve_device
    from nas_core.training.fit import DeviceData

    config.space.require({Capability.BUILD}, who="training on --dataset")
    device = resolve_device(config.device)
    config.register(TrainEstimator(config.space, DeviceData(config.dataset, device), settings_from(config.options), config.seed))
