"""One architecture trained and measured: shared by the training estimator and ``nas retrain``."""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn

from nas_core.architecture import Architecture
from nas_core.networks.common import with_standardization
from nas_core.training.fit import DeviceData, FitReport, OnEpoch, fit
from nas_core.training.measure import latency_ms, mflops, params_millions
from nas_core.training.seeding import seeded_torch
from nas_core.training.settings import TrainSettings

if TYPE_CHECKING:
    from nas_core.types import Candidate


class NetworkBuilder(Protocol):
    """What training needs of a search space: its ``build``. A plugin may pass its own builder
    (one that copies shared weights into the network it builds, say)."""

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> nn.Module: ...

    def building(self, candidate: Candidate) -> AbstractContextManager[None]: ...


@dataclass(frozen=True, eq=False)
class TrainedArchitecture:
    model: nn.Module  # on the CPU, in eval mode, standardizing raw inputs itself
    report: FitReport
    metrics: dict[str, float]

    def info(self, data: DeviceData) -> dict[str, Any]:
        return {
            "input_shape": list(data.dataset.input_shape),
            "num_classes": data.dataset.num_classes,
            "valid_history": self.report.valid_history,
        }

    def state_bytes(self) -> bytes:
        buffer = io.BytesIO()
        torch.save(self.model.state_dict(), buffer)
        return buffer.getvalue()


def train_architecture(
    space: NetworkBuilder,
    arch: Architecture,
    data: DeviceData,
    settings: TrainSettings,
    seed: int,
    on_epoch: OnEpoch | None = None,
) -> TrainedArchitecture:
    """Build ``arch`` with weights initialised from ``seed``, train it, and measure it.

    The global torch RNG is left as it was: a trial's outcome depends on its seed only, not on the
    trials before it.
    """
    with seeded_torch(seed, data.device):
        net = space.build(arch, data.dataset.input_shape, data.dataset.num_classes).to(data.device)
        report = fit(net, data, settings, seed, on_epoch)
    metrics = {
        "valid_acc": report.valid_acc,
        "test_acc": report.test_acc,
        "train_loss": report.train_loss,
        "epochs": float(report.epochs_run),
        **network_metrics(net, data),
    }
    model = with_standardization(net.cpu(), data.dataset.mean, data.dataset.std).eval()
    return TrainedArchitecture(model, report, metrics)


def untrained_metrics(space: NetworkBuilder, arch: Architecture, data: DeviceData, seed: int) -> dict[str, float]:
    """What is known of ``arch`` before training it: the network built (with weights from
    ``seed``, the global torch RNG left as it was) and measured, as :func:`train_architecture`
    measures the trained one."""
    with seeded_torch(seed, data.device):
        net = space.build(arch, data.dataset.input_shape, data.dataset.num_classes).to(data.device)
    return network_metrics(net, data)


def network_metrics(net: nn.Module, data: DeviceData) -> dict[str, float]:
    """Params (millions), FLOPs (millions of multiply-adds) and latency of one input (ms) on the data's device."""
    shape = data.dataset.input_shape
    return {
        "params": params_millions(net),
        "flops": mflops(net, shape, data.device),
        "latency_ms": latency_ms(net, shape, data.device),
    }
