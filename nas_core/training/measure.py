"""Size, compute and speed of a network: what reports next to accuracy."""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def params_millions(model: nn.Module) -> float:
    return sum(p.numel() for p in model.parameters()) / 1e6


@torch.no_grad()
def mflops(model: nn.Module, input_shape: tuple[int, ...], device: torch.device) -> float:
    """Millions of multiply-adds for one input (NB201's convention; torch counts 2 per MAC)."""
    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, *input_shape, device=device))
    return counter.get_total_flops() / 2e6


@torch.no_grad()
def latency_ms(model: nn.Module, input_shape: tuple[int, ...], device: torch.device, repeats: int = 20) -> float:
    """Median wall time of one forward pass of a single input on ``device``."""
    model.eval()
    x = torch.zeros(1, *input_shape, device=device)
    for _ in range(3):
        model(x)
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        started = time.perf_counter()
        model(x)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)
