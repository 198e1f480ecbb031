"""P1/P2, their schedule, the frequency counters, and priors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from nas_core import ConfigError

from nas_nasib.kernels import narrow, superkernel
from nas_nasib.policy import PathSampler, Schedule, exploiting, exploring
from nas_nasib.priors import prior_weights, read_prior
from nas_nasib.search import calibrated_epochs


def test_p1_falls_from_one_by_beta_to_k_after_n_epochs() -> None:
    schedule = Schedule(epochs=10, final_p=0.1)
    assert schedule.beta == pytest.approx(math.exp(math.log(0.1) / 10))
    assert schedule.p(1) == 1.0
    assert schedule.p(5) == pytest.approx(schedule.beta**4)
    assert schedule.p(11) == pytest.approx(0.1)  # k is reached after the n-th epoch
    assert all(schedule.p(i) > schedule.p(i + 1) for i in range(1, 10))


def test_p1_prefers_the_least_sampled_and_p2_the_highest_alpha() -> None:
    p1 = exploring(torch.tensor([3, 0, 1]), torch.zeros(3))
    assert p1.tolist() == pytest.approx(torch.softmax(torch.tensor([-3.0, 0.0, -1.0], dtype=torch.float64), 0).tolist())
    p2 = exploiting(torch.tensor([0.1, 0.3, 0.2]), temperature=0.1)
    assert p2.tolist() == pytest.approx(torch.softmax(torch.tensor([1.0, 3.0, 2.0], dtype=torch.float64), 0).tolist())
    tilted = exploring(torch.zeros(3, dtype=torch.long), torch.tensor([math.log(2.0), 0.0, 0.0]))
    assert tilted.tolist() == pytest.approx([0.5, 0.25, 0.25])


def test_pure_exploration_visits_every_candidate_evenly_and_counts_draws() -> None:
    sampler = PathSampler(layers=2, candidates=6, paths=2, log_prior=torch.zeros(6))
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        paths, explored = sampler.draw(torch.zeros(2, 6), p=1.0, temperature=0.1, generator=generator)
        assert explored == 2 and all(len(row) == 2 and len(set(row.tolist())) == 2 for row in paths)
    assert sampler.frequencies.sum().item() == 2 * 30 * 2
    assert sampler.frequencies.max() - sampler.frequencies.min() <= 2  # softmax(-freq) evens the counts out


def test_pure_exploitation_at_a_low_temperature_draws_the_two_highest_alphas() -> None:
    sampler = PathSampler(layers=1, candidates=5, paths=2, log_prior=torch.zeros(5))
    alphas = torch.tensor([[0.0, 2.0, 0.0, 1.5, 0.0]])
    for seed in range(5):
        paths, explored = sampler.draw(alphas, p=0.0, temperature=0.05, generator=torch.Generator().manual_seed(seed))
        assert explored == 0 and paths[0].tolist() == [1, 3]


def test_the_calibration_fits_the_epochs_into_the_budget() -> None:
    assert calibrated_epochs(7200, 61.0) == 118
    assert calibrated_epochs(10, 60.0) == 1  # the timed epoch itself
    assert calibrated_epochs(7200, 61.0, epoch_cap=20) == 20


def test_priors_from_the_flag_or_a_file_weight_candidates(tmp_path: Path) -> None:
    candidates = superkernel(3, 9, dims=2)
    weights = prior_weights(read_prior("3x3=2, conv1x2=1.5"), candidates)
    assert weights[candidates.index("conv3x3")] == 2 and weights[candidates.index("conv1x2")] == 1.5
    assert sum(w == 1.0 for w in weights) == 7
    file = tmp_path / "prior.json"
    file.write_text(json.dumps({"3x3": 4}))
    assert prior_weights(read_prior(str(file)), narrow(2)) == [4.0, 1.0, 4.0, 1.0, 4.0, 4.0]  # every 3x3 kind
    assert read_prior("") == {}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("3x3=0", "positive"),
        ("3x3=two", "must be a number"),
        ("3x3", "no file"),
        ("=2", "malformed"),
        ("9x9=2", "not a candidate"),
        ("blob=2", "not a kernel"),
    ],
)
def test_bad_priors_are_one_line_errors(value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as error:
        prior_weights(read_prior(value), superkernel(3, 9, dims=2))
    assert "\n" not in str(error.value) and "--nasib-prior" in str(error.value)


def test_a_prior_file_that_is_not_an_object_is_one_line(tmp_path: Path) -> None:
    file = tmp_path / "prior.json"
    file.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="one JSON object"):
        read_prior(str(file))
    file.write_text("{bad")
    with pytest.raises(ConfigError, match="cannot read"):
        read_prior(str(file))


def test_a_softmax_too_hard_for_two_draws_still_draws_two() -> None:
    sampler = PathSampler(layers=1, candidates=4, paths=2, log_prior=torch.zeros(4))
    paths, _ = sampler.draw(torch.tensor([[0.0, 50.0, 0.0, 0.0]]), p=0.0, temperature=0.01, generator=torch.Generator().manual_seed(0))
    assert 1 in paths[0].tolist() and len(paths[0]) == 2
