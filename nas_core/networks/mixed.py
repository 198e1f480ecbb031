"""The mixed operation of a supernet edge: its candidate ops weighted by architecture parameters.

Two modes, one module:

- **full** (DARTS' continuous relaxation): ``sum_o w_o * o(x)`` over every candidate;
- **sampled paths** (ProxylessNAS' path sampling, k = 2 there): only the k candidates the caller
  drew (:func:`sample_paths`, from a distribution the caller chooses: ``softmax(alpha)`` for
  DARTS-like methods, anything else for budget-aware exploration as in NASIB) are computed, so an
  edge of 25-81 candidates holds the activations of k of them, not of all.

The sampled mode's alpha gradient is the **renormalised softmax over the sampled subset** S:
``sum_{i in S} (w_i / sum_{j in S} w_j) * o_i(x)``. Why this estimator:

- with k = N it *is* the full op (the weights sum to one): outputs and alpha gradients are equal,
  so a sampled search tends to DARTS' as k grows;
- the output keeps the full op's scale (the mixing weights still sum to one) whatever was drawn;
- with ``w = softmax(alpha)`` the ratio is the softmax of the sampled alphas alone, so the gradient
  reaches exactly the sampled alphas, moving them against each other, as ProxylessNAS' two-path
  update rescales the probabilities of the pair it sampled. A straight-through binary gate
  (ProxylessNAS' other estimator) differs from the full op even at k = N.

``none`` contributes ``w_none * 0``: it adds nothing to the output or to any gradient, so it is
not computed at all (its weight still counts, in the softmax and in the renormalisation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn


def sample_paths(distribution: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """``k`` distinct candidate indices drawn from ``distribution`` (one non-negative weight per
    candidate, not necessarily normalised) without replacement, in increasing order."""
    drawn = torch.multinomial(distribution.detach().float().cpu(), k, replacement=False, generator=generator)
    return drawn.sort().values


class MixedOp(nn.Module):
    """``sum_o w_o * o(x)`` over the ops of one edge, in the order of ``names``; or over the
    sampled ``paths`` only, with their weights renormalised (see the module docstring)."""

    def __init__(self, names: Sequence[str], make: Callable[[str], nn.Module]) -> None:
        super().__init__()
        self.names = tuple(names)
        self.index = [i for i, name in enumerate(self.names) if name != "none"]
        self.ops = nn.ModuleList([make(self.names[i]) for i in self.index])
        self._slot = {i: position for position, i in enumerate(self.index)}

    def forward(self, x: torch.Tensor, weights: torch.Tensor, paths: torch.Tensor | None = None) -> torch.Tensor:
        """``weights``: one value per name (a row of the softmax over this edge's alphas);
        ``paths``: the candidate indices to compute (:func:`sample_paths`), or None for all."""
        if paths is None:
            return torch.stack([weights[i] * op(x) for i, op in zip(self.index, self.ops)]).sum(0)
        drawn = [int(i) for i in paths]
        scale = weights[paths] / weights[paths].sum()
        terms = [s * self.ops[self._slot[i]](x) for s, i in zip(scale, drawn) if i in self._slot]
        if not terms:
            raise ValueError(f"the sampled paths {drawn} are all 'none': draw k >= 2 on an edge that has 'none'")
        return torch.stack(terms).sum(0)
