"""``--train-*``: how the core's training estimator trains a candidate (torch-free, for options)."""

from __future__ import annotations

import math

from dataclasses import dataclass

from nas_core.settings import Settings, setting
from nas_core.training import LR_SCHEDULES, OPTIMIZERS


@dataclass(frozen=True)
class TrainSettings(Settings, prefix="train"):
    epochs: int = setting(20, "epochs per trial when a candidate names no fidelity", at_least=1)
    batch_size: int = setting(64, "mini-batch size", at_least=1)
    lr: float = setting(1e-3, "learning rate", above=0)
    optimizer: str = setting("adam", "adam, or sgd with Nesterov momentum 0.9", choices=OPTIMIZERS)
    lr_schedule: str = setting(
        "constant", "constant, or cosine: annealed from --train-lr to 0 over the epochs, so the last epoch's weights settle",
        choices=LR_SCHEDULES,
    )
    weight_decay: float = setting(0.0, "L2 weight decay", at_least=0)
    patience: int = setting(0, "early stopping patience in epochs (0: off)", at_least=0)
    # The estimator's, not one training's: it trains every candidate from this many seeds.
    repeats: int = setting(1, "train every candidate from this many seeds and average", at_least=1)


def cosine_lr(epoch: int, epochs: int, start: float, end: float) -> float:
    """The learning rate of 1-based ``epoch`` of ``epochs``, cosine-annealed from ``start`` (epoch 1)
    towards ``end`` (SGDR without restarts, as DARTS and the searches built like it use it)."""
    progress = min(epoch - 1, epochs) / epochs
    return end + (start - end) * (1 + math.cos(math.pi * progress)) / 2


def epoch_lr(settings: TrainSettings, epoch: int) -> float:
    """The learning rate of 1-based ``epoch`` under ``settings``' schedule."""
    if settings.lr_schedule == "cosine":
        return cosine_lr(epoch, settings.epochs, settings.lr, 0.0)
    return settings.lr
