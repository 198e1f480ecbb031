"""A client's share of the data, as the bytes the server hands it (``np.savez``: arrays only, read
back without unpickling), and as the dataset the client trains and validates on."""

from __future__ import annotations

import io

import numpy as np
import torch

from nas_core import Dataset, DeviceData

from nas_fednas.partition import Partition
from nas_fednas.plan import ModelPlan


def pack_share(dataset: Dataset, partition: Partition, rank: int) -> bytes:
    train, valid = partition.train[rank], partition.valid[rank]
    buffer = io.BytesIO()
    np.savez(
        buffer, x_train=dataset.x_train[train], y_train=dataset.y_train[train],
        x_valid=dataset.x_valid[valid], y_valid=dataset.y_valid[valid],
    )  # fmt: skip
    return buffer.getvalue()


def unpack_share(data: bytes, plan: ModelPlan, rank: int) -> DeviceData:
    """The client's training split (its weight and alpha data) and validation split; no test split
    (the server holds it)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        x_train, y_train, x_valid, y_valid = (arrays[name] for name in ("x_train", "y_train", "x_valid", "y_valid"))
    share = Dataset(
        name=f"client {rank}",
        x_train=x_train, y_train=y_train, x_valid=x_valid, y_valid=y_valid,
        x_test=np.zeros((0, *plan.input_shape), np.float32), y_test=np.zeros(0, np.int64),
        mean=np.zeros(1, np.float32), std=np.ones(1, np.float32), num_classes=plan.num_classes,
    )  # fmt: skip
    return DeviceData(share, torch.device("cpu"))
