"""The trainable generalized-operator space (paper III.A): operators, initializations, the blocker."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import kurtosis

from nas_core import ArchitectureError, Candidate, ConfigError, one_torch_thread

from nas_gpnas.generalized import GeneralizedCell, GeneralizedOp, GeneralizedSpace
from nas_gpnas.networks import initialize

CONV = "nor_conv_3x3"


def cell(*ops: str) -> GeneralizedCell:
    return GeneralizedCell(tuple(GeneralizedOp.parse(op) for op in ops))


def test_decisions_round_trip_and_ignored_choices_share_a_key() -> None:
    space = GeneralizedSpace(channels=4, cells=1)
    arch = space.sample(np.random.default_rng(0))
    assert space.from_decisions(space.to_decisions(arch)) == arch
    assert space.decode(arch.to_dict()) == arch
    a = cell(*["skip_connect/relu/uniform"] * 6)
    b = cell(*["skip_connect/tanh/gauss2"] * 6)  # a skip has neither activation nor weights
    assert a.key == b.key
    c = cell(*[f"{CONV}/relu/uniform"] * 6)
    d = cell(*[f"{CONV}/relu/gauss2"] * 6)
    assert c.key != d.key


def test_unknown_parts_are_refused() -> None:
    with pytest.raises(ArchitectureError, match="activation"):
        GeneralizedOp(CONV, "gelu", "uniform")


@pytest.mark.parametrize("scheme", ["uniform", "gauss", "gauss2"])
def test_initializations_share_the_variance_and_differ_in_shape(scheme: str) -> None:
    weight = torch.empty(256, 64, 3, 3)
    torch.manual_seed(0)
    initialize(weight, scheme, "relu")
    expected = 2.0 / (64 * 9)  # gain(relu)^2 / fan_in
    assert weight.var().item() == pytest.approx(expected, rel=0.05)
    excess = {"uniform": -1.2, "gauss": 0.0, "gauss2": 6.0}[scheme]
    assert kurtosis(weight.flatten().numpy()) == pytest.approx(excess, abs=1.0)


@pytest.fixture(autouse=True)
def _torch_on_one_thread():
    """Tiny networks on a shared machine: threads only contend (see nas_core.one_torch_thread)."""
    with one_torch_thread():
        yield


def test_networks_build_and_learn_a_batch() -> None:
    space = GeneralizedSpace(channels=4, cells=1)
    arch = cell(f"{CONV}/selu/gauss2", "avg_pool_3x3/elu/uniform", "skip_connect/relu/gauss", "none/relu/gauss",
                "nor_conv_1x1/tanh/gauss", f"{CONV}/relu/uniform")  # fmt: skip
    torch.manual_seed(0)
    net = space.build(arch, (1, 8, 8), 10)
    x, y = torch.randn(16, 1, 8, 8), torch.randint(0, 10, (16,))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_the_skip_blocker_drops_skip_outputs_only_inside_its_block() -> None:
    space = GeneralizedSpace(channels=4, cells=1)
    skips = cell(*["skip_connect/relu/gauss"] * 6)
    with space.skip_dropout(0.5):
        blocked = space.build(skips, (1, 8, 8), 3)
    free = space.build(skips, (1, 8, 8), 3)
    rates = lambda net: [m.p for m in net.modules() if isinstance(m, torch.nn.Dropout)]  # noqa: E731
    assert rates(blocked) and set(rates(blocked)) == {0.5}
    assert rates(free) == []
    with pytest.raises(ConfigError):
        with space.skip_dropout(1.0):
            pass


def test_the_space_applies_the_rate_a_candidate_carries() -> None:
    space = GeneralizedSpace(channels=4, cells=1)
    skips = cell(*["skip_connect/relu/gauss"] * 6)
    with space.building(Candidate(skips, meta={"skip_dropout": 0.25})):
        blocked = space.build(skips, (1, 8, 8), 3)
    with space.building(Candidate(skips)):
        free = space.build(skips, (1, 8, 8), 3)
    assert {m.p for m in blocked.modules() if isinstance(m, torch.nn.Dropout)} == {0.25}
    assert not any(isinstance(m, torch.nn.Dropout) for m in free.modules())


def test_the_graph_drops_absent_edges_like_nb201() -> None:
    space = GeneralizedSpace(channels=4, cells=1)
    arch = cell(*[f"{CONV}/relu/gauss"] * 3, *["none/relu/gauss"] * 3)
    graph = space.to_graph(arch)
    assert graph.num_nodes == 8
