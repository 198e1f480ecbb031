"""Training throughput of nas's estimator vs a plain hand-written PyTorch loop, same network.

The network is a fixed NB201 cell (NB201's best on cifar10) in an NB201 network on digits. Both
sides train the same initial weights with the same batch order, Adam and per-epoch validation;
the plain loop is what one would write by hand. Runs alternate between the two, and the median
of the repeats is reported as training samples per second.

    python benchmarks/train_throughput.py --epochs 5 --repeats 5
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from nas_core.datasets.builtin import digits
from nas_core.registry import DatasetRequest
from nas_core.spaces.nb201 import NB201Cell, NB201Space
from nas_core.training.fit import DeviceData, fit
from nas_core.training.settings import TrainSettings

RESULTS = Path(__file__).resolve().parent / "results"
CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def plain_loop(model: nn.Module, data: DeviceData, epochs: int, batch_size: int, seed: int) -> float:
    """The hand-written baseline; returns seconds."""
    started = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(data.x_train), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(data.x_train[batch]), data.y_train[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            (model(data.x_valid).argmax(1) == data.y_valid).float().mean().item()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cells", type=int, default=1)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "train_throughput.json")
    args = parser.parse_args()
    data = DeviceData(digits(DatasetRequest(None, 0)), torch.device("cpu"))
    space = NB201Space(channels=args.channels, cells=args.cells)
    torch.manual_seed(0)
    initial = space.build(NB201Cell.from_str(CELL), data.dataset.input_shape, data.dataset.num_classes)
    settings = TrainSettings(epochs=args.epochs, batch_size=64, lr=1e-3)
    samples = args.epochs * len(data.x_train)
    ours, plain = [], []
    fit(copy.deepcopy(initial), data, TrainSettings(epochs=1), 0)  # warm up both code paths
    plain_loop(copy.deepcopy(initial), data, 1, 64, 0)
    for _ in range(args.repeats):
        ours.append(samples / fit(copy.deepcopy(initial), data, settings, 0).seconds)
        plain.append(samples / plain_loop(copy.deepcopy(initial), data, args.epochs, 64, 0))
    report = {
        "command": f"python benchmarks/train_throughput.py --epochs {args.epochs} --repeats {args.repeats} --cells {args.cells} --channels {args.channels}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "network": {"cell": CELL, "channels": args.channels, "cells_per_stage": args.cells, "dataset": "digits"},
        "nas_samples_per_s": statistics.median(ours),
        "plain_samples_per_s": statistics.median(plain),
        "nas_runs": ours,
        "plain_runs": plain,
        "overhead_percent": 100 * (statistics.median(plain) / statistics.median(ours) - 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
