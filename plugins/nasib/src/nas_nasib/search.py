"""One NASIB search, an epoch at a time: the engine behind the ``nasib`` strategy.

Every batch, each layer draws its paths (:mod:`nas_nasib.policy`); then the weights take an SGD
step on a batch of weight data with the drawn ops averaged (eq. 1), and the alphas an Adam step on
a batch of alpha data with the drawn ops weighted by softmax(alpha) (eq. 2), the same paths in
both. After the epoch the derived network (each layer's highest-alpha kernel, inside the
supernet's weights) is measured on the dataset's validation split, which the search never trains on.

The search's length n decides P1's schedule and the weights' cosine learning rate. It is given
(an epoch budget) or calibrated (a time budget: n = floor(budget / the first epoch's time); the
first epoch explores only whatever n turns out to be, so it can run before n is known). Everything
that decides the rest of the search (weights, alphas, optimizers, the generator, the frequency
counters, n, beta and the calibration) is in :meth:`NasibSearch.state_dict`, so a resumed search
continues exactly, with the same schedule.
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
    DeviceData, EVAL_BATCH_SIZE, SearchCriterion, SearchSplit, TrialError, epoch_batches, seeded_torch, stable_seed,
    stream_batches, torch_generator,
)

from nas_nasib.policy import PathSampler, Schedule
from nas_nasib.settings import NasibSettings
from nas_nasib.space import NasibSpace
from nas_nasib.supernet import NasibSupernet

ALPHA_BETAS = (0.5, 0.999)


def calibrated_epochs(budget_seconds: float, epoch_seconds: float, epoch_cap: int | None = None) -> int:
    """n = floor(budget / epoch time) (section 3.1), at least the one epoch that was timed, at
    most ``epoch_cap`` (an epoch budget given beside the time budget)."""
    n = max(1, math.floor(budget_seconds / max(epoch_seconds, 1e-9)))
    return n if epoch_cap is None else min(n, epoch_cap)


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    p: float  # P1's probability this epoch
    explored: float  # share of the layer-batches that chose P1
    lr: float
    train_loss: float  # weight data, during the epoch
    train_acc: float
    valid_acc: float  # the derived network in the supernet's weights, dataset's validation split
    seconds: float
    derived: tuple[str, ...]
    probabilities: list[list[float]]  # softmax(alpha) per layer, after the epoch

    def metrics(self) -> dict[str, float]:
        return {
            "valid_acc": self.valid_acc,
            "train_acc": self.train_acc,
            "train_loss": self.train_loss,
            "epoch": float(self.epoch),
            "p_explore": self.p,
            "explored": self.explored,
            "lr": self.lr,
        }


class NasibSearch:
    def __init__(
        self, space: NasibSpace, data: DeviceData, settings: NasibSettings, seed: int, prior: list[float], epochs: int | None
    ) -> None:
        space.require_shape(data.dataset.input_shape)
        log_prior = torch.tensor(prior, dtype=torch.float64).log()  # alphas start at ln(weight)
        with seeded_torch(stable_seed(seed, "nasib", "init"), data.device):
            supernet = NasibSupernet(
                space.candidates, space.layers, data.dataset.input_shape, data.dataset.num_classes, space.channels, log_prior.tolist()
            )
        self.supernet = supernet.to(data.device)
        self.data = data
        self.settings = settings
        self.split = SearchSplit(data, settings.train_portion, "--nasib-train-portion")
        self.criterion = SearchCriterion(data.binary)
        self.w_optimizer = torch.optim.SGD(
            self.supernet.weights(), lr=settings.w_lr, momentum=settings.w_momentum, weight_decay=settings.w_weight_decay
        )
        # No weight decay on the alphas: Adam would normalise the decay of undrawn alphas into
        # full-sized steps, pulling every one of them (and the priors) to zero each batch.
        self.alpha_optimizer = torch.optim.Adam(self.supernet.arch_parameters(), lr=settings.alpha_lr, betas=ALPHA_BETAS)
        self.sampler = PathSampler(space.layers, len(space.candidates), min(settings.paths, len(space.candidates)), log_prior)
        self.generator = torch_generator(stable_seed(seed, "nasib", "batches"))
        self.epochs = epochs  # n; None until the first epoch calibrates it
        self.calibration_seconds: float | None = None
        self.epoch = 0

    @property
    def schedule(self) -> Schedule | None:
        return None if self.epochs is None else Schedule(self.epochs, self.settings.final_p)

    def calibrate(self, budget_seconds: float, epoch_seconds: float, epoch_cap: int | None) -> None:
        """Fix n from the first epoch's time (once: a resumed search keeps its n)."""
        if self.epochs is None:
            self.calibration_seconds = epoch_seconds
            self.epochs = calibrated_epochs(budget_seconds, epoch_seconds, epoch_cap)

    # -- one epoch ---------------------------------------------------------------------------------
    def run_epoch(self) -> EpochReport:
        started = time.perf_counter()
        self.epoch += 1
        schedule = self.schedule
        p = 1.0 if schedule is None else schedule.p(self.epoch)
        lr = self.settings.lr(self.epoch, self.epochs or 1) if schedule else self.settings.w_lr
        before = self._snapshot()
        loss, acc, explored = self._train(p, lr)
        if not (math.isfinite(loss) and all(bool(torch.isfinite(w).all()) for w in self.supernet.parameters())):
            self._restore(before)
            raise TrialError(f"NASIB epoch {self.epoch} diverged (training loss {loss}); its updates were undone")
        valid_acc = self.evaluate(self.data.x_valid, self.data.y_valid)
        return EpochReport(
            epoch=self.epoch, p=p, explored=explored, lr=lr, train_loss=loss, train_acc=acc, valid_acc=valid_acc,
            seconds=time.perf_counter() - started, derived=self.supernet.derive(),
            probabilities=torch.softmax(self.supernet.alphas.detach(), dim=-1).cpu().tolist(),
        )  # fmt: skip

    def _train(self, p: float, lr: float) -> tuple[float, float, float]:
        """One pass over the weight data; mean loss, accuracy % and the share of P1 choices."""
        x_w, y_w = self.split.w_data
        x_a, y_a = self.split.alpha_data
        w_batches = epoch_batches(len(x_w), self.settings.batch_size, self.generator)
        a_batches = stream_batches(len(x_a), self.settings.batch_size, len(w_batches), self.generator)
        for group in self.w_optimizer.param_groups:
            group["lr"] = lr
        self.supernet.train()
        total, correct, explored = 0.0, 0, 0
        for w_batch, a_batch in zip(w_batches, a_batches):
            paths, chose_p1 = self.sampler.draw(self.supernet.alphas, p, self.settings.lambda_, self.generator)
            explored += chose_p1
            w_batch, a_batch = w_batch.to(self.data.device), a_batch.to(self.data.device)
            loss, logits = self.step(paths, (x_w[w_batch], y_w[w_batch]), (x_a[a_batch], y_a[a_batch]))
            total += float(loss) * len(w_batch)
            correct += int(self.criterion.correct(logits, y_w[w_batch]))
        seen = sum(len(b) for b in w_batches)
        return total / seen, 100.0 * correct / seen, explored / (len(w_batches) * len(self.supernet.layers))

    def step(
        self, paths: list[torch.Tensor], train: tuple[torch.Tensor, torch.Tensor], valid: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The weight step (eq. 1) on ``train``, then the alpha step (eq. 2) on ``valid``, both over
        ``paths``. Returns the weight step's loss and logits, detached."""
        self.supernet.use(paths, "uniform")
        self.w_optimizer.zero_grad(set_to_none=True)
        logits = self.supernet(train[0])
        loss = self.criterion(logits, train[1])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.supernet.weights(), self.settings.grad_clip)
        self.w_optimizer.step()
        self.supernet.use(paths, "alphas")
        self.alpha_optimizer.zero_grad(set_to_none=True)
        alpha_loss = self.criterion(self.supernet(valid[0]), valid[1])
        (alpha,) = self.supernet.arch_parameters()
        alpha.grad = torch.autograd.grad(alpha_loss, alpha)[0]
        self.alpha_optimizer.step()
        return loss.detach(), logits.detach()

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Accuracy (%) of the derived network inside the supernet. Batch norm normalises with the
        batch's statistics (training mode, no gradient): the running statistics were gathered
        under whatever paths were drawn upstream, not under the derived ones."""
        self.supernet.train()
        self.supernet.use(self.supernet.strongest(), "alphas")
        correct = 0
        for start in range(0, len(x), EVAL_BATCH_SIZE):
            correct += int(self.criterion.correct(self.supernet(x[start : start + EVAL_BATCH_SIZE]), y[start : start + EVAL_BATCH_SIZE]))
        return 100.0 * correct / len(x)

    # -- state -------------------------------------------------------------------------------------
    def _trained_state(self) -> dict[str, Any]:
        return {
            "supernet": self.supernet.state_dict(),
            "w_optimizer": self.w_optimizer.state_dict(),
            "alpha_optimizer": self.alpha_optimizer.state_dict(),
        }

    def _snapshot(self) -> dict[str, Any]:
        return copy.deepcopy({**self._trained_state(), "frequencies": self.sampler.frequencies.clone()})

    def _restore(self, snapshot: dict[str, Any]) -> None:
        self.supernet.load_state_dict(snapshot["supernet"])
        self.w_optimizer.load_state_dict(snapshot["w_optimizer"])
        self.alpha_optimizer.load_state_dict(snapshot["alpha_optimizer"])
        self.sampler.frequencies = snapshot["frequencies"].clone()

    def state_dict(self) -> dict[str, Any]:
        """The tensors as a torch file (weights-only), the schedule and the counters as plain data."""
        buffer = io.BytesIO()
        torch.save({**self._trained_state(), "generator": self.generator.get_state()}, buffer)
        return {
            "trained": buffer.getvalue(),
            "frequencies": self.sampler.frequencies.tolist(),
            "epoch": self.epoch,
            "epochs": self.epochs,
            "beta": None if self.schedule is None else self.schedule.beta,
            "calibration_seconds": self.calibration_seconds,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        loaded = torch.load(io.BytesIO(state["trained"]), map_location=self.data.device, weights_only=True)
        self._restore({**loaded, "frequencies": torch.tensor(state["frequencies"], dtype=torch.long)})
        self.generator.set_state(loaded["generator"].cpu())
        self.epoch = int(state["epoch"])
        self.epochs = state["epochs"]
        self.calibration_seconds = state["calibration_seconds"]
