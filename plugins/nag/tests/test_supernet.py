"""The one-shot supernet: improved parameter sharing, and NAS records from shared weights."""

import numpy as np
import pytest
import torch

from nas_core.testing import digits
from nas_core import DatasetRequest, DeviceData
from nas_nag.opendomain import DAGCell, OpenDomainSpace
from nas_nag.settings import SupernetSettings
from nas_nag.supernet import SharedCell, build_with_supernet


def test_a_child_with_n_nodes_uses_the_first_n_node_slots() -> None:
    cell = SharedCell(channels=2, max_nodes=6, ops=OpenDomainSpace().ops)
    child = DAGCell(("sep_conv_3x3", "sep_conv_5x5"), ((0, 1), (1, 2), (2, 3)))
    cell(torch.randn(2, 2, 4, 4), child, 1.0).sum().backward()
    used = {(k, op) for k, op in enumerate(child.ops)}
    for k, slot in enumerate(cell.slots):
        for op, module in slot.items():
            grads = [p.grad for p in module.parameters()]
            if (k, op) in used:
                assert all(g is not None for g in grads)
            else:
                assert all(g is None for g in grads)


def test_records_come_from_the_shared_weights_with_stand_alone_params() -> None:
    space = OpenDomainSpace(max_nodes=5, channels=4, cells=1, stacks=2)
    data = DeviceData(digits(DatasetRequest(None, 0)), torch.device("cpu"))
    rng = np.random.default_rng(0)
    pool = [space.sample(rng) for _ in range(4)]
    settings = SupernetSettings(epochs=1, batch_size=256)
    first = build_with_supernet(space, data, pool, settings, seed=3, with_flops=True)
    again = build_with_supernet(space, data, pool, settings, seed=3)
    assert [r.arch for r in first.records] == pool
    assert [r.objective for r in first.records] == [r.objective for r in again.records]
    for record in first.records:
        assert 0 <= record.objective <= 100 and record.metrics["valid_acc"] == record.objective
        built = space.build(record.arch, (1, 8, 8), 10)
        assert record.metrics["params"] == pytest.approx(sum(p.numel() for p in built.parameters()) / 1e6)
        assert record.metrics["flops"] > 0
    assert first.seconds > 0
