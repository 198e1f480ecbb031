"""Supernets: every edge a mixed operation, weighted by the softmax of the architecture alphas.

- :class:`NB201Supernet`: the NB201 skeleton of the core's networks (stem, ``cells`` cells per
  stage, residual reductions between the three stages), every cell the same 6 mixed edges over
  NB201's 5 ops. Only the normal cell is searched: NB201's reductions are fixed residual blocks.
- :class:`DartsSupernet`: DARTS' search network (:mod:`nas_darts.network`), mixed edges over the
  8 DARTS ops, one set of alphas shared by the normal cells and one by the reduction cells.

Both derive the discrete architecture of the search space they belong to, so what the supernet
finds is what the core builds and retrains.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable

import torch
from torch import nn

from nas_core import (
    Architecture, ConfigError, MixedOp, NB201Cell, NB201Space, NB201_EDGES, NB201_NUM_NODES,
    ResidualReduction, SearchSpace, output_units, sample_paths,
)

from nas_darts.alphas import ArchitectureParameters
from nas_darts.derive import derive_darts, derive_nb201
from nas_darts.genotype import INPUTS, STEPS, DartsGenotype
from nas_darts.network import CellInputs, CellPlan, edge_stride, image_shape, make_head, make_stem, plan_cells
from nas_darts.names import DARTS_OPS, NB201_OPS
from nas_darts.ops import Stride, darts_op, nb201_op, reduction_stride
from nas_darts.space import DartsCellSpace


PathPicker = Callable[[torch.Tensor], "torch.Tensor | None"]  # an edge's weights -> the paths to compute


class Supernet(nn.Module, ABC):
    """A network over all architectures of a cell space at once.

    The network weights (:meth:`weights`) and the alphas (:attr:`alphas`, :meth:`arch_parameters`)
    are disjoint parameter sets: DARTS-style methods optimise them with different losses.
    """

    alphas: ArchitectureParameters
    paths: int = 0  # sampled-paths mode: candidates computed per edge and training batch (0: all)
    path_generator: torch.Generator | None = None
    # Mixing weights that replace softmax(alpha) of a cell type (perturbation-based selection
    # removes one op of an edge, or fixes an edge to its chosen op); empty during a search.
    fixed_mixing: dict[str, torch.Tensor]

    def __init__(self) -> None:
        super().__init__()
        self.fixed_mixing = {}

    def mixing(self, cell: str) -> torch.Tensor:
        """The mixing weights of one cell type's edges in this forward."""
        fixed = self.fixed_mixing.get(cell)
        return self.alphas.weights(cell) if fixed is None else fixed

    def sample_paths(self, k: int, generator: torch.Generator) -> None:
        """Sampled-paths mode (ProxylessNAS, k = 2): in training mode every edge computes only k
        candidates per forward, drawn from its softmax(alpha) with ``generator`` (the core's
        ``MixedOp`` renormalises their weights); evaluation mode mixes every candidate. 0: off."""
        if k and not 2 <= k <= len(self.alphas.ops):
            raise ConfigError(f"--darts-paths must be 0 or in [2, {len(self.alphas.ops)}] (the ops of an edge), got {k}")
        self.paths, self.path_generator = k, generator

    def pick_paths(self, weights: torch.Tensor) -> torch.Tensor | None:
        """The candidates one edge computes in this forward (None: all of them)."""
        if not (self.training and self.paths):
            return None
        return sample_paths(weights, self.paths, self.path_generator)

    def weights(self) -> list[nn.Parameter]:
        """Every parameter except the alphas."""
        alpha_ids = {id(p) for p in self.alphas.parameters()}
        return [p for p in self.parameters() if id(p) not in alpha_ids]

    def arch_parameters(self) -> list[nn.Parameter]:
        return list(self.alphas.parameters())

    @abstractmethod
    def derive(self, none: bool = True) -> Architecture:
        """The discrete architecture the current alphas stand for; ``none=False`` never picks
        ``none`` for an edge (a DARTS cell never does: its derivation drops ``none`` always)."""

    @abstractmethod
    def cell_ops(self, arch: Architecture) -> dict[str, tuple[str, ...]]:
        """The operations of each cell type of a derived architecture (for the collapse watch)."""

    def cut_off(self, arch: Architecture) -> bool:
        """Whether a derived normal cell's output is cut off from its input by ``none`` edges
        (the cell computes zero). Spaces whose derivation excludes ``none`` never are."""
        return False


