"""From mixing weights to a discrete architecture (the last step of DARTS' Algorithm 1)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from nas_core import NB201Cell

from nas_darts.genotype import INPUTS, STEPS, CellEdges, DartsGenotype


def derive_nb201(weights: torch.Tensor, ops: Sequence[str], none: bool = True) -> NB201Cell:
    """The strongest op of every edge: ``none`` included (as NB201 derives DARTS' cells), or with
    ``none=False`` the strongest other op (as DARTS derives its own cells), so that no derived
    cell is cut off from its input."""
    usable = [i for i, op in enumerate(ops) if none or op != "none"]
    return NB201Cell(tuple(ops[usable[int(i)]] for i in weights[:, usable].argmax(dim=-1)))


def derive_darts_cell(weights: torch.Tensor, ops: Sequence[str]) -> CellEdges:
    """Per node, the two incoming edges whose strongest non-``none`` op weighs most, with that op.

    ``weights`` has one row per edge, nodes in order (node k has ``k + 2`` rows). Ties keep the
    lower input, as DARTS' stable sort does.
    """
    usable = [i for i, op in enumerate(ops) if op != "none"]
    strength, best = weights[:, usable].max(dim=-1)
    edges: list[tuple[str, int]] = []
    start = 0
    for node in range(STEPS):
        rows = range(start, start + node + INPUTS)
        chosen = sorted(rows, key=lambda r: -float(strength[r]))[:2]
        edges += [(ops[usable[int(best[r])]], r - start) for r in chosen]
        start += node + INPUTS
    return tuple(edges)


def derive_darts(normal: torch.Tensor, reduce: torch.Tensor, ops: Sequence[str]) -> DartsGenotype:
    return DartsGenotype.of(derive_darts_cell(normal, ops), derive_darts_cell(reduce, ops))
