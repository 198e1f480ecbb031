"""Deriving discrete architectures from mixing weights."""

from __future__ import annotations

import torch

from nas_core import NB201Cell

from nas_darts.derive import derive_darts_cell, derive_nb201
from nas_darts.names import DARTS_OPS, NB201_OPS


def test_nb201_takes_the_argmax_of_every_edge_none_included() -> None:
    weights = torch.full((6, 5), 0.1)
    chosen = ["none", "skip_connect", "nor_conv_3x3", "avg_pool_3x3", "nor_conv_1x1", "none"]
    for edge, op in enumerate(chosen):
        weights[edge, NB201_OPS.index(op)] = 0.6
    assert derive_nb201(weights, NB201_OPS) == NB201Cell(tuple(chosen))


def test_nb201_without_none_takes_the_strongest_other_op_where_none_wins() -> None:
    weights = torch.full((6, 5), 0.1)
    weights[:, NB201_OPS.index("none")] = 0.5
    runners_up = ["skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "nor_conv_3x3", "skip_connect"]
    for edge, op in enumerate(runners_up):
        weights[edge, NB201_OPS.index(op)] = 0.3
    weights[5, NB201_OPS.index("nor_conv_1x1")] = 0.6  # stronger than none: chosen either way
    assert derive_nb201(weights, NB201_OPS) == NB201Cell(("none",) * 5 + ("nor_conv_1x1",))
    assert derive_nb201(weights, NB201_OPS, none=False) == NB201Cell((*runners_up[:5], "nor_conv_1x1"))


def test_darts_keeps_the_two_strongest_inputs_per_node_ignoring_none() -> None:
    weights = torch.full((14, 8), 0.05)
    weights[:, DARTS_OPS.index("none")] = 0.9  # the strongest everywhere, never chosen
    sep3, dil5, skip = (DARTS_OPS.index(op) for op in ("sep_conv_3x3", "dil_conv_5x5", "skip_connect"))
    # node 2: edges 0, 1; node 3: 2..4; node 4: 5..8; node 5: 9..13
    strong = {0: sep3, 1: skip, 3: dil5, 4: sep3, 5: skip, 8: sep3, 11: dil5, 13: skip}
    for row, op in strong.items():
        weights[row, op] = 0.5
    weights[2, sep3] = 0.4  # node 3's weakest of three
    edges = derive_darts_cell(weights, DARTS_OPS)
    assert edges == (
        ("sep_conv_3x3", 0), ("skip_connect", 1),
        ("dil_conv_5x5", 1), ("sep_conv_3x3", 2),
        ("skip_connect", 0), ("sep_conv_3x3", 3),
        ("dil_conv_5x5", 2), ("skip_connect", 4),
    )  # fmt: skip
