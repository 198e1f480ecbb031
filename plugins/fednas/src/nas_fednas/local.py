"""What one client runs on its own data between two aggregations.

- :class:`LocalSearch` (FedNAS): local epochs of the darts library's search on the client's data,
  MiLeNAS by default: every step moves the alphas with ``grad L_train + lambda grad L_val`` on
  the client's alpha data and the weights with ``grad L_train`` on its weight data.
- :class:`LocalFedAvg` (the baseline): local epochs of SGD on a fixed architecture's network over
  all of the client's training data, with the same optimizer settings (momentum, weight decay,
  cosine schedule, gradient clipping) as the search's weights.

A client keeps its optimizers and batch generator from round to round; they are its *private
state* (:meth:`LocalTrainer.private_state`), which the study saves so a resumed run continues
exactly. The model itself is the same on every client after aggregation and travels separately.
The server builds the same trainer on the whole dataset, never trains it, and measures the
aggregated model with it.
"""

from __future__ import annotations

import io
import math
from abc import ABC, abstractmethod
from typing import Any

import torch
from torch import nn

from nas_core import DeviceData, TrialError, accuracy, loss_target, make_loss, seeded_torch, stable_seed, torch_generator
from nas_darts import EpochTraining, SearchSettings, Supernet, SupernetSearch

from nas_fednas.plan import ModelPlan, space_from_dict

MIN_BATCH = 2  # batch norm in training mode needs more than one sample


def _to_bytes(state: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> dict[str, Any]:
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


class LocalTrainer(ABC):
    model: nn.Module

    @abstractmethod
    def train(self, epochs: int) -> EpochTraining:
        """Run ``epochs`` local epochs; what the last one reports."""

    @abstractmethod
    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """The model's accuracy (%) on ``x, y``, in evaluation mode."""

    @abstractmethod
    def private_state(self) -> bytes: ...

    @abstractmethod
    def load_private_state(self, data: bytes) -> None: ...


class LocalSearch(LocalTrainer):
    def __init__(self, search: SupernetSearch) -> None:
        self.search = search
        self.model: Supernet = search.supernet

    def train(self, epochs: int) -> EpochTraining:
        for _ in range(epochs):
            trained = self.search.train_epoch()
        return trained

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return self.search.evaluate(x, y)[1]

    def private_state(self) -> bytes:
        return _to_bytes(
            {
                "w_optimizer": self.search.w_optimizer.state_dict(),
                "alpha_optimizer": self.search.alpha_optimizer.state_dict(),
                "generator": self.search.generator.get_state(),
                "epoch": self.search.epoch,
            }
        )

    def load_private_state(self, data: bytes) -> None:
        state = _from_bytes(data)
        self.search.w_optimizer.load_state_dict(state["w_optimizer"])
        self.search.alpha_optimizer.load_state_dict(state["alpha_optimizer"])
        self.search.generator.set_state(state["generator"])
        self.search.epoch = int(state["epoch"])


class LocalFedAvg(LocalTrainer):
    def __init__(self, network: nn.Module, data: DeviceData, settings: SearchSettings, seed: int) -> None:
        self.model = network.to(data.device)
        self.data = data
        self.settings = settings
        self.optimizer = torch.optim.SGD(
            self.model.parameters(), lr=settings.w_lr, momentum=settings.w_momentum, weight_decay=settings.w_weight_decay
        )
        self.loss = make_loss(data.binary)
        self.generator = torch_generator(seed)
        self.epoch = 0

    def train(self, epochs: int) -> EpochTraining:
        for _ in range(epochs):
            trained = self._epoch()
        return trained

    def _epoch(self) -> EpochTraining:
        self.epoch += 1
        lr = self.settings.lr(self.epoch)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = self.data.x_train, self.data.y_train
        batches = [b for b in torch.randperm(len(x), generator=self.generator).split(self.settings.batch_size) if len(b) >= MIN_BATCH]
        self.model.train()
        total, correct = 0.0, 0
        for batch in batches:
            self.optimizer.zero_grad(set_to_none=True)
            logits = self.model(x[batch])
            loss = self.loss(logits, loss_target(y[batch], self.data.binary))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.settings.grad_clip)
            self.optimizer.step()
            total += float(loss.detach()) * len(batch)
            predicted = (logits[:, 0] > 0).long() if self.data.binary else logits.argmax(1)
            correct += int((predicted == y[batch]).sum())
        seen = sum(len(b) for b in batches)
        if not math.isfinite(total):
            raise TrialError(f"local epoch {self.epoch} diverged (training loss {total / seen})")
        return EpochTraining(lr, total / seen, 100.0 * correct / seen)

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return accuracy(self.model, x, y, self.data.binary)

    def private_state(self) -> bytes:
        return _to_bytes({"optimizer": self.optimizer.state_dict(), "generator": self.generator.get_state(), "epoch": self.epoch})

    def load_private_state(self, data: bytes) -> None:
        state = _from_bytes(data)
        self.optimizer.load_state_dict(state["optimizer"])
        self.generator.set_state(state["generator"])
        self.epoch = int(state["epoch"])


def make_trainer(plan: ModelPlan, data: DeviceData, seed: int) -> LocalTrainer:
    """The trainer of ``plan`` on ``data``; its initial model drawn from ``seed`` (clients replace
    it with the server's before the first round)."""
    space = space_from_dict(plan.space)
    settings = plan.search_settings
    if plan.arch is None:
        return LocalSearch(SupernetSearch.create(space, data, settings, seed))
    with seeded_torch(stable_seed(seed, "fednas", "init"), data.device):
        network = space.build(space.decode(plan.arch), plan.input_shape, plan.num_classes)
    return LocalFedAvg(network, data, settings, seed)
