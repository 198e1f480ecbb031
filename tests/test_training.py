"""Searches that train: real accuracy, reproducible trials, divergence fails a trial, devices.

On one torch thread (the kit's autouse fixture): the networks are tiny, and on a shared machine
torch's thread pool waits for cores longer than the work takes (on two busy cores one thread
roughly halved this module's time). No fixture here outlives a test, so every run a test compares
is trained on the same thread count: torch's results depend on it.
"""

import pytest

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import ConfigError
from nas_core.session import open_session
from nas_core.testing import PluginConformance, torch_on_one_thread  # noqa: F401 (an autouse fixture)
from nas_core.types import Status


def digits_spec(plugin: str = "random", trials: int = 4, **options) -> RunSpec:
    return RunSpec((plugin,), Budget(trials=trials), seed=0, dataset="digits", space="mlp",
                   options={"train_epochs": 3, **options}, device="cpu")  # fmt: skip


class TestEvolutionTrainingMLPsOnDigits(PluginConformance):
    plugins = ("evolution",)
    benchmark = None
    dataset = "digits"
    space = "mlp"
    options = {"train_epochs": 2, "evolution_population": 3, "evolution_sample_size": 2}
    bad_options = {"evolution_population": 1, "evolution_sample_size": 4}  # a tournament larger than the population
    budget = 8


class TestRandomTrainingNB201CellsOnMnist1d(PluginConformance):
    plugins = ("random",)
    benchmark = None
    dataset = "mnist1d"
    space = "nb201"
    options = {"train_epochs": 1, "nb201_channels": 4, "nb201_cells": 1}
    budget = 4


def test_trained_trials_report_real_accuracy_and_measurements() -> None:
    session = open_session(digits_spec(trials=3, train_epochs=8))
    session.run()
    for trial in session.study.trials:
        metrics = trial.result.metrics
        assert trial.result.objective == metrics["valid_acc"]
        assert {"test_acc", "params", "flops", "latency_ms", "epochs"} <= set(metrics)
        assert metrics["epochs"] == 8 and trial.result.cost_seconds > 0
    assert session.study.best.result.metrics["valid_acc"] > 85
    session.close()


def test_fidelity_is_epochs_and_patience_stops_early() -> None:
    session = open_session(digits_spec(trials=3, train_epochs=40, train_patience=2))
    session.run()
    assert all(t.result.metrics["epochs"] < 40 for t in session.study.trials)
    session.close()


def test_a_diverging_loss_fails_the_trial_not_the_search() -> None:
    session = open_session(digits_spec(trials=6, train_lr=1e30, train_optimizer="sgd"))
    assert session.run(max_failures=7).startswith("budget spent")
    failed = [t for t in session.study.trials if t.result.status is Status.FAILED]
    assert len(session.study.trials) == 6 and failed
    assert all(t.result.info["error"] == "training diverged at epoch 1: the loss is nan" for t in failed)
    session.close()


def test_a_cosine_schedule_settles_the_last_epochs_weights() -> None:
    """Under cosine the last epoch moves the weights a fraction of what a constant rate does."""
    import torch

    from nas_core.datasets.builtin import digits
    from nas_core.registry import DatasetRequest
    from nas_core.training.device import device_data
    from nas_core.training.fit import fit
    from nas_core.training.settings import TrainSettings

    data = device_data(digits(DatasetRequest(None, 0)), "cpu")

    def last_epoch_step(schedule: str) -> float:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        snapshots: list[torch.Tensor] = []
        snap = lambda *_: snapshots.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
        fit(model, data, TrainSettings(epochs=6, lr=1e-2, lr_schedule=schedule), seed=0, on_epoch=snap)
        return float((snapshots[-1] - snapshots[-2]).norm())

    assert last_epoch_step("cosine") < 0.3 * last_epoch_step("constant")


def test_a_missing_gpu_is_a_clear_error() -> None:
    from dataclasses import replace

    with pytest.raises(ConfigError, match="--device cuda: no CUDA device is available"):
        open_session(replace(digits_spec(), device="cuda"))
    with pytest.raises(ConfigError, match="unknown --device 'tpu'"):
        open_session(replace(digits_spec(), device="tpu"))


def test_a_table_space_cannot_be_trained(tmp_path) -> None:
    with pytest.raises(ConfigError, match="unknown search space 'table'"):
        open_session(RunSpec(("random",), Budget(trials=2), space="table", dataset="digits"))