class NB201SearchCell(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(
            [MixedOp(NB201_OPS, lambda op: nb201_op(op, channels, affine=False)) for _ in NB201_EDGES]
        )

    def forward(self, x: torch.Tensor, weights: torch.Tensor, pick: PathPicker) -> torch.Tensor:
        nodes = [x]
        for node in range(1, NB201_NUM_NODES):
            terms = [self.edges[e](nodes[i], weights[e], pick(weights[e])) for e, (i, j) in enumerate(NB201_EDGES) if j == node]
            nodes.append(torch.stack(terms).sum(0))
        return nodes[-1]


class NB201Supernet(Supernet):
    def __init__(self, input_shape: tuple[int, ...], num_classes: int, channels: int = 16, cells: int = 5) -> None:
        super().__init__()
        self.alphas = ArchitectureParameters({"normal": len(NB201_EDGES)}, NB201_OPS)
        c_in, height, width = image_shape(input_shape)
        stem: list[nn.Module] = [nn.Unflatten(1, (c_in, 1))] if len(input_shape) == 2 else []
        self.stem = nn.Sequential(*stem, nn.Conv2d(c_in, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                stride = reduction_stride(height, width)
                layers.append(ResidualReduction(c, 2 * c, stride))
                height, width, c = math.ceil(height / stride[0]), math.ceil(width / stride[1]), 2 * c
            layers += [NB201SearchCell(c) for _ in range(cells)]
        self.layers = nn.ModuleList(layers)
        self.head = nn.Sequential(
            nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, output_units(num_classes))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.mixing("normal")
        x = self.stem(x)
        for layer in self.layers:
            x = layer(x, weights, self.pick_paths) if isinstance(layer, NB201SearchCell) else layer(x)
        return self.head(x)

    def derive(self, none: bool = True) -> NB201Cell:
        return derive_nb201(self.alphas.probabilities()["normal"], NB201_OPS, none)

    def cell_ops(self, arch: Architecture) -> dict[str, tuple[str, ...]]:
        assert isinstance(arch, NB201Cell)
        return {"normal": arch.ops}

    def cut_off(self, arch: Architecture) -> bool:
        # The core's canonical key of a cell whose input cannot reach its output is "nb201:zero".
        return arch.key == "nb201:zero"


def _darts_search_op(name: str, channels: int, stride: Stride) -> nn.Module:
    """DARTS' search ops: pooling gets a (non-affine) BN so its scale matches the convolutions'."""
    op = darts_op(name, channels, stride, affine=False)
    return nn.Sequential(op, nn.BatchNorm2d(channels, affine=False)) if "pool" in name else op


class DartsSearchCell(nn.Module):
    """All ``k + 2`` incoming edges of every node k are mixed; node = sum of its mixed edges."""

    def __init__(self, plan: CellPlan) -> None:
        super().__init__()
        self.inputs = CellInputs(plan, affine=False)
        self.edges = nn.ModuleList()
        for node in range(STEPS):
            for source in range(node + INPUTS):
                stride = edge_stride(plan, source)
                self.edges.append(MixedOp(DARTS_OPS, lambda op, s=stride: _darts_search_op(op, plan.channels, s)))

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor, pick: PathPicker) -> torch.Tensor:
        states = self.inputs(s0, s1)
        offset = 0
        for _ in range(STEPS):
            terms = [self.edges[offset + j](h, weights[offset + j], pick(weights[offset + j])) for j, h in enumerate(states)]
            offset += len(states)
            states.append(torch.stack(terms).sum(0))
        return torch.cat(states[INPUTS:], dim=1)


DARTS_EDGES = sum(node + INPUTS for node in range(STEPS))  # 14 mixed edges per cell


class DartsSupernet(Supernet):
    def __init__(self, input_shape: tuple[int, ...], num_classes: int, channels: int = 16, layers: int = 8) -> None:
        super().__init__()
        self.alphas = ArchitectureParameters({"normal": DARTS_EDGES, "reduce": DARTS_EDGES}, DARTS_OPS)
        plans = plan_cells(input_shape, channels, layers)
        self.reductions = [plan.reduction for plan in plans]
        self.stem = make_stem(input_shape, channels)
        self.cells = nn.ModuleList([DartsSearchCell(plan) for plan in plans])
        self.head = make_head(plans[-1].output_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normal, reduce = self.mixing("normal"), self.mixing("reduce")
        s0 = s1 = self.stem(x)
        for cell, reduction in zip(self.cells, self.reductions):
            s0, s1 = s1, cell(s0, s1, reduce if reduction else normal, self.pick_paths)
        return self.head(s1)

    def derive(self, none: bool = True) -> DartsGenotype:
        weights = self.alphas.probabilities()
        return derive_darts(weights["normal"], weights["reduce"], DARTS_OPS)

    def cell_ops(self, arch: Architecture) -> dict[str, tuple[str, ...]]:
        assert isinstance(arch, DartsGenotype)
        return {name: tuple(op for op, _ in arch.cell(name)) for name in ("normal", "reduce")}


def build_supernet(space: SearchSpace, input_shape: tuple[int, ...], num_classes: int) -> Supernet:
    """The supernet of a cell space, sized like the networks the space builds.

    Weights and alphas come from torch's global generator: seed it (``torch.random.fork_rng``)
    around the call for a reproducible supernet.
    """
    if isinstance(space, NB201Space):
        return NB201Supernet(input_shape, num_classes, space.channels, space.cells)
    if isinstance(space, DartsCellSpace):
        return DartsSupernet(input_shape, num_classes, space.channels, space.layers)
    raise ConfigError(f"differentiable search needs a cell space with a supernet (--space nb201 or darts), not '{space.name}'")

