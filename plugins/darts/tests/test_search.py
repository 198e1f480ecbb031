"""The search engine: exact resumption for every gradient, divergence undone, the schedule,
and the collapse watch."""

from __future__ import annotations

import math

import pytest
import torch

from nas_core import ConfigError, NB201Space, TrialError

from nas_darts.collapse import cell_health
from nas_darts.names import METHODS, NB201_OPS
from nas_darts.search import SupernetSearch
from nas_darts.settings import PAPER_ALPHA_STEPS, SearchSettings

SPACE = NB201Space(channels=2, cells=1)


def _search(data, method: str = "first-order", seed: int = 0, paths: int = 0) -> SupernetSearch:
    settings = SearchSettings(method=method, batch_size=256, epochs=10, schedule="paper", paths=paths)
    return SupernetSearch.create(SPACE, data, settings, seed)


@pytest.mark.parametrize("method, paths", [*((m, 0) for m in METHODS), ("milenas", 2)])
def test_a_search_restored_from_its_state_continues_bit_for_bit(digits_data, method: str, paths: int) -> None:
    straight = _search(digits_data, method, paths=paths)
    straight.run_epoch()
    state = straight.state_dict()
    expected = straight.run_epoch()
    resumed = _search(digits_data, method, paths=paths)  # a new process would build it from the seed, then load
    resumed.load_state_dict(state)
    again = resumed.run_epoch()
    assert again.metrics() == expected.metrics() and again.derived == expected.derived
    for p, q in zip(straight.supernet.state_dict().values(), resumed.supernet.state_dict().values()):
        assert torch.equal(p, q)


def test_a_diverging_epoch_is_undone_and_the_search_goes_on(fresh_digits) -> None:
    search = _search(fresh_digits)
    search.run_epoch()
    before = {k: v.clone() for k, v in search.supernet.state_dict().items()}
    fresh_digits.x_train[0, 0, 0, 0] = float("nan")  # a sample of the weight data
    with pytest.raises(TrialError, match="epoch 2 diverged"):
        search.run_epoch()
    assert all(torch.equal(before[k], v) for k, v in search.supernet.state_dict().items())
    fresh_digits.x_train[0, 0, 0, 0] = 0.0
    report = search.run_epoch()
    assert report.epoch == 3 and math.isfinite(report.valid_acc)


def test_the_weight_learning_rate_anneals_from_its_start_to_its_floor() -> None:
    settings = SearchSettings(epochs=50)
    assert settings.lr(1) == pytest.approx(0.025)
    assert settings.lr(26) == pytest.approx((0.025 + 0.001) / 2)
    assert settings.lr(51) == pytest.approx(0.001) and settings.lr(80) == pytest.approx(0.001)


def test_the_collapse_watch_sees_an_all_skip_cell(digits_data) -> None:
    search = _search(digits_data)
    net = search.supernet
    with torch.no_grad():
        net.alphas.alpha["normal"].zero_()
        assert cell_health(net, net.derive()).alpha_entropy == pytest.approx(math.log(len(NB201_OPS)))
        net.alphas.alpha["normal"][:, NB201_OPS.index("skip_connect")] = 3.0
    health = cell_health(net, net.derive())
    assert health.collapsed and health.skip_fraction == 1.0 and health.parameter_free_fraction == 1.0
    assert health.skip_weight == pytest.approx(math.exp(3) / (math.exp(3) + 4))
    with torch.no_grad():
        net.alphas.alpha["normal"][0, NB201_OPS.index("nor_conv_3x3")] = 5.0
    assert not cell_health(net, net.derive()).collapsed


