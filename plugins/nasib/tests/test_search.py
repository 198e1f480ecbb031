"""NASIB searches end to end on tiny budgets: the supernet's mixed ops, the budget, resuming, the
answer retrained and exported."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nas_core import Budget, ConfigError, DeviceData, RunSpec, load_exported, open_session, retrain, summarize
from nas_core.testing import PluginConformance

from nas_nasib.priors import prior_weights, read_prior
from nas_nasib.search import NasibSearch
from nas_nasib.settings import NasibSettings
from nas_nasib.space import NasibSpace
from nas_nasib.supernet import NasibSupernet

TINY = {"nasib_layers": 2, "nasib_m": 3, "nasib_channels": 4, "nasib_batch_size": 256}


def _spec(budget: Budget, **options) -> RunSpec:
    return RunSpec(plugins=("nasib",), budget=budget, dataset="digits", space="nasib", options={**TINY, **options}, device="cpu")


_run = PluginConformance().search  # a search of a spec in a study file, its trials


def test_drawing_every_candidate_is_the_full_mixed_op() -> None:
    candidates = NasibSpace(layers=2, m=2).candidates
    torch.manual_seed(0)
    net = NasibSupernet(candidates, 2, (1, 8, 8), 10, 4, [0.0] * len(candidates))
    with torch.no_grad():
        net.alphas.normal_(0, 1)
    x = torch.randn(6, 1, 8, 8)
    outputs, grads = [], []
    for paths in (None, [torch.arange(len(candidates))] * 2):
        net.zero_grad()
        net.use(paths, "alphas")
        out = net(x)
        out.sum().backward()
        outputs.append(out.detach())
        grads.append(net.alphas.grad.clone())
    assert torch.allclose(outputs[0], outputs[1], atol=1e-6) and torch.allclose(grads[0], grads[1], atol=1e-6)


def test_a_weight_step_leaves_the_alphas_and_an_alpha_step_moves_only_the_drawn(digits_data: DeviceData) -> None:
    space = NasibSpace(layers=2, m=3, channels=4)
    search = NasibSearch(space, digits_data, NasibSettings(batch_size=64), seed=0, prior=[1.0] * 9, epochs=3)
    paths = [torch.tensor([0, 4]), torch.tensor([2, 8])]
    x, y = digits_data.x_train[:64], digits_data.y_train[:64]
    before = search.supernet.alphas.detach().clone()
    search.step(paths, (x, y), (x, y))
    moved = search.supernet.alphas.detach() != before
    assert moved[0, [0, 4]].all() and moved[1, [2, 8]].all() and int(moved.sum()) == 4


def test_an_epoch_budget_sets_n_and_the_answer_retrains_and_exports(tmp_path: Path) -> None:
    storage = tmp_path / "study.db"
    trials = _run(_spec(Budget(trials=2)), storage)
    assert [t.candidate.fidelity for t in trials] == [1, 2]
    info = trials[-1].result.info
    assert info["epochs"] == 2 and trials[0].result.metrics["p_explore"] == 1.0
    assert trials[1].result.metrics["p_explore"] == pytest.approx(info["beta"]) == pytest.approx(0.1**0.5)
    assert sum(map(sum, info["frequencies"])) == 2 * 2 * len(trials) * 3  # 2 layers x 2 paths x batches, 3 batches an epoch
    answer = summarize(storage)["answer"]["arch"]
    assert answer == info["derived"] and len(answer["layers"]) == 2
    report = retrain(storage, epochs=1, device="cpu", save=tmp_path / "model.pt")
    assert report["arch"] == answer and report["params"] > 0
    model = load_exported(tmp_path / "model.pt")
    assert model is not None


def test_a_time_budget_is_calibrated_once_and_kept_on_resume(tmp_path: Path) -> None:
    storage = tmp_path / "study.db"
    first = _run(_spec(Budget(seconds=0.001)), storage)  # shorter than any epoch: n = 1
    assert [t.result.info["epochs"] for t in first] == [1] and first[0].result.info["calibration_seconds"] > 0
    resumed = _run(_spec(Budget(seconds=3600)), storage, resume=True)
    assert len(resumed) == 1  # the stored n = 1 is kept: a new calibration would give hundreds of epochs
    assert "1/1 NASIB epochs" in summarize(storage)["stopped"]
    capped = _run(_spec(Budget(trials=2, seconds=3600)), tmp_path / "capped.db")
    assert [t.result.info["epochs"] for t in capped] == [2, 2]  # an epoch budget beside the time caps n


def test_the_search_state_round_trips_the_schedule_and_counters(digits_data: DeviceData) -> None:
    space = NasibSpace(layers=2, m=3, channels=4)
    make = lambda: NasibSearch(space, digits_data, NasibSettings(batch_size=256), seed=0, prior=[1.0] * 9, epochs=None)  # noqa: E731
    search = make()
    report = search.run_epoch()
    search.calibrate(budget_seconds=report.seconds * 7.5, epoch_seconds=report.seconds, epoch_cap=None)
    again = make()
    again.load_state_dict(search.state_dict())
    assert again.epochs == search.epochs == 7 and again.schedule == search.schedule
    assert torch.equal(again.sampler.frequencies, search.sampler.frequencies) and again.epoch == 1
    assert again.run_epoch().valid_acc == search.run_epoch().valid_acc


def test_a_timeout_alone_gives_no_epochs() -> None:
    with pytest.raises(ConfigError, match="--budget as epochs"):
        open_session(_spec(Budget(wall_seconds=60)))


def test_priors_start_the_alphas_and_an_image_space_refuses_sequences(digits_data: DeviceData) -> None:
    space = NasibSpace(layers=2, m=3, channels=4)
    prior = prior_weights(read_prior("conv2x2=4"), space.candidates)
    search = NasibSearch(space, digits_data, NasibSettings(), seed=0, prior=prior, epochs=2)
    start = torch.softmax(search.supernet.alphas.detach(), dim=-1)
    assert start[:, space.candidates.index("conv2x2")] == pytest.approx([4 / 12] * 2)
    assert _run(_spec(Budget(trials=1), nasib_prior="conv2x2=4"), Path(":memory:"))[0].result.ok
    with pytest.raises(ConfigError, match="--nasib-dims 1"):
        open_session(RunSpec(plugins=("nasib",), budget=Budget(trials=1), dataset="mnist1d", space="nasib", options=TINY, device="cpu"))
