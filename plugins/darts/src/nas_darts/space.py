"""The DARTS cell space as a nas search space (``--space darts``).

Besides what DARTS itself needs (decoding, building), it samples, mutates, lists neighbours and
offers a fixed list of categorical decisions, so every other strategy (random search, evolution,
BOHB, ...) can search the same space and be compared with DARTS on equal terms.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from nas_core import (
    Architecture, ArchitectureError, ConfigError, Decision, SearchSpace, check_decisions,
)

from nas_darts.genotype import CELL_TYPES, GENOTYPE_OPS, INPUTS, STEPS, CellEdges, DartsGenotype

if TYPE_CHECKING:
    import torch


def _pairs(node: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(node + INPUTS), 2))


class DartsCellSpace(SearchSpace):
    """Every DARTS genotype; networks of ``layers`` cells starting at ``channels`` channels.

    DARTS searched with 8 cells of 16 channels and evaluated 20 cells of 36 channels; the space's
    options set both the supernet and the networks that ``nas retrain`` builds.
    """

    name = "darts"

    def __init__(self, channels: int = 16, layers: int = 8) -> None:
        if channels < 1:
            raise ConfigError(f"--darts-channels must be at least 1, got {channels}")
        if layers < 3:
            raise ConfigError(f"--darts-layers must be at least 3 (two of them reduce), got {layers}")
        self.channels = channels
        self.layers = layers

    def decode(self, data: Mapping[str, Any]) -> DartsGenotype:
        return DartsGenotype.from_dict(data)

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, DartsGenotype):
            raise ArchitectureError(f"{self.name} expects a DartsGenotype, got {type(arch).__name__}")

    @property
    def size(self) -> int:
        per_cell = math.prod(len(_pairs(node)) * len(GENOTYPE_OPS) ** 2 for node in range(STEPS))
        return per_cell ** len(CELL_TYPES)

    def sample(self, rng: np.random.Generator) -> DartsGenotype:
        cells = []
        for _ in CELL_TYPES:
            edges = []
            for node in range(STEPS):
                inputs = rng.choice(node + INPUTS, size=2, replace=False)
                ops = rng.integers(len(GENOTYPE_OPS), size=2)
                edges += [(GENOTYPE_OPS[int(o)], int(i)) for o, i in zip(ops, inputs)]
            cells.append(edges)
        return DartsGenotype.of(*cells)

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> DartsGenotype:
        """Change one edge of one cell: its op, or (where another node is free) its input."""
        assert isinstance(arch, DartsGenotype)
        cell_name = CELL_TYPES[int(rng.integers(len(CELL_TYPES)))]
        edges = list(arch.cell(cell_name))
        position = int(rng.integers(len(edges)))
        op, source = edges[position]
        node = position // 2
        taken = {s for _, s in edges[2 * node : 2 * node + 2]}
        free = [i for i in range(node + INPUTS) if i not in taken]
        if free and rng.random() < 0.5:
            edges[position] = (op, free[int(rng.integers(len(free)))])
        else:
            others = [o for o in GENOTYPE_OPS if o != op]
            edges[position] = (others[int(rng.integers(len(others)))], source)
        return self._with_cell(arch, cell_name, edges)

    def neighbours(self, arch: Architecture) -> list[DartsGenotype]:
        assert isinstance(arch, DartsGenotype)
        found = []
        for cell_name in CELL_TYPES:
            edges = arch.cell(cell_name)
            for position, (op, source) in enumerate(edges):
                node = position // 2
                taken = {s for _, s in edges[2 * node : 2 * node + 2]}
                changes = [(o, source) for o in GENOTYPE_OPS if o != op]
                changes += [(op, i) for i in range(node + INPUTS) if i not in taken]
                for change in changes:
                    varied = list(edges)
                    varied[position] = change
                    found.append(self._with_cell(arch, cell_name, varied))
        return found

    def decisions(self) -> tuple[Decision, ...]:
        out = []
        for cell_name in CELL_TYPES:
            for node in range(STEPS):
                prefix = f"{cell_name}_node{node + INPUTS}"
                out.append(Decision(f"{prefix}_inputs", tuple(f"{a}+{b}" for a, b in _pairs(node))))
                out += [Decision(f"{prefix}_op{k}", GENOTYPE_OPS) for k in range(2)]
        return tuple(out)

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        assert isinstance(arch, DartsGenotype)
        values = []
        for cell_name in CELL_TYPES:
            edges = arch.cell(cell_name)
            for node in range(STEPS):
                (op_a, a), (op_b, b) = edges[2 * node : 2 * node + 2]
                values += [f"{a}+{b}", op_a, op_b]
        return tuple(values)

    def from_decisions(self, values: Sequence[str]) -> DartsGenotype:
        values = check_decisions(self, values)
        cells = []
        for c in range(len(CELL_TYPES)):
            edges = []
            for node in range(STEPS):
                inputs, op_a, op_b = values[3 * (c * STEPS + node) : 3 * (c * STEPS + node) + 3]
                a, b = (int(i) for i in inputs.split("+"))
                edges += [(op_a, a), (op_b, b)]
            cells.append(edges)
        return DartsGenotype.of(*cells)

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_darts.network import DartsNetwork

        assert isinstance(arch, DartsGenotype)
        return DartsNetwork(arch, input_shape, num_classes, self.channels, self.layers)

    @staticmethod
    def _with_cell(arch: DartsGenotype, cell_name: str, edges: Sequence[tuple[str, int]]) -> DartsGenotype:
        cells: dict[str, CellEdges | Sequence[tuple[str, int]]] = {"normal": arch.normal, "reduce": arch.reduce}
        cells[cell_name] = edges
        return DartsGenotype.of(cells["normal"], cells["reduce"])
