"""``--darts-*``: the search's hyper-parameters, torch-free so options are declared without torch."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nas_core import Settings, setting

from nas_darts.names import METHODS


@dataclass(frozen=True)
class SearchSettings(Settings, prefix="darts"):
    """Hyper-parameters of the search; defaults are DARTS' (CIFAR-10 search, Liu et al. 2019, A.1.1)."""

    method: str = setting("second-order", "architecture gradient: DARTS first/second order, or MiLeNAS mixed-level", choices=METHODS)
    epochs: int = setting(50, "supernet epochs: the cosine schedule's length and the search's end (DARTS: 50)", above=0)
    batch_size: int = setting(64, "mini-batch of weight and of alpha data (DARTS: 64)", above=0)
    w_lr: float = setting(0.025, "initial SGD learning rate of the weights (DARTS: 0.025)", above=0)
    w_lr_min: float = setting(0.001, "cosine-annealed down to this (DARTS: 0.001)", at_least=0)
    w_momentum: float = setting(0.9, "SGD momentum of the weights (DARTS: 0.9)", at_least=0, below=1)
    w_weight_decay: float = setting(3e-4, "weight decay of the weights (DARTS: 3e-4)", at_least=0)
    grad_clip: float = setting(5.0, "gradient norm clipping of the weights (DARTS: 5)", above=0)
    alpha_lr: float = setting(3e-4, "Adam learning rate of the alphas (DARTS: 3e-4)", above=0)
    alpha_weight_decay: float = setting(1e-3, "weight decay of the alphas (DARTS: 1e-3)", at_least=0)
    train_portion: float = setting(0.5, "share of the training split that trains weights; the rest trains alphas (DARTS: 0.5)", above=0, below=1)
    milenas_lambda: float = setting(1.0, "MiLeNAS: alpha descends L_train + lambda * L_val (MiLeNAS: 1)", at_least=0)  # He et al. 2020

    def lr(self, epoch: int) -> float:
        """Weight learning rate of 1-based ``epoch``: cosine from ``w_lr`` (epoch 1) towards ``w_lr_min``."""
        progress = min(epoch - 1, self.epochs) / self.epochs
        return self.w_lr_min + (self.w_lr - self.w_lr_min) * (1 + math.cos(math.pi * progress)) / 2
