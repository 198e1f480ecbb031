"""Architecture parameters: one row of alphas per edge and one alpha per candidate op."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

ALPHA_INIT_SCALE = 1e-3  # DARTS' initialisation: alpha = 1e-3 * N(0, 1), near-uniform mixing


class ArchitectureParameters(nn.Module):
    """The alphas of a supernet, one ``(edges, ops)`` tensor per cell type (``normal``, ``reduce``).

    Kept in their own module so optimizers, aggregation (FedNAS) and checkpoints can address them
    apart from the network weights. Draws from torch's global generator: seed it around creation.
    """

    def __init__(self, cells: Mapping[str, int], ops: Sequence[str], scale: float = ALPHA_INIT_SCALE) -> None:
        super().__init__()
        self.ops = tuple(ops)
        self.alpha = nn.ParameterDict(
            {cell: nn.Parameter(scale * torch.randn(edges, len(self.ops))) for cell, edges in cells.items()}
        )

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(self.alpha.keys())

    def weights(self, cell: str) -> torch.Tensor:
        """The mixing weights of one cell type: softmax over the ops of each edge (differentiable)."""
        return torch.softmax(self.alpha[cell], dim=-1)

    @torch.no_grad()
    def probabilities(self) -> dict[str, torch.Tensor]:
        """Detached mixing weights of every cell type."""
        return {cell: self.weights(cell).detach() for cell in self.cells}

    @torch.no_grad()
    def entropy(self) -> float:
        """Mean entropy (nats) of the per-edge op distributions; ``log(len(ops))`` is uniform."""
        rows = torch.cat([self.weights(cell) for cell in self.cells])
        return float(-(rows * torch.log(rows.clamp_min(1e-30))).sum(-1).mean())
