"""The built-in baselines pass the conformance kit, and behave as their papers describe."""

from types import SimpleNamespace

import numpy as np
import pytest

from nas_core.budget import Budget
from nas_core.builtin.evolution import RegularizedEvolution
from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.spaces.nb201 import NB201Space
from nas_core.testing import PluginConformance, require_data_dir
from nas_core.types import Candidate, Result


class TestRandomSearch(PluginConformance):
    plugins = ("random",)
    benchmark = "nb201"


class TestRegularizedEvolution(PluginConformance):
    plugins = ("evolution",)
    benchmark = "nb201"
    bad_options = {"evolution_population": 1, "evolution_sample_size": 0}
    budget = 40  # past the random warm-up of the population


def test_evolution_is_random_until_the_population_is_full_then_mutates_tournament_winners() -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    evolution = RegularizedEvolution(space, np.random.default_rng(1), population=10, sample_size=3)
    study = SimpleNamespace(sample=lambda rng, n: [space.sample(rng) for _ in range(n)])
    members = [space.sample(rng) for _ in range(10)]
    for score, arch in enumerate(members):
        [proposal] = evolution.nas_propose(study, space, 1)
        assert proposal.origin == "evolution:random"
        evolution.nas_update(Candidate(arch), Result.complete(float(score)), study)

    children = [c for _ in range(400) for c in evolution.nas_propose(study, space, 1)]
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


@pytest.mark.parametrize("strategy", ["random", "evolution", "hillclimb"])
def test_random_architectures_come_from_a_sampler_plugin_when_one_is_loaded(strategy: str) -> None:
    spec = RunSpec((strategy, "nastest_plugins.conv_sampler"), Budget(trials=10), benchmark="nb201",
                   dataset="cifar10", data_dir=require_data_dir())  # fmt: skip
    session = open_session(spec)
    session.run()
    drawn = [t for t in session.study.trials if t.candidate.origin.endswith(("random", "restart"))]
    session.close()
    assert drawn and all(t.candidate.arch.ops[0] == "nor_conv_3x3" for t in drawn)
