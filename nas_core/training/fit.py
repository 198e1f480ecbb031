"""Training a network on a dataset, the plain way: seeded shuffles, Adam or SGD, accuracy.

The inner loop is kept as lean as a hand-written one (benchmarks/train_throughput.py holds it to
within a few percent): data lives on the device as tensors, batches are index slices, and the loss
is checked for divergence once per epoch rather than synchronised every batch.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from nas_core.datasets.base import Dataset
from nas_core.errors import TrialError
from nas_core.training.seeding import torch_generator
from nas_core.training.settings import TrainSettings, epoch_lr

EVAL_BATCH = 1024

# Hears of every epoch that ends: its number, the mean training loss and the validation accuracy.
OnEpoch = Callable[[int, float, float], None]


@dataclass(frozen=True)
class FitReport:
    valid_acc: float
    test_acc: float
    train_loss: float
    epochs_run: int
    seconds: float
    valid_history: list[float] = field(default_factory=list)


class DeviceData:
    """A dataset's splits as tensors on one device (moved once, used by every trial)."""

    def __init__(self, data: Dataset, device: torch.device) -> None:
        self.dataset = data
        self.device = device
        self.binary = data.num_classes == 2

        def put(array: object) -> torch.Tensor:
            return torch.tensor(array).to(device)  # a copy: cached datasets are read-only

        self.x_train, self.y_train = put(data.x_train), put(data.y_train)
        self.x_valid, self.y_valid = put(data.x_valid), put(data.y_valid)
        self.x_test, self.y_test = put(data.x_test), put(data.y_test)


def make_loss(binary: bool) -> nn.Module:
    return nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()


def loss_target(y: torch.Tensor, binary: bool) -> torch.Tensor:
    return y.float().unsqueeze(1) if binary else y


def make_optimizer(model: nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    if settings.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=settings.lr, momentum=0.9, nesterov=True, weight_decay=settings.weight_decay)
    return torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, binary: bool) -> float:
    """Accuracy in percent, in evaluation mode."""
    model.eval()
    correct = 0
    for start in range(0, len(x), EVAL_BATCH):
        out = model(x[start : start + EVAL_BATCH])
        predicted = (out[:, 0] > 0).long() if binary else out.argmax(1)
        correct += int((predicted == y[start : start + EVAL_BATCH]).sum())
    return 100.0 * correct / max(1, len(x))


def fit(model: nn.Module, data: DeviceData, settings: TrainSettings, seed: int, on_epoch: OnEpoch | None = None) -> FitReport:
    """Train ``model`` in place; with patience, the best-validation weights are kept."""
    started = time.perf_counter()
    generator = torch_generator(seed)
    optimizer = make_optimizer(model, settings)
    criterion = make_loss(data.binary)
    n = len(data.x_train)
    history: list[float] = []
    best_state, best_valid, stale = None, -1.0, 0
    mean_loss = float("nan")
    for epoch in range(1, settings.epochs + 1):
        for group in optimizer.param_groups:
            group["lr"] = epoch_lr(settings, epoch)
        model.train()
        order = torch.randperm(n, generator=generator).to(data.device)
        total = torch.zeros((), device=data.device)
        for start in range(0, n, settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(data.x_train[batch]), loss_target(data.y_train[batch], data.binary))
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(batch)
        mean_loss = float(total) / n
        if not torch.isfinite(total):
            raise TrialError(f"training diverged at epoch {epoch}: the loss is {mean_loss}")
        valid = accuracy(model, data.x_valid, data.y_valid, data.binary)
        history.append(valid)
        if on_epoch is not None:
            on_epoch(epoch, mean_loss, valid)
        if settings.patience:
            if valid > best_valid:
                best_valid, stale = valid, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += 1
                if stale >= settings.patience:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    valid = accuracy(model, data.x_valid, data.y_valid, data.binary)
    test = accuracy(model, data.x_test, data.y_test, data.binary)
    return FitReport(valid, test, mean_loss, len(history), time.perf_counter() - started, history)
