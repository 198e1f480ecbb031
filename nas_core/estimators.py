"""The core's estimators, and the one place that decides which of them a run uses.

A run on a table (``--benchmark``) looks candidates up; a run on data (``--space`` with
``--dataset``) trains them. :func:`core_estimator` makes that choice once per run; the session
puts the result behind every plugin's estimators (in process) or on the Dask workers, which call
the same function, so the driver and the workers can never disagree about it.

Training: fidelity is the number of epochs (``Candidate.fidelity``, else ``--train-epochs``). The
objective is the validation accuracy in percent; metrics add test accuracy, params (millions),
FLOPs (millions of multiply-adds), latency of one input on the device, and the epochs run; the
trained weights travel as the artifact ``model`` (the study keeps those of its best trial, for
``nas export``). A loss that becomes NaN or infinite fails the trial, not the search. With
``--train-repeats N`` every candidate is trained from N seeds and its metrics are the means: on
small validation sets a single run's accuracy is noisy enough to mislead the search. The kept
model is the first repeat's; its own accuracies are in the result's info.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from nas_core.config import stable_seed
from nas_core.hookspecs import hookimpl
from nas_core.settings import from_options
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.training.settings import TrainSettings
from nas_core.types import Candidate, Result

if TYPE_CHECKING:  # torch is imported only by runs that train
    from nas_core.tables.base import Benchmark
    from nas_core.datasets.base import Dataset
    from nas_core.training.fit import DeviceData
    from nas_core.training.trial import NetworkBuilder


class Estimator(Protocol):
    def estimate(self, candidate: Candidate) -> Result: ...


class TableEstimator:
    """Looks candidates up in a benchmark table."""

    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark

    def estimate(self, candidate: Candidate) -> Result:
        return self.benchmark.query(candidate.arch, candidate.fidelity)


class TrainEstimator:
    """Trains candidates on a dataset and measures them (see the module docstring)."""

    def __init__(self, space: NetworkBuilder, data: DeviceData, settings: TrainSettings, seed: int, repeats: int = 1) -> None:
        self.space = space
        self.data = data
        self.settings = settings
        self.seed = seed
        self.repeats = repeats

    def estimate(self, candidate: Candidate) -> Result:
        from nas_core.training.trial import train_architecture

        settings = replace(self.settings, epochs=candidate.fidelity) if candidate.fidelity else self.settings
        with self.space.building(candidate):
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


def make_train_estimator(
    space: SearchSpace, dataset: Dataset, options: Mapping[str, Any], seed: int, device: str
) -> TrainEstimator:
    """The training estimator of a run, from its ``--train-*`` options."""
    from nas_core.training.device import device_data

    space.require({Capability.BUILD}, who="training on --dataset")
    settings = from_options(TrainSettings, options)
    return TrainEstimator(space, device_data(dataset, device), settings, seed, settings.repeats)


def core_estimator(
    space: SearchSpace,
    benchmark: Benchmark | None,
    dataset: Dataset | None,
    options: Mapping[str, Any],
    seed: int,
    device: str,
) -> Estimator | None:
    """The run's own estimator: the table when there is one, else training on the dataset."""
    if benchmark is not None:
        return TableEstimator(benchmark)
    if dataset is not None:
        return make_train_estimator(space, dataset, options, seed, device)
    return None


class CoreEstimator:
    """The run's own estimator as a ``trylast`` hook: every plugin's estimator answers before it."""

    def __init__(self, estimator: Estimator) -> None:
        self.estimator = estimator

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        return self.estimator.estimate(candidate)
