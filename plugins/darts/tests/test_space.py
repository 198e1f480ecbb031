"""The DARTS genotype (canonical key, validation, JSON) and the DARTS cell space."""

from __future__ import annotations

import numpy as np
import pytest

from nas_core import ArchitectureError, Capability

from nas_darts.genotype import DartsGenotype
from nas_darts.space import DartsCellSpace

# DARTS-V2, the published second-order genotype on CIFAR-10
NORMAL = [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
          ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)]  # fmt: skip
REDUCE = [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
          ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)]  # fmt: skip


def test_json_round_trip_and_darts_notation() -> None:
    genotype = DartsGenotype.of(NORMAL, REDUCE)
    assert DartsGenotype.from_dict(genotype.to_dict()) == genotype
    assert str(genotype).startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")


def test_key_ignores_pair_order_and_renumbered_nodes() -> None:
    genotype = DartsGenotype.of(NORMAL, REDUCE)
    swapped_pair = DartsGenotype.of([NORMAL[1], NORMAL[0], *NORMAL[2:]], REDUCE)
    assert swapped_pair == genotype
    # nodes 2 and 3 of this cell read only the cell inputs: exchanging them is an isomorphism
    cell = [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("dil_conv_5x5", 0), ("max_pool_3x3", 1),
            ("skip_connect", 2), ("sep_conv_5x5", 3), ("avg_pool_3x3", 0), ("dil_conv_3x3", 4)]  # fmt: skip
    renamed = [cell[2], cell[3], cell[0], cell[1], ("skip_connect", 3), ("sep_conv_5x5", 2), cell[6], cell[7]]
    a, b = DartsGenotype.of(cell, REDUCE), DartsGenotype.of(renamed, REDUCE)
    assert a != b and a.key == b.key
    different = DartsGenotype.of([("sep_conv_5x5", 0), *cell[1:]], REDUCE)
    assert different.key != a.key


@pytest.mark.parametrize(
    "normal, message",
    [
        (NORMAL[:6], "8 edges"),
        ([("none", 0), *NORMAL[1:]], "unknown DARTS op"),
        ([*NORMAL[:2], ("sep_conv_3x3", 3), *NORMAL[3:]], "cannot take input from node 3"),
        ([("sep_conv_3x3", 1), *NORMAL[1:]], "twice"),
    ],
)
def test_invalid_cells_are_refused(normal, message) -> None:
    with pytest.raises(ArchitectureError, match=message):
        DartsGenotype.of(normal, REDUCE)


def test_space_offers_sampling_mutation_neighbours_decisions_and_build() -> None:
    space = DartsCellSpace(channels=4, layers=3)
    assert {Capability.SAMPLE, Capability.MUTATE, Capability.NEIGHBOURS, Capability.CONFIGSPACE, Capability.BUILD} <= space.capabilities
    assert space.size == (1 * 3 * 6 * 10 * 7**8) ** 2  # input pairs per node x 7 ops per edge
    rng = np.random.default_rng(0)
    for _ in range(20):
        arch = space.sample(rng)
        space.validate(arch)
        assert space.decode(arch.to_dict()) == arch
        assert space.from_decisions(space.to_decisions(arch)) == arch
        mutant = space.mutate(arch, rng)
        assert sum(a != b for a, b in zip(space.to_decisions(arch), space.to_decisions(mutant))) >= 1
    genotype = DartsGenotype.of(NORMAL, REDUCE)
    neighbours = space.neighbours(genotype)
    # per cell: 8 edges x 6 other ops, plus the free inputs: node 2 none, 3 one per edge, 4 two, 5 three
    assert len(neighbours) == 2 * (8 * 6 + 2 * (0 + 1 + 2 + 3))
    assert all(n != genotype for n in neighbours)
    config = space.to_configspace(seed=0).sample_configuration()
    space.validate(space.from_configuration(config))
