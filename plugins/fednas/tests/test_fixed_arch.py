"""``--fednas-fixed-arch``: FedAvg, the same rounds and local epochs on one architecture whose
discrete network the clients train, given as a cell string or as a study's answer."""

from __future__ import annotations

from pathlib import Path

from fednas_testing import TINY

import nas_core
from nas_core import NB201Cell, NB201Space, Status
from nas_fednas.weights import payload_bytes

ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SMALL = {"nb201_channels": 4, "nb201_cells": 1}


def _fedavg(arch: str, budget: int = 2):
    return nas_core.search(
        "fednas", space="nb201", dataset="digits", budget=budget, storage=":memory:", fednas_fixed_arch=arch, **TINY, **SMALL
    )  # fmt: skip


def test_fedavg_trains_the_given_cell_network_federatedly() -> None:
    study = _fedavg(ALL_CONV)
    cell = NB201Cell.from_str(ALL_CONV)
    assert [t.result.status for t in study.trials] == [Status.COMPLETE, Status.COMPLETE]
    assert all(t.candidate.arch == cell and t.candidate.origin == "fednas:fedavg" for t in study.trials)
    assert study.answer == cell
    metrics = study.trials[1].result.metrics
    network = NB201Space(channels=4, cells=1).build(cell, (1, 8, 8), 10)
    assert metrics["model_bytes"] == payload_bytes(network), "the clients exchange the discrete network, not a supernet"
    assert "alpha_entropy" not in metrics and "derived" not in study.trials[1].result.info
    assert metrics["train_acc"] > 10.0


def test_fedavg_takes_a_fednas_studys_answer(tmp_path: Path) -> None:
    searched = tmp_path / "fednas.db"
    answer = nas_core.search("fednas", space="nb201", dataset="digits", budget=1, storage=str(searched), **TINY, **SMALL).answer
    study = _fedavg(str(searched), budget=1)
    assert study.trials[0].candidate.arch == answer == study.answer