def test_a_cell_cut_off_by_none_counts_as_collapsed(digits_data) -> None:
    """Second order on mnist1d derived this cell: only 2->3 has an op, node 2 receives nothing."""
    net = _search(digits_data).supernet
    with torch.no_grad():
        net.alphas.alpha["normal"].zero_()
        net.alphas.alpha["normal"][:, NB201_OPS.index("none")] = 3.0
        net.alphas.alpha["normal"][5, NB201_OPS.index("nor_conv_1x1")] = 5.0
    health = cell_health(net, net.derive())
    assert health.cut_off and health.collapsed and health.parameter_free_fraction == pytest.approx(5 / 6)
    with torch.no_grad():
        net.alphas.alpha["normal"][3, NB201_OPS.index("nor_conv_3x3")] = 5.0  # edge 0 -> 3 reconnects the cell
    health = cell_health(net, net.derive())
    assert not health.cut_off and not health.collapsed


def test_deriving_without_none_changes_the_answers_not_the_search(digits_data) -> None:
    """The rule only reads the alphas: both searches train alike and derive alike but for none."""
    from dataclasses import replace

    searches = [_search(digits_data), _search(digits_data)]
    searches[1].settings = replace(searches[1].settings, derive_none=False)
    with torch.no_grad():
        for search in searches:  # none strongest on every edge but 2 -> 3
            search.supernet.alphas.alpha["normal"][:, NB201_OPS.index("none")] = 3.0
            search.supernet.alphas.alpha["normal"][5, NB201_OPS.index("nor_conv_1x1")] = 5.0
    reports = [search.run_epoch() for search in searches]
    trained = ("valid_acc", "search_valid_acc", "train_acc", "train_loss")
    assert [{k: r.metrics()[k] for k in trained} for r in reports] == [{k: reports[0].metrics()[k] for k in trained}] * 2
    assert torch.equal(*(s.supernet.alphas.alpha["normal"] for s in searches))
    assert "none" in reports[0].derived.ops and "none" not in reports[1].derived.ops
    assert reports[0].health.cut_off and not reports[1].health.cut_off
    assert reports[1].derived == searches[1].supernet.derive(none=False)


def test_the_cpu_schedule_scales_the_alpha_rate_to_darts_alpha_travel_and_shrinks_the_supernet(digits_data) -> None:
    """digits: 538 weight samples make 9 alpha steps an epoch (the last batch holds 26)."""
    settings = SearchSettings(epochs=10, supernet_channels=2, supernet_cells=1)
    search = SupernetSearch.create(NB201Space(channels=16, cells=5), digits_data, settings, 0)
    assert search.alpha_lr == pytest.approx(3 * 3e-4 * PAPER_ALPHA_STEPS / (10 * 9))  # --darts-alpha-travel 3
    assert search.alpha_optimizer.param_groups[0]["lr"] == search.alpha_lr
    assert len(search.supernet.layers) == 3 * 1 + 2  # one cell per stage and the two reductions
    paper = SupernetSearch.create(SPACE, digits_data, SearchSettings(schedule="paper"), 0)
    assert paper.alpha_lr == 3e-4 and len(paper.supernet.layers) == 3 * SPACE.cells + 2


def test_sampled_paths_compute_k_ops_per_edge_in_training_and_all_in_evaluation(digits_data) -> None:
    net = _search(digits_data, "milenas", paths=2).supernet
    calls: list[int] = []
    for cell in net.layers:
        for edge in getattr(cell, "edges", []):
            for op in edge.ops:
                op.register_forward_hook(lambda *_: calls.append(1))
    edges = 3 * SPACE.cells * 6
    net.train()
    net(digits_data.x_train[:8])
    assert edges <= len(calls) <= 2 * edges  # two paths per edge, one of them maybe none (not computed)
    calls.clear()
    net.eval()
    net(digits_data.x_train[:8])
    assert len(calls) == 4 * edges  # every op but none


@pytest.mark.parametrize("changes, message", [
    ({"paths": 2, "method": "second-order"}, "first-order gradient"),
    ({"size_stop": True}, "--darts-size-ops"),
])
def test_settings_that_cannot_work_together_are_refused(changes, message) -> None:
    with pytest.raises(ConfigError, match=message):
        SearchSettings(**changes)
