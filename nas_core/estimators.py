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

Under ``--constraint`` (:mod:`nas_core.constraints`) the run's own estimator is a
:class:`ConstrainedEstimator`: it first asks what is known of a candidate before evaluating it
(``architecture_metrics``: the table's params, FLOPs and ``hw_*`` columns, or the untrained
network built and measured), rejects a candidate that violates a constraint there without
evaluating it, and judges what it evaluates on every constraint.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from nas_core.config import stable_seed
from nas_core.constraints import Constraints, is_architecture_metric
from nas_core.hookspecs import hookimpl
from nas_core.settings import from_options
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.study import StudyView
from nas_core.training.settings import TrainSettings
from nas_core.types import Candidate, Result, Status

if TYPE_CHECKING:  # torch is imported only by runs that train
    from nas_core.tables.base import Benchmark
    from nas_core.datasets.base import Dataset
    from nas_core.training.fit import DeviceData
    from nas_core.training.trial import NetworkBuilder


# What the training estimator reports of every candidate (``train_architecture``'s metrics).
TRAIN_METRICS = ("valid_acc", "test_acc", "train_loss", "epochs", "params", "flops", "latency_ms")


@dataclass(frozen=True)
class Known:
    """What is known of a candidate before evaluating it, and the seconds it took to know."""

    metrics: dict[str, float]
    seconds: float


class Estimator(Protocol):
    def estimate(self, candidate: Candidate) -> Result: ...

    def architecture_metrics(self, candidate: Candidate) -> Known: ...


class TableEstimator:
    """Looks candidates up in a benchmark table."""

    def __init__(self, benchmark: Benchmark) -> None:
        self.benchmark = benchmark

    def estimate(self, candidate: Candidate) -> Result:
        return self.benchmark.query(candidate.arch, candidate.fidelity)

    def architecture_metrics(self, candidate: Candidate) -> Known:
        """The row's architecture metrics: a lookup that trains nothing, so it costs no search time."""
        metrics = self.benchmark.query(candidate.arch, candidate.fidelity).metrics
        return Known({name: value for name, value in metrics.items() if is_architecture_metric(name)}, 0.0)


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

    def architecture_metrics(self, candidate: Candidate) -> Known:
        """Params, FLOPs and latency of the untrained network, measured (the seconds it took)."""
        from nas_core.training.trial import untrained_metrics

        started = time.perf_counter()
        with self.space.building(candidate):
            metrics = untrained_metrics(self.space, candidate.arch, self.data, stable_seed(self.seed, candidate.arch.key, "measure"))
        return Known(metrics, time.perf_counter() - started)


class ConstrainedEstimator:
    """The run's own estimator under constraints (see the module docstring). The architecture
    metrics it judged before evaluating are the ones recorded, so a trial is judged and reported
    by the same measurement."""

    def __init__(self, estimator: Estimator, constraints: Constraints) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.early = constraints.on_architecture()

    def estimate(self, candidate: Candidate) -> Result:
        known: dict[str, float] = {}
        if self.early:
            before = self.estimator.architecture_metrics(candidate)
            violated = self.early.violations(before.metrics)
            if violated:
                return Result.rejected(violated, before.metrics, before.seconds)
            known = before.metrics
        result = self.estimator.estimate(candidate)
        if known and result.status is Status.COMPLETE:
            result = replace(result, metrics={**result.metrics, **known})
        return self.constraints.judge(result)

    def architecture_metrics(self, candidate: Candidate) -> Known:
        return self.estimator.architecture_metrics(candidate)


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
    constraints: Constraints | None = None,
) -> Estimator | None:
    """The run's own estimator: the table when there is one, else training on the dataset;
    under ``constraints``, wrapped to reject and judge candidates by them."""
    estimator: Estimator | None = None
    if benchmark is not None:
        estimator = TableEstimator(benchmark)
    elif dataset is not None:
        estimator = make_train_estimator(space, dataset, options, seed, device)
    if estimator is not None and constraints:
        return ConstrainedEstimator(estimator, constraints)
    return estimator


class CoreEstimator:
    """The run's own estimator as a ``trylast`` hook: every plugin's estimator answers before it."""

    def __init__(self, estimator: Estimator) -> None:
        self.estimator = estimator

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        return self.estimator.estimate(candidate)
