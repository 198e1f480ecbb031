"""Essential: with ``--dataset`` and no ``--benchmark``, a candidate is trained and measured.

Fidelity is the number of epochs (``Candidate.fidelity``, else ``--train-epochs``). The result's
objective is the validation accuracy in percent; metrics add test accuracy, params (millions),
FLOPs (millions of multiply-adds), latency of one input on the device, and the epochs run; the
trained weights travel as the artifact ``model`` (the study keeps those of its best trial, for
``nas export``). A loss that becomes NaN or infinite fails the trial, not the search.

With ``--train-repeats N`` every candidate is trained from N seeds and its metrics are the means:
on small validation sets a single run's accuracy is noisy enough to mislead the search. The kept
model is the first repeat's; its own accuracies are in the result's info.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nas_core.config import Config, stable_seed
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.settings import declare, from_options
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.training.settings import TrainSettings
from nas_core.types import Candidate, Result

if TYPE_CHECKING:  # torch is imported only by runs that train
    from nas_core.datasets.base import Dataset
    from nas_core.training.fit import DeviceData
    from nas_core.training.trial import NetworkBuilder


class TrainEstimator:
    def __init__(self, space: NetworkBuilder, data: DeviceData, settings: TrainSettings, seed: int, repeats: int = 1) -> None:
        self.space = space
        self.data = data
        self.settings = settings
        self.seed = seed
        self.repeats = repeats

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        return self.estimate(candidate)

    def estimate(self, candidate: Candidate) -> Result:
        from nas_core.training.trial import train_architecture

        settings = replace(self.settings, epochs=candidate.fidelity) if candidate.fidelity else self.settings
        runs = [
            train_architecture(
                self.space, candidate.arch, self.data, settings, stable_seed(self.seed, candidate.arch.key, settings.epochs, repeat)
            )
            for repeat in range(self.repeats)
        ]
        kept = runs[0]
        metrics = {name: statistics.fmean(run.metrics[name] for run in runs) for name in kept.metrics}
        info = kept.info(self.data)
        if self.repeats > 1:
            info.update(
                valid_acc_repeats=[run.metrics["valid_acc"] for run in runs],
                test_acc_repeats=[run.metrics["test_acc"] for run in runs],
                model_valid_acc=kept.metrics["valid_acc"],
                model_test_acc=kept.metrics["test_acc"],
            )
        return Result.complete(
            metrics["valid_acc"],
            metrics,
            sum(run.report.seconds for run in runs),
            info,
            artifacts={"model": kept.state_bytes()},
        )


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, TrainSettings)


def make_train_estimator(
    space: SearchSpace, dataset: Dataset, options: Mapping[str, Any], seed: int, device: str
) -> TrainEstimator:
    """The training estimator of a run (in the driver, or in a worker process)."""
    from nas_core.training.device import device_data

    space.require({Capability.BUILD}, who="training on --dataset")
    settings = from_options(TrainSettings, options)
    return TrainEstimator(space, device_data(dataset, device), settings, seed, settings.repeats)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.executor is None and config.benchmark is None and config.dataset is not None:
        config.register(make_train_estimator(config.space, config.dataset, config.options, config.seed, config.device))
