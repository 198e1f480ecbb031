"""One differentiable search, an epoch at a time: the engine behind the ``darts`` strategy.

Every step of an epoch first moves the alphas (on a batch of alpha data, with the chosen
:mod:`architecture gradient <nas_darts.architect>` and Adam) and then the weights (on a batch of
weight data, SGD with momentum, cosine-annealed learning rate, gradient clipping): DARTS'
Algorithm 1, which MiLeNAS keeps with its own alpha gradient. After the epoch the supernet is
measured (in evaluation mode) on the alpha data and on the dataset's validation split, and the
architecture is derived.

Everything that decides the future of the search (weights, alphas, both optimizers, the batch
generator, the epoch) is in :meth:`SupernetSearch.state_dict`, so a resumed search continues
bit for bit. An epoch whose loss or alphas turn non-finite is undone (the supernet and optimizers
go back to their state before it) and reported as a :class:`~nas_core.TrialError`; the
next epoch starts from the restored state with fresh batches.
"""

from __future__ import annotations

import copy
import io
import math
import time
from dataclasses import dataclass
from typing import Any

import torch

from nas_core import (
    Architecture, ConfigError, DeviceData, EVAL_BATCH_SIZE, NB201Space, SearchCriterion, SearchSpace, SearchSplit,
    TrialError, batch_count, epoch_batches, seeded_torch, stable_seed, stream_batches, torch_generator,
)

from nas_darts.architect import ArchitectureGradient, Batch, FirstOrder, MiLeNAS, SecondOrder
from nas_darts.collapse import CellHealth, cell_health
from nas_darts.names import METHODS
from nas_darts.settings import SearchSettings
from nas_darts.supernet import Supernet, build_supernet

ALPHA_BETAS = (0.5, 0.999)  # DARTS' Adam for the alphas


@dataclass(frozen=True)
class EpochTraining:
    """What one epoch of search steps reports: its weight learning rate, and the mean loss and
    accuracy (%) on the weight data during the epoch."""

    lr: float
    loss: float
    accuracy: float


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    lr: float
    train_loss: float  # weight data, training mode, during the epoch
    train_acc: float
    search_valid_loss: float  # alpha data, evaluation mode, after the epoch
    search_valid_acc: float
    valid_acc: float  # the dataset's validation split (never used by the search), after the epoch
    seconds: float
    derived: Architecture  # derived from the alphas after the epoch
    health: CellHealth
    probabilities: dict[str, list[list[float]]]  # softmax(alpha) per cell type, after the epoch

    def metrics(self) -> dict[str, float]:
        return {
            "valid_acc": self.valid_acc,
            "search_valid_acc": self.search_valid_acc,
            "search_valid_loss": self.search_valid_loss,
            "train_acc": self.train_acc,
            "train_loss": self.train_loss,
            "epoch": float(self.epoch),
            "lr": self.lr,
            **self.health.metrics(),
        }


def make_gradient(settings: SearchSettings, w_optimizer: torch.optim.SGD) -> ArchitectureGradient:
    if settings.method == "first-order":
        return FirstOrder()
    if settings.method == "second-order":
        return SecondOrder(w_optimizer)
    if settings.method == "milenas":
        return MiLeNAS(settings.milenas_lambda)
    raise ConfigError(f"unknown architecture optimizer '{settings.method}' (choose from {', '.join(METHODS)})")


def supernet_space(space: SearchSpace, settings: SearchSettings) -> SearchSpace:
    """The space at the size the supernet is built: under the ``cpu`` schedule an NB201 supernet
    of ``supernet_channels`` and ``supernet_cells`` (the space's own size still sizes the networks
    that are built and retrained, as DARTS searches at 16 channels and evaluates at 36)."""
    if settings.schedule == "cpu" and isinstance(space, NB201Space):
        return NB201Space(channels=settings.supernet_channels, cells=settings.supernet_cells)
    return space


