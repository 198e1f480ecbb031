"""A model's state between processes: as bytes (saved with the study, read back without unpickling
anything but tensors), and aggregated by a sample-weighted all-reduce.

Aggregation is FedNAS' server step done by the clients together: each client scales every
floating-point entry of its ``state_dict()`` (network weights w, architecture alphas, BatchNorm
running statistics) by ``N_k / N`` and one all-reduce sums them, so every client ends the round
holding ``sum_k (N_k / N) x_k``, bit for bit the same everywhere. Integer buffers (BatchNorm's
batch counters, which its running averages do not use at a fixed momentum) take the largest
client's value, so every client's state is the same.
"""

from __future__ import annotations

import io

import torch
import torch.distributed as dist
from torch import nn


def state_bytes(module: nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    return buffer.getvalue()


def load_state_bytes(module: nn.Module, data: bytes) -> None:
    module.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))


def payload_bytes(module: nn.Module) -> int:
    """Bytes of a model's state as a client sends it in a round (and receives it back)."""
    return sum(t.numel() * t.element_size() for t in module.state_dict().values())


@torch.no_grad()
def weighted_all_reduce(module: nn.Module, weight: float) -> None:
    """Replace ``module``'s state by the sum over all ranks of ``weight`` x their state (in place)."""
    entries = list(module.state_dict().values())
    floats = [t for t in entries if t.is_floating_point()]
    counters = [t for t in entries if not t.is_floating_point()]
    _all_reduce_into(floats, dist.ReduceOp.SUM, weight)
    if counters:
        _all_reduce_into(counters, dist.ReduceOp.MAX, None)


def _all_reduce_into(tensors: list[torch.Tensor], op: dist.ReduceOp, scale: float | None) -> None:
    flat = torch.cat([t.reshape(-1) for t in tensors])
    if scale is not None:
        flat.mul_(scale)
    dist.all_reduce(flat, op=op)
    offset = 0
    for t in tensors:
        t.copy_(flat[offset : offset + t.numel()].view_as(t))
        offset += t.numel()
