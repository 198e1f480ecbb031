"""What the fednas tests share: tiny federations (2-3 client processes on digits, a supernet of 4
channels, one local epoch), and finding the client processes a test started."""

from __future__ import annotations

import os
from typing import Any

import psutil

TINY: dict[str, Any] = {
    "fednas_clients": 2,
    "fednas_rounds": 10,
    "fednas_local_epochs": 1,
    "fednas_timeout": 120.0,
    "darts_supernet_channels": 4,
    "darts_supernet_cells": 1,
    "darts_batch_size": 128,
}


def client_processes(root: int | None = None) -> list[psutil.Process]:
    """The fednas clients among the descendants of ``root`` (default: this process)."""
    found = []
    for child in psutil.Process(root or os.getpid()).children(recursive=True):
        try:
            if "nas_fednas.client" in " ".join(child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def client_of_rank(rank: int) -> psutil.Process:
    """The running client process of ``rank`` started by this process."""
    for process in client_processes():
        words = process.cmdline()
        if words[words.index("--rank") + 1] == str(rank):
            return process
    raise LookupError(f"no client of rank {rank} is running")