class SupernetSearch:
    def __init__(self, supernet: Supernet, data: DeviceData, settings: SearchSettings, seed: int) -> None:
        self.supernet = supernet.to(data.device)
        self.data = data
        self.settings = settings
        self.split = SearchSplit(data, settings.train_portion)
        self.criterion = SearchCriterion(data.binary)
        self.w_optimizer = torch.optim.SGD(
            self.supernet.weights(), lr=settings.w_lr, momentum=settings.w_momentum, weight_decay=settings.w_weight_decay
        )
        self.alpha_lr = settings.alpha_lr_for(batch_count(len(self.split.w_data[0]), settings.batch_size))
        self.alpha_optimizer = torch.optim.Adam(
            self.supernet.arch_parameters(), lr=self.alpha_lr, betas=ALPHA_BETAS, weight_decay=settings.alpha_weight_decay
        )
        self.gradient = make_gradient(settings, self.w_optimizer)
        self.generator = torch_generator(stable_seed(seed, "darts", "batches"))
        self.supernet.sample_paths(settings.paths, self.generator)  # paths are drawn with the batches' generator
        self.epoch = 0

    @classmethod
    def create(cls, space: SearchSpace, data: DeviceData, settings: SearchSettings, seed: int) -> SupernetSearch:
        """A fresh search of ``space``: supernet weights and alphas drawn from ``seed``."""
        with seeded_torch(stable_seed(seed, "darts", "init"), data.device):
            supernet = build_supernet(supernet_space(space, settings), data.dataset.input_shape, data.dataset.num_classes)
        return cls(supernet, data, settings, seed)

    def derive(self) -> Architecture:
        """The architecture the alphas stand for, by the settings' derivation rule."""
        return self.supernet.derive(none=self.settings.derive_none)

    def select(self) -> Architecture:
        """The search's answer by the settings' selection: the alphas' cell, or the cell that
        perturbation-based selection reads from a copy of the supernet (the search is untouched)."""
        if self.settings.select == "perturbation":
            from nas_darts.perturbation import select_by_perturbation

            return select_by_perturbation(self.fork(), self.settings.select_tune_epochs, none=self.settings.derive_none)
        return self.derive()

    def fork(self) -> SupernetSearch:
        """A copy of the search to change freely: the supernet copied, the batch generator at the
        same state, fresh optimizers, all paths computed."""
        forked = SupernetSearch(copy.deepcopy(self.supernet), self.data, self.settings, seed=0)
        forked.generator.set_state(self.generator.get_state())
        forked.supernet.sample_paths(0, forked.generator)
        forked.epoch = self.epoch
        return forked

    # -- one epoch ---------------------------------------------------------------------------------
    def run_epoch(self) -> EpochReport:
        started = time.perf_counter()
        trained = self.train_epoch()
        search_loss, search_acc = self.evaluate(*self.split.alpha_data)
        _, valid_acc = self.evaluate(self.data.x_valid, self.data.y_valid)
        derived = self.derive()
        return EpochReport(
            epoch=self.epoch,
            lr=trained.lr,
            train_loss=trained.loss,
            train_acc=trained.accuracy,
            search_valid_loss=search_loss,
            search_valid_acc=search_acc,
            valid_acc=valid_acc,
            seconds=time.perf_counter() - started,
            derived=derived,
            health=cell_health(self.supernet, derived),
            probabilities={cell: p.cpu().tolist() for cell, p in self.supernet.alphas.probabilities().items()},
        )

    def train_epoch(self) -> EpochTraining:
        """The search steps of one epoch, without measuring the supernet after it (a FedNAS client
        runs several, then aggregates, then measures). An epoch whose loss or parameters turn
        non-finite is undone (supernet and optimizers as before it) and raises TrialError."""
        self.epoch += 1
        lr = self.settings.lr(self.epoch)
        before = self._snapshot()
        train_loss, train_acc = self._train(lr)
        if not (math.isfinite(train_loss) and all(bool(torch.isfinite(p).all()) for p in self.supernet.parameters())):
            self._restore(before)
            raise TrialError(
                f"supernet epoch {self.epoch} diverged (training loss {train_loss}); its updates were undone"
            )
        return EpochTraining(lr, train_loss, train_acc)

    def _train(self, lr: float) -> tuple[float, float]:
        """One pass over the weight data, alternating alpha and weight steps; mean loss, accuracy %."""
        x_w, y_w = self.split.w_data
        x_a, y_a = self.split.alpha_data
        w_batches = epoch_batches(len(x_w), self.settings.batch_size, self.generator)
        a_batches = stream_batches(len(x_a), self.settings.batch_size, len(w_batches), self.generator)
        self.supernet.train()
        total = torch.zeros((), device=self.data.device)
        correct = torch.zeros((), device=self.data.device, dtype=torch.long)
        for w_batch, a_batch in zip(w_batches, a_batches):
            w_batch, a_batch = w_batch.to(self.data.device), a_batch.to(self.data.device)
            train = (x_w[w_batch], y_w[w_batch])
            loss, logits = self.step(train, (x_a[a_batch], y_a[a_batch]), lr)
            total += loss * len(w_batch)
            correct += self.criterion.correct(logits, train[1])
        seen = sum(len(b) for b in w_batches)
        return float(total) / seen, 100.0 * int(correct) / seen

    def step(self, train: Batch, valid: Batch, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
        """One search step (the supernet in training mode): an Adam step of the alphas with the
        architecture gradient on ``valid`` (and ``train``), then an SGD step of the weights on
        ``train`` at learning rate ``lr``. Returns the weight step's loss and logits, detached."""
        alphas = self.supernet.arch_parameters()
        for alpha, grad in zip(alphas, self.gradient(self.supernet, self.criterion, train, valid, lr)):
            alpha.grad = grad
        self.alpha_optimizer.step()
        return self.weight_step(train, lr)

    def weight_step(self, train: Batch, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
        """An SGD step of the weights on ``train`` at learning rate ``lr`` (gradients clipped);
        the loss and logits, detached."""
        for group in self.w_optimizer.param_groups:
            group["lr"] = lr
        self.w_optimizer.zero_grad(set_to_none=True)
        logits = self.supernet(train[0])
        loss = self.criterion(logits, train[1])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.supernet.weights(), self.settings.grad_clip)
        self.w_optimizer.step()
        return loss.detach(), logits.detach()

    def train_weights(self, lr: float) -> None:
        """One pass over the weight data with weight steps only (the alphas, or the fixed mixing
        that replaces them, stay as they are)."""
        x_w, y_w = self.split.w_data
        self.supernet.train()
        for batch in epoch_batches(len(x_w), self.settings.batch_size, self.generator):
            batch = batch.to(self.data.device)
            self.weight_step((x_w[batch], y_w[batch]), lr)

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """The supernet's mean loss and accuracy (%) on ``x, y``, in evaluation mode."""
        self.supernet.eval()
        total, correct = 0.0, 0
        for start in range(0, len(x), EVAL_BATCH_SIZE):
            logits = self.supernet(x[start : start + EVAL_BATCH_SIZE])
            target = y[start : start + EVAL_BATCH_SIZE]
            total += float(self.criterion(logits, target)) * len(target)
            correct += int(self.criterion.correct(logits, target))
        return total / len(x), 100.0 * correct / len(x)

    # -- state -------------------------------------------------------------------------------------
    def _trained_state(self) -> dict[str, Any]:
        return {
            "supernet": self.supernet.state_dict(),
            "w_optimizer": self.w_optimizer.state_dict(),
            "alpha_optimizer": self.alpha_optimizer.state_dict(),
        }

    def _snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self._trained_state())

    def _restore(self, snapshot: dict[str, Any]) -> None:
        self.supernet.load_state_dict(snapshot["supernet"])
        self.w_optimizer.load_state_dict(snapshot["w_optimizer"])
        self.alpha_optimizer.load_state_dict(snapshot["alpha_optimizer"])

    def state_dict(self) -> bytes:
        """Everything needed to continue exactly: weights, alphas, optimizers, batch order, epoch."""
        buffer = io.BytesIO()
        torch.save({**self._trained_state(), "generator": self.generator.get_state(), "epoch": self.epoch}, buffer)
        return buffer.getvalue()

    def load_state_dict(self, state: bytes) -> None:
        loaded = torch.load(io.BytesIO(state), map_location=self.data.device, weights_only=True)
        self._restore(loaded)
        self.generator.set_state(loaded["generator"].cpu())
        self.epoch = int(loaded["epoch"])
