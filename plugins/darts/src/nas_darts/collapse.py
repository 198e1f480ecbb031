"""The collapse watch: does the derived cell degenerate to parameter-free operations?

DARTS on NB201 ends with cells of skip connections (and pooling): the supernet's weights learn
faster through parameter-free paths, the alphas follow, and the derived cell collapses. Per
epoch we record what the literature tracks: the share of skip connections in the derived normal
cell, the mixing weight the supernet puts on skip, and the entropy of the alphas. A derived
NB201 cell can also collapse to ``none``: when ``none`` edges cut its output off from its input,
the cell computes zero whatever its other ops are (seen with second order on mnist1d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nas_core import Architecture

from nas_darts.names import PARAMETER_FREE
from nas_darts.supernet import Supernet


@dataclass(frozen=True)
class CellHealth:
    skip_fraction: float  # skip connections among the derived normal cell's edges
    parameter_free_fraction: float  # none, skip and pooling among them
    skip_weight: float  # mean softmax weight of skip over the supernet's normal-cell edges
    alpha_entropy: float  # mean entropy (nats) of the per-edge softmax, all cell types
    max_entropy: float  # log(number of ops): the entropy of uniform mixing
    cut_off: bool  # none edges cut the derived normal cell's output off from its input
    parametric_ops: int  # ops with weights in all derived cells: MiLeNAS' model size ("CNN count")

    @property
    def collapsed(self) -> bool:
        """The derived normal cell learns nothing: its ops are all parameter-free, or it computes zero."""
        return self.parameter_free_fraction == 1.0 or self.cut_off

    def metrics(self) -> dict[str, float]:
        return {
            "skip_fraction": self.skip_fraction,
            "parameter_free_fraction": self.parameter_free_fraction,
            "skip_weight": self.skip_weight,
            "alpha_entropy": self.alpha_entropy,
            "alpha_entropy_max": self.max_entropy,
            "cut_off": float(self.cut_off),
            "collapsed": float(self.collapsed),
            "parametric_ops": float(self.parametric_ops),
        }


def cell_health(supernet: Supernet, arch: Architecture) -> CellHealth:
    cells = supernet.cell_ops(arch)
    ops = cells["normal"]
    names = supernet.alphas.ops
    normal = supernet.alphas.probabilities()["normal"]
    return CellHealth(
        skip_fraction=sum(op == "skip_connect" for op in ops) / len(ops),
        parameter_free_fraction=sum(op in PARAMETER_FREE for op in ops) / len(ops),
        skip_weight=float(normal[:, names.index("skip_connect")].mean()),
        alpha_entropy=supernet.alphas.entropy(),
        max_entropy=math.log(len(names)),
        cut_off=supernet.cut_off(arch),
        parametric_ops=sum(op not in PARAMETER_FREE for cell in cells.values() for op in cell),
    )
