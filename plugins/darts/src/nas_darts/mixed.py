"""The mixed operation: every candidate op on one edge, weighted by the softmax of its alphas."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn


class MixedOp(nn.Module):
    """``sum_o w_o * o(x)`` over the ops of one edge, in the order of ``names``.

    ``none`` contributes ``w_none * 0``: it adds nothing to the output or to any gradient, so it
    is not computed at all (its alpha still takes part in the softmax that makes the weights).
    """

    def __init__(self, names: Sequence[str], make: Callable[[str], nn.Module]) -> None:
        super().__init__()
        self.names = tuple(names)
        self.index = [i for i, name in enumerate(self.names) if name != "none"]
        self.ops = nn.ModuleList([make(self.names[i]) for i in self.index])

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """``weights``: one value per name (a row of the softmax over this edge's alphas)."""
        terms = [weights[i] * op(x) for i, op in zip(self.index, self.ops)]
        return torch.stack(terms).sum(0)
