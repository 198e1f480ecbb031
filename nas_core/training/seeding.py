"""Torch randomness drawn from one seed, without touching anyone else's stream."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded_torch(seed: int, device: torch.device | None = None) -> Iterator[None]:
    """Seed torch's global RNG for the block, and restore it after.

    What the block draws (initial weights, dropout masks) then depends on ``seed`` alone, not on
    what ran before, and what runs after does not depend on the block. On a CUDA ``device`` its
    generator is forked and restored too.
    """
    devices = [device.index or 0] if device is not None and device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def torch_generator(seed: int) -> torch.Generator:
    """A CPU generator of its own, seeded: for shuffles and noise that must not share a stream."""
    return torch.Generator().manual_seed(seed)
