"""Which candidates a layer computes for a batch: NASIB's two policies and their schedule (3.3).

- P1 (exploration): ``softmax(-freq)`` over how often each candidate was sampled so far, so the
  least sampled come first (eq. 3);
- P2 (exploitation): ``softmax(alpha / lambda)`` with a low temperature lambda (eq. 4).

Every layer, every batch, picks P1 with probability p (else P2) and draws ``paths`` distinct
candidates from the chosen distribution. p falls over the search's n epochs: epoch i (1-based)
uses ``p = beta^(i-1)``, ``beta = exp(ln k / n)``, so the first epoch explores only (p = 1, the
paper's initialisation) and p would reach k after epoch n.

Frequencies count draws (both policies'); they are integers in the search's saved state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from nas_core import sample_paths

# A floor under each drawing probability: a hard softmax (frequencies far apart, a low lambda)
# leaves fewer non-zero entries than paths to draw, which torch.multinomial refuses. Candidates
# more than ln(1e30) ~ 69 nats below the top are thus equally (un)likely among themselves; the
# floor only decides draws the softmax left practically no mass for.
FLOOR = 1e-30


@dataclass(frozen=True)
class Schedule:
    """P1's probability per epoch for a search of ``epochs`` epochs ending at ``final_p``."""

    epochs: int
    final_p: float

    @property
    def beta(self) -> float:
        return math.exp(math.log(self.final_p) / self.epochs)

    def p(self, epoch: int) -> float:
        """P1's probability in 1-based ``epoch``."""
        return self.beta ** (epoch - 1)


def exploring(frequencies: torch.Tensor, log_prior: torch.Tensor) -> torch.Tensor:
    """P1's distribution: softmax(-freq), tilted by the prior's log-weights."""
    return torch.softmax(log_prior - frequencies.double(), dim=-1)


def exploiting(alphas: torch.Tensor, temperature: float) -> torch.Tensor:
    """P2's distribution: softmax(alpha / lambda)."""
    return torch.softmax(alphas.detach().double() / temperature, dim=-1)


class PathSampler:
    """Draws each layer's paths for a batch and counts every candidate's draws."""

    def __init__(self, layers: int, candidates: int, paths: int, log_prior: torch.Tensor) -> None:
        if paths > candidates:
            raise ValueError(f"cannot draw {paths} distinct paths from {candidates} candidates")
        self.paths = paths
        self.log_prior = log_prior.double()
        self.frequencies = torch.zeros(layers, candidates, dtype=torch.long)

    def draw(
        self, alphas: torch.Tensor, p: float, temperature: float, generator: torch.Generator
    ) -> tuple[list[torch.Tensor], int]:
        """Paths per layer (sorted indices) and how many layers explored (chose P1)."""
        drawn, explored = [], 0
        choices = torch.rand(len(self.frequencies), generator=generator, dtype=torch.float64)
        for layer, coin in enumerate(choices):
            if float(coin) < p:
                distribution = exploring(self.frequencies[layer], self.log_prior)
                explored += 1
            else:
                distribution = exploiting(alphas[layer], temperature)
            picked = sample_paths(distribution.clamp_min(FLOOR), self.paths, generator)
            self.frequencies[layer, picked] += 1
            drawn.append(picked)
        return drawn, explored
