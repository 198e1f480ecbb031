"""The controller is a proper policy, and REINFORCE (with the predictor) learns with it."""

from collections import Counter

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from nas_core import NB201Space, Result
from nas_mlpnas.controller import Controller, step_masks
from nas_mlpnas.grammar import grammar_for
from nas_mlpnas.settings import ControllerSettings
from nas_mlpnas.strategy import MLPNAS


def test_log_probs_are_the_sampling_distribution_over_members(toy_table) -> None:
    grammar = grammar_for(toy_table)
    torch.manual_seed(0)
    controller = Controller(len(grammar.vocabulary), 8)
    with torch.no_grad():
        controller.policy.weight.mul_(20)  # a peaked policy, far from uniform
    index = {t: i for i, t in enumerate(grammar.vocabulary)}
    end = [index["<end>"]]
    sequences = {"0121": [0, 1, 2, 1], "0122": [0, 1, 2, 2], "013": [0, 1, 3], "2": [2], "21": [2, 1], "2100": [2, 1, 0, 0]}
    sequences = {e: [index[str(t)] for t in s] + (end if len(s) < 4 else []) for e, s in sequences.items()}
    tokens = list(sequences.values())
    with torch.no_grad():
        log_probs = controller.log_probs(tokens, [step_masks(grammar, s) for s in tokens]).sum(1)
    probabilities = dict(zip(sequences, log_probs.exp().tolist()))
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    rng = np.random.default_rng(0)
    n = 2000
    counts = Counter(grammar.to_arch(controller.sample(grammar, rng)).encoding for _ in range(n))
    for encoding, p in probabilities.items():
        assert counts[encoding] / n == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n) + 1e-3)


class Evaluated:
    """The part of a study the strategy reads: what has been evaluated."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def find(self, arch, fidelity):
        return arch.key if arch.key in self.keys else None


def run(settings: ControllerSettings, reward, epochs: int, seed: int = 0) -> MLPNAS:
    """The strategy alone, answered by ``reward(arch)``."""
    space, study = NB201Space(), Evaluated()
    strategy = MLPNAS(grammar_for(space), settings, np.random.default_rng(seed))
    for _ in range(epochs * settings.batch):
        [candidate] = strategy.nas_propose(study, space, 1)
        study.keys.add(candidate.arch.key)
        strategy.nas_update(candidate, Result.complete(reward(candidate.arch)), study)
    return strategy


def conv3x3(arch) -> float:
    return float(sum(op == "nor_conv_3x3" for op in arch.ops))


def test_reinforce_raises_the_mean_reward_per_epoch() -> None:
    history = run(ControllerSettings(epochs=0), conv3x3, epochs=8).history
    rewards = [record.mean_reward for record in history]
    assert rewards[0] < 2.5  # a uniform policy: 6 edges x 1/5
    assert min(rewards[-3:]) > rewards[0] + 2.0
    assert [r.lr for r in history][-1] == pytest.approx(0.01 / (1 + 0.1 * 8))


def test_the_predictor_learns_the_children_seen_so_far() -> None:
    rng = np.random.default_rng(5)
    weights = {op: w for op, w in zip(NB201Space().decisions()[0].choices, rng.normal(size=5))}

    def score(arch) -> float:
        return float(sum(weights[op] * (1 + e) for e, op in enumerate(arch.ops)))

    strategy = run(ControllerSettings(epochs=0, predictor=True, steps=5, lr=0.003), score, epochs=12)
    losses = [r.predictor_loss for r in strategy.history if r.predictor_loss is not None]
    assert losses[-1] < 0.5 * losses[0]
    held_out = [NB201Space().sample(rng) for _ in range(100)]
    tokens = [[strategy.index[op] for op in arch.ops] for arch in held_out]
    with torch.no_grad():
        predicted = strategy.controller.predict(tokens).numpy()
    assert spearmanr(predicted, [score(a) for a in held_out]).statistic > 0.5


def test_the_run_ends_after_its_controller_epochs(tmp_path) -> None:
    from nas_core import Budget, RunSpec, open_session
    from nas_core.testing import require_data_dir

    options = {"mlpnas_epochs": 3, "mlpnas_batch": 4}
    spec = RunSpec(("mlpnas",), Budget(trials=500), 0, "nb201", "cifar10", options=options, data_dir=require_data_dir())
    session = open_session(spec, tmp_path / "run.db")
    try:
        assert session.run() == "the strategy has no more candidates"
        [state] = [s for name, s in session.plugins.state_dicts().items() if name == "mlpnas.MLPNAS"]
        assert [r["epoch"] for r in state["history"]] == [0, 1, 2]
        assert sum(r["evaluated"] + r["duplicates"] for r in state["history"]) == 12
        assert all(t.candidate.meta["epoch"] in (0, 1, 2) for t in session.study.trials)
    finally:
        session.close()
