"""Building a NAS dataset on real data with a one-shot supernet (paper 3.3 and 4.1.2).

Following NAO, the sampled architectures are trained together in one weight-sharing model: every
minibatch trains one of them, drawn at random, and afterwards each is evaluated on the
validation split with the shared weights. The paper's *improved parameter sharing* lets cells with
different numbers of nodes share: every cell of the supernet has ``max_nodes - 2`` node slots
holding one module per op, and a child with n intermediate nodes uses the first n slots (the
"minimum priority principle": the same first nodes of different architectures tend to compute
alike). Batch normalisation always uses batch statistics, since children that share weights
would otherwise share running statistics that fit none of them.

Defaults are section 4.1.2's: SGD with momentum 0.9, a single cosine period from 0.025, weight
decay 3e-4, drop-connection with keep probability 0.9 on every path, label smoothing 0.1, batch
96, 150 epochs; gradients are clipped at norm 5 as in NAO, whose settings the paper follows. The paper's data augmentation (random crops, flips) is not applied: the core's
datasets are small tensors, and flips would change digits and signals.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from nas_core import DeviceData, accuracy, loss_target, mflops, params_millions, seeded_torch
from nas_nag.dataset import NASRecord
from nas_nag.network import CellNetwork, make_op, sum_of
from nas_nag.opendomain import DAGCell, OpenDomainSpace
from nas_nag.settings import SupernetSettings


def drop_path(x: torch.Tensor, keep_prob: float) -> torch.Tensor:
    """Drop the whole path for some samples of the batch, rescaling the kept ones."""
    mask = torch.bernoulli(torch.full((x.shape[0],) + (1,) * (x.dim() - 1), keep_prob, device=x.device))
    return x * mask / keep_prob


class SharedCell(nn.Module):
    """A supernet cell: node slot k holds every op's module; child node k uses slot k."""

    def __init__(self, channels: int, max_nodes: int, ops: Sequence[str]) -> None:
        super().__init__()
        self.slots = nn.ModuleList(
            nn.ModuleDict({op: make_op(op, channels, track=False) for op in ops}) for _ in range(max_nodes - 2)
        )

    def forward(self, x: torch.Tensor, child: DAGCell, keep_prob: float) -> torch.Tensor:
        preds = child.predecessors()
        nodes = [x]

        def inputs(v: int) -> torch.Tensor:
            paths = nodes if not self.training or keep_prob >= 1 else [drop_path(n, keep_prob) for n in nodes]
            return sum_of(paths, preds[v])

        for v, op in enumerate(child.ops, start=1):
            nodes.append(self.slots[v - 1][op](inputs(v)))
        return inputs(len(preds) - 1)


class ChildView(nn.Module):
    """One child of the supernet as a plain model (for the core's accuracy function)."""

    def __init__(self, supernet: CellNetwork, child: DAGCell) -> None:
        super().__init__()
        self.supernet = supernet
        self.child = child

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.supernet(x, self.child, 1.0)


def supernet_for(space: OpenDomainSpace, input_shape: tuple[int, ...], num_classes: int) -> CellNetwork:
    return CellNetwork(
        lambda channels: SharedCell(channels, space.max_nodes, space.ops),
        input_shape, num_classes, space.channels, space.cells, space.stacks, track=False,
    )  # fmt: skip


@dataclass(frozen=True)
class SupernetDataset:
    records: list[NASRecord]
    seconds: float  # measured: training the supernet and evaluating every child


def build_with_supernet(
    space: OpenDomainSpace,
    data: DeviceData,
    pool: Sequence[DAGCell],
    settings: SupernetSettings,
    seed: int,
    with_flops: bool = False,
) -> SupernetDataset:
    """Train the supernet on ``pool`` (one random child per minibatch), then evaluate every child.

    Each record's objective is the child's validation accuracy with the shared weights; its
    metrics add the stand-alone network's params (and FLOPs when asked), which the params and
    FLOPs labels rank.
    """
    started = time.perf_counter()
    shape, classes = data.dataset.input_shape, data.dataset.num_classes
    with seeded_torch(seed, data.device):
        net = supernet_for(space, shape, classes).to(data.device)
        steps = -(-len(data.x_train) // settings.batch_size) * settings.epochs
        optimizer = torch.optim.SGD(net.parameters(), lr=settings.lr, momentum=0.9, weight_decay=settings.weight_decay)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
        criterion = nn.BCEWithLogitsLoss() if data.binary else nn.CrossEntropyLoss(label_smoothing=settings.label_smoothing)
        net.train()
        for _ in range(settings.epochs):
            order = torch.randperm(len(data.x_train)).to(data.device)
            for start in range(0, len(order), settings.batch_size):
                batch = order[start : start + settings.batch_size]
                child = pool[int(torch.randint(len(pool), ()))]
                optimizer.zero_grad(set_to_none=True)
                out = net(data.x_train[batch], child, settings.keep_prob)
                criterion(out, loss_target(data.y_train[batch], data.binary)).backward()
                nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                optimizer.step()
                schedule.step()
        records = []
        for child in pool:
            valid = accuracy(ChildView(net, child), data.x_valid, data.y_valid, data.binary)
            standalone = space.build(child, shape, classes)
            metrics = {"valid_acc": valid, "params": params_millions(standalone)}
            if with_flops:
                metrics["flops"] = mflops(standalone, shape, torch.device("cpu"))
            records.append(NASRecord(child, valid, metrics))
    return SupernetDataset(records, time.perf_counter() - started)
