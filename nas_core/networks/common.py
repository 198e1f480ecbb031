"""Pieces every built network shares: the output layer's width and input standardization."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def output_units(num_classes: int) -> int:
    """One logit (sigmoid) for binary tasks, one per class (softmax) otherwise, as in MLPNAS."""
    return 1 if num_classes == 2 else num_classes


class Standardize(nn.Module):
    """``(x - mean) / std`` with the training split's statistics, so a model takes raw inputs."""

    def __init__(self, mean: np.ndarray | torch.Tensor, std: np.ndarray | torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean), dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(np.asarray(std), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def with_standardization(net: nn.Module, mean: np.ndarray, std: np.ndarray) -> nn.Sequential:
    """The deployable model: raw inputs in, logits out."""
    return nn.Sequential(Standardize(mean, std), net)
