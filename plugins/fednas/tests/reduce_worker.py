"""One rank of the all-reduce test: ``python reduce_worker.py PORT RANK WEIGHT,WEIGHT,...``.

Builds a small model whose state depends on its rank, aggregates it with the plugin's weighted
all-reduce over gloo, and puts the result in the test's store under ``result/RANK``.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn

from nas_fednas.channel import Channel, join_store
from nas_fednas.weights import state_bytes, weighted_all_reduce


def ranked_model(rank: int) -> nn.Module:
    """Linear weights, BatchNorm statistics and batch counter, each a function of the rank."""
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        for i, tensor in enumerate(model.state_dict().values()):
            tensor.copy_(torch.full_like(tensor, 10 * rank + i) if tensor.is_floating_point() else torch.tensor(7 * rank))
    return model


def main() -> None:
    port, rank, weights = int(sys.argv[1]), int(sys.argv[2]), [float(w) for w in sys.argv[3].split(",")]
    torch.set_num_threads(1)
    store = join_store("127.0.0.1", port, timeout=60)
    dist.init_process_group("gloo", store=dist.PrefixStore("gloo", store), rank=rank, world_size=len(weights), timeout=timedelta(seconds=60))
    model = ranked_model(rank)
    weighted_all_reduce(model, weights[rank])
    Channel(store).put(f"result/{rank}", state_bytes(model))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
