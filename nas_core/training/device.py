"""``--device auto|cpu|cuda|cuda:N``: nothing in nas assumes a GPU; and CPU threads for tiny work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from nas_core.datasets.base import Dataset
from nas_core.errors import ConfigError
from nas_core.training.fit import DeviceData


def resolve_device(text: str) -> torch.device:
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(text)
    except (RuntimeError, ValueError):
        raise ConfigError(f"unknown --device {text!r} (use auto, cpu, cuda or cuda:N)") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"--device {text}: no CUDA device is available on this machine (use cpu or auto)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ConfigError(f"--device {text}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    elif device.type != "cpu":
        raise ConfigError(f"unsupported --device {text!r} (use auto, cpu, cuda or cuda:N)")
    return device


def device_data(dataset: Dataset, device: str) -> DeviceData:
    """``dataset``'s splits as tensors on the device ``--device`` names."""
    return DeviceData(dataset, resolve_device(device))


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread for the block, then restore the previous count.

    For the tiny models methods keep beside the search (controllers, predictors, surrogates):
    their kernels are microseconds of work, and spreading them over threads only adds waiting,
    most of all on a machine whose cores are busy training children (measured: an LSTM
    controller's NB201 sample took 71 ms on 2 threads, 3 ms on one; a GCN predictor's 20 fit
    steps 25 s against 0.23 s on a loaded 2-core host).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
