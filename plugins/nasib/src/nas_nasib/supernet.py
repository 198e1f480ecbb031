"""The NASIB supernet: every layer a mixed op over all candidates (the core's :class:`MixedOp`),
of which only the paths drawn for the batch are computed.

Two mixings of the drawn paths, one per step of the alternation (section 3.2):

- ``"uniform"`` (the weight step, eq. 1): the drawn ops' outputs averaged, alphas untouched. The
  paper sums them; the mean keeps the output's scale whatever the number of paths, and the mixed
  op renormalises whatever weights it is given, so the mean is what it computes from equal ones;
- ``"alphas"`` (the alpha step, eq. 2): weighted by softmax(alpha), renormalised over the drawn
  paths, so the gradient moves the drawn alphas against each other (see :mod:`MixedOp
  <nas_core.networks.mixed>`). With every candidate drawn it is eq. 2 exactly.

Without drawn paths (``paths=None``) every candidate is computed: the full mixed op, which the
memory benchmark compares with the sampled one.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nas_core import MixedOp

from nas_nasib.network import ChainBackbone, kernel_op

MIXINGS = ("uniform", "alphas")


class NasibSupernet(ChainBackbone):
    def __init__(
        self,
        candidates: Sequence[str],
        layers: int,
        input_shape: tuple[int, ...],
        num_classes: int,
        channels: int,
        start: Sequence[float],
    ) -> None:
        dims = len(input_shape) - 1
        self.candidates = tuple(candidates)

        def mixed(index: int, width: int) -> MixedOp:
            return MixedOp(self.candidates, lambda token: kernel_op(token, width, dims))

        super().__init__(layers, input_shape, num_classes, channels, mixed)
        self.alphas = nn.Parameter(torch.tensor([list(start)] * layers, dtype=torch.float32))
        self.paths: list[torch.Tensor] | None = None
        self.mixing = "alphas"

    def arch_parameters(self) -> list[nn.Parameter]:
        return [self.alphas]

    def weights(self) -> list[nn.Parameter]:
        return [p for name, p in self.named_parameters() if name != "alphas"]

    def use(self, paths: list[torch.Tensor] | None, mixing: str) -> None:
        """Compute ``paths`` (one index tensor per layer; None: every candidate), mixed by ``mixing``."""
        if mixing not in MIXINGS:
            raise ValueError(f"unknown mixing {mixing!r} (choose from {', '.join(MIXINGS)})")
        self.paths = paths
        self.mixing = mixing

    def run_layer(self, index: int, layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
        paths = None if self.paths is None else self.paths[index]
        alphas = self.alphas[index]
        if self.mixing == "uniform":
            weights = torch.full((len(self.candidates),), 1.0 / len(self.candidates), device=x.device)
        elif paths is None:
            weights = torch.softmax(alphas, dim=-1)
        else:
            # exp(alpha), which the mixed op renormalises over the drawn paths: the softmax of the
            # drawn alphas alone. Through a full softmax the undrawn alphas' gradient is zero only
            # up to rounding, and Adam would turn that rounding into full-sized steps.
            weights = torch.exp(alphas - alphas.detach().max())
        return layer(x, weights, paths)

    def strongest(self) -> list[torch.Tensor]:
        """Each layer's highest-alpha candidate, as paths (the derived network inside the supernet)."""
        return [row.argmax().reshape(1).cpu() for row in self.alphas.detach()]

    def derive(self) -> tuple[str, ...]:
        """The answer: each layer's highest-alpha candidate."""
        return tuple(self.candidates[int(row.argmax())] for row in self.alphas.detach())
