"""The data protocol of differentiable (bi-level) searches, DARTS' and those built like it
(NASIB): the training split is cut in two, one part trains the weights, the other (the search's
"validation" data) the alphas; the dataset's own validation split is never seen by the search and
measures the supernet after every epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from nas_core.errors import ConfigError
from nas_core.training.fit import DeviceData, loss_target, make_loss

MIN_BATCH = 2  # batch norm in training mode needs more than one sample


@dataclass(frozen=True, eq=False)
class SearchSplit:
    """The two halves of the training split (DARTS: the first ``portion`` trains w, the rest alpha);
    ``option`` is the flag that set ``portion``, named when it leaves no room for either half.

    The core's splits are stratified and shuffled, so contiguous parts are random parts, as
    CIFAR-10's file order is in DARTS.
    """

    data: DeviceData
    portion: float
    option: str = "--darts-train-portion"

    def __post_init__(self) -> None:
        n = len(self.data.x_train)
        if not 0 < self.portion < 1 or self.cut < MIN_BATCH or n - self.cut < MIN_BATCH:
            raise ConfigError(
                f"{self.option} {self.portion} leaves no room for both weight and alpha data "
                f"among {n} training samples (use a value in (0, 1))"
            )

    @property
    def cut(self) -> int:
        return math.floor(self.portion * len(self.data.x_train))

    @property
    def w_data(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.data.x_train[: self.cut], self.data.y_train[: self.cut]

    @property
    def alpha_data(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.data.x_train[self.cut :], self.data.y_train[self.cut :]


def epoch_batches(n: int, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """One shuffled pass over ``n`` samples (a last batch too small for batch norm is dropped)."""
    order = torch.randperm(n, generator=generator)
    return [b for b in order.split(batch_size) if len(b) >= MIN_BATCH]


def batch_count(n: int, batch_size: int) -> int:
    """How many batches :func:`epoch_batches` makes of ``n`` samples (= alpha steps per epoch)."""
    full, rest = divmod(n, batch_size)
    return full + (rest >= MIN_BATCH)


def stream_batches(n: int, batch_size: int, count: int, generator: torch.Generator) -> list[torch.Tensor]:
    """``count`` batches from back-to-back shuffled passes over ``n`` samples (alpha data may be
    smaller than weight data when the portion is above one half)."""
    needed = count * batch_size
    passes = [torch.randperm(n, generator=generator) for _ in range(math.ceil(needed / n))]
    return list(torch.cat(passes)[:needed].split(batch_size))


class SearchCriterion:
    """The task's loss on logits (binary: one logit with BCE; else cross-entropy), and accuracy."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary
        self._loss = make_loss(binary)

    def __call__(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._loss(logits, loss_target(y, self.binary))

    def correct(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        predicted = (logits[:, 0] > 0).long() if self.binary else logits.argmax(1)
        return (predicted == y).sum()
