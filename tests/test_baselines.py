"""The built-in baselines pass the conformance kit, and behave as their papers describe."""

import numpy as np

from nas_core.builtin.evolution import RegularizedEvolution
from nas_core.spaces.nb201 import NB201Space
from nas_core.testing import PluginConformance
from nas_core.types import Candidate, Result


class TestRandomSearch(PluginConformance):
    plugins = ("random",)


class TestRegularizedEvolution(PluginConformance):
    plugins = ("evolution",)
    bad_options = {"evolution_population": 1, "evolution_sample_size": 0}
    budget = 40  # past the random warm-up of the population


def test_evolution_is_random_until_the_population_is_full_then_mutates_tournament_winners() -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    evolution = RegularizedEvolution(space, np.random.default_rng(1), population=10, sample_size=3)
    members = [space.sample(rng) for _ in range(10)]
    for score, arch in enumerate(members):
        [proposal] = evolution.nas_propose(None, space, 1)
        assert proposal.origin == "evolution:random"
        evolution.nas_update(Candidate(arch), Result.complete(float(score)), None)

    children = [c for _ in range(400) for c in evolution.nas_propose(None, space, 1)]
    assert {c.origin for c in children} == {"evolution:mutation"}
    parents = []
    for child in children:
        adjacent = [i for i, m in enumerate(members) if sum(a != b for a, b in zip(m.ops, child.arch.ops)) == 1]
        assert adjacent, "a child must be one edge away from a population member"
        parents.append(max(adjacent))
    # The best member wins every tournament it enters: 1 - 0.9**3 = 27% of them, not 10%.
    assert 0.2 < parents.count(9) / len(parents) < 0.35


def test_evolution_ages_out_the_oldest_member() -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    evolution = RegularizedEvolution(space, rng, population=3, sample_size=2)
    archs = [space.sample(rng) for _ in range(4)]
    for arch in archs:
        evolution.nas_update(Candidate(arch), Result.complete(1.0), None)
    assert [a for a, _ in evolution.population] == archs[1:]
