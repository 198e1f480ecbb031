"""``--device auto|cpu|cuda|cuda:N``: nothing in nas assumes a GPU."""

from __future__ import annotations

import torch

from nas_core.errors import ConfigError


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
