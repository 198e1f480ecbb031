"""The MLPNAS search strategy: controller epochs of sampling, evaluating and a REINFORCE update.

Per controller epoch (section 5.1 of the paper) the controller samples ``batch`` architectures,
one proposal each, redrawing a sample the study has already evaluated (the reference code's
rejection of repeated sequences). Once the controller has converged so far that ``MAX_RESAMPLES``
draws find nothing new, it proposes the repeat: the core answers it from the study without
training it again, and it counts as a sample of the current policy with a known reward. A failed
child is rewarded with the worst reward seen in the run. Once the batch is answered, the
controller takes ``steps`` Adam steps on

    loss = -1/B sum_i sum_t discount**(T_i-1-t) * A_i * log pi(a_it | s_it)   (REINFORCE)
         + mean_j (z_j - predictor(seq_j))**2                                  (with --mlpnas-predictor)

where ``A_i`` is the reward minus a moving-average baseline, over the spread of rewards, and
``z_j`` are the standardized validation accuracies of every child trained so far. The learning
rate decays as Keras' ``decay`` did in the reference implementation:
``lr / (1 + decay * updates)``. With ``--mlpnas-adversarial`` the reward adds how far the
predictor, asked when the child was sampled, was off: the controller is paid for surprising it.
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from nas_core import (
    Candidate, Result, SearchSpace, Status, StudyView, hookimpl, one_torch_thread, seeded_torch,
)

from nas_mlpnas.controller import Controller, step_masks
from nas_mlpnas.grammar import Grammar
from nas_mlpnas.reinforce import MovingBaseline, RewardStats, discounts
from nas_mlpnas.settings import ControllerSettings

ORIGIN = "mlpnas"
GRADIENT_CLIP = 1.0  # the reference code's Keras clipnorm
MAX_RESAMPLES = 100  # draws per proposal before a converged controller may repeat itself


@dataclass
class Sample:
    """One answered proposal of the current controller epoch."""

    tokens: list[int]
    reward: float | None  # None: the child failed
    predicted: float | None  # what the predictor said when the child was sampled
    status: str


@dataclass
class EpochRecord:
    """What one controller epoch sampled: the evidence that the controller learns."""

    epoch: int
    mean_reward: float | None
    max_reward: float | None
    evaluated: int
    duplicates: int
    failed: int
    lr: float
    predictor_loss: float | None = None
    mean_length: float = 0.0


class MLPNAS:
    def __init__(self, grammar: Grammar, settings: ControllerSettings, rng: np.random.Generator) -> None:
        self.grammar = grammar
        self.settings = settings
        self.rng = rng
        self.index = {token: i for i, token in enumerate(grammar.vocabulary)}
        with seeded_torch(int(rng.integers(2**63))):
            self.controller = Controller(len(grammar.vocabulary), settings.hidden)
        self.optimizer = torch.optim.Adam(self.controller.parameters(), lr=settings.lr)
        self.baseline = MovingBaseline(settings.baseline_decay)
        self.stats = RewardStats()
        self.epoch = 0
        self.updates = 0
        self.proposed = 0  # proposals of the current epoch
        self.samples: list[Sample] = []  # answers of the current epoch
        self.trained: dict[tuple[int, ...], float] = {}  # the predictor's data: every child trained so far
        self.history: list[EpochRecord] = []

    # -- hooks -------------------------------------------------------------------------------------
    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        if self.settings.epochs and self.epoch >= self.settings.epochs:
            return []
        proposals = []
        with one_torch_thread():
            for _ in range(min(n, self.settings.batch - self.proposed)):
                tokens = self._sample_unseen(study)
                meta = {
                    "epoch": self.epoch,
                    "tokens": [self.grammar.vocabulary[t] for t in tokens],
                    "predicted": self._predicted(tokens),
                }
                proposals.append(Candidate(self.grammar.to_arch(tokens), origin=ORIGIN, meta=meta))
        self.proposed += len(proposals)
        return proposals

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if candidate.origin != ORIGIN or candidate.meta.get("epoch") != self.epoch:
            return
        tokens = [self.index[token] for token in candidate.meta["tokens"]]
        reward = result.objective if result.ok else None
        if reward is not None:
            self.stats.push(reward)
            if result.status is Status.COMPLETE:
                self.trained[tuple(tokens)] = reward
        self.samples.append(Sample(tokens, reward, candidate.meta.get("predicted"), result.status.value))
        if len(self.samples) == self.settings.batch:
            with one_torch_thread():
                self._learn()

    def _sample_unseen(self, study: StudyView) -> list[int]:
        """A sample of the policy that the study has not evaluated yet, if one comes within
        ``MAX_RESAMPLES`` draws (section 4.1: the controller keeps the generator from repeating
        itself); else the last draw, which the core answers from the study for free."""
        for _ in range(MAX_RESAMPLES):
            tokens = self.controller.sample(self.grammar, self.rng)
            if study.find(self.grammar.to_arch(tokens), None) is None:
                break
        return tokens

    # -- learning ----------------------------------------------------------------------------------
    def _predicted(self, tokens: list[int]) -> float | None:
        """The predictor's guess of the objective, once it has children to learn from."""
        if not self.settings.predictor or len(self.trained) < 2:
            return None
        mean, std = self._target_scale()
        with torch.no_grad():
            return float(self.controller.predict([tokens])[0]) * std + mean

    def _target_scale(self) -> tuple[float, float]:
        values = list(self.trained.values())
        return statistics.fmean(values), statistics.pstdev(values) or 1.0

    def _rewards(self) -> tuple[list[Sample], list[float]]:
        """The samples that carry a reward, and their rewards (a failure gets the worst seen)."""
        used, rewards = [], []
        for sample in self.samples:
            reward = sample.reward if sample.reward is not None else self.stats.minimum
            if not np.isfinite(reward):
                continue  # a failure before any success: nothing to compare it with
            if self.settings.adversarial and sample.predicted is not None and sample.reward is not None:
                reward += self.settings.adversarial * abs(sample.reward - sample.predicted)
            used.append(sample)
            rewards.append(reward)
        return used, rewards

    def _learn(self) -> None:
        used, rewards = self._rewards()
        predictor_loss = None
        if used:
            advantages = self.baseline.advantages(rewards) / self.stats.std
            weights = [torch.from_numpy(a * discounts(len(s.tokens), self.settings.discount)) for s, a in zip(used, advantages)]
            width = max(len(w) for w in weights)
            weight = torch.stack([torch.nn.functional.pad(w, (0, width - len(w))) for w in weights]).float()
            sequences = [s.tokens for s in used]
            masks = [step_masks(self.grammar, s) for s in sequences]
            for _ in range(self.settings.steps):
                loss = -(weight * self.controller.log_probs(sequences, masks)).sum(1).mean()
                if self.settings.predictor and len(self.trained) >= 2:
                    mean, std = self._target_scale()
                    targets = torch.tensor([(v - mean) / std for v in self.trained.values()], dtype=torch.float32)
                    mse = torch.mean((self.controller.predict(list(self.trained)) - targets) ** 2)
                    predictor_loss = float(mse.detach())
                    loss = loss + mse
                self._step(loss)
        self._close_epoch(predictor_loss)

    def _step(self, loss: torch.Tensor) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = self.learning_rate
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.controller.parameters(), GRADIENT_CLIP)
        self.optimizer.step()
        self.updates += 1

    @property
    def learning_rate(self) -> float:
        return self.settings.lr / (1.0 + self.settings.lr_decay * self.updates)

    def _close_epoch(self, predictor_loss: float | None) -> None:
        rewards = [s.reward for s in self.samples if s.reward is not None]
        self.history.append(
            EpochRecord(
                epoch=self.epoch,
                mean_reward=statistics.fmean(rewards) if rewards else None,
                max_reward=max(rewards) if rewards else None,
                evaluated=sum(Status(s.status).consumes_budget for s in self.samples),
                duplicates=sum(s.status == Status.CACHED for s in self.samples),
                failed=sum(s.status == Status.FAILED for s in self.samples),
                lr=self.learning_rate,
                predictor_loss=predictor_loss,
                mean_length=statistics.fmean(len(s.tokens) for s in self.samples),
            )
        )
        self.epoch += 1
        self.proposed = 0
        self.samples = []

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything but the controller's weights and optimizer (see :class:`ControllerCheckpoint`)."""
        return {
            "rng": self.rng.bit_generator.state,
            "baseline": self.baseline.value,
            "stats": (self.stats.count, self.stats.mean, self.stats.m2, self.stats.minimum),
            "epoch": self.epoch,
            "proposed": len(self.samples),  # proposals still in flight are lost with the process
            "samples": [(s.tokens, s.reward, s.predicted, s.status) for s in self.samples],
            "trained": [(list(tokens), reward) for tokens, reward in self.trained.items()],
            "history": [vars(record).copy() for record in self.history],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.baseline.value = state["baseline"]
        self.stats = RewardStats(*state["stats"])
        self.epoch = state["epoch"]
        self.proposed = state["proposed"]
        self.samples = [Sample(*sample) for sample in state["samples"]]
        self.trained = {tuple(tokens): reward for tokens, reward in state["trained"]}
        self.history = [EpochRecord(**record) for record in state["history"]]


class ControllerCheckpoint:
    """The controller's weights and optimizer state, saved with the study apart from the strategy.

    They change once per controller epoch while the strategy's own state changes with every
    answer; the core rewrites a state only when it changed, so kept apart these 1.7 MB are written
    once per epoch instead of with every trial.
    """

    def __init__(self, strategy: MLPNAS) -> None:
        self.strategy = strategy

    def state_dict(self) -> dict[str, Any]:
        return {
            "controller": _arrays(self.strategy.controller.state_dict()),
            "optimizer": _arrays(self.strategy.optimizer.state_dict()),
            "updates": self.strategy.updates,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.strategy.controller.load_state_dict(_tensors(state["controller"]))
        self.strategy.optimizer.load_state_dict(_tensors(state["optimizer"]))
        self.strategy.updates = state["updates"]


def _arrays(tree: Any) -> Any:
    """Tensors as numpy copies: they pickle to the same bytes every time (torch's pickles carry a
    random id), so the core sees the checkpoint unchanged between epochs and does not rewrite it."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().cpu().numpy().copy()
    if isinstance(tree, dict):
        return {key: _arrays(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_arrays(value) for value in tree]
    return copy.deepcopy(tree)


def _tensors(tree: Any) -> Any:
    if isinstance(tree, np.ndarray):
        return torch.from_numpy(tree.copy())
    if isinstance(tree, dict):
        return {key: _tensors(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_tensors(value) for value in tree]
    return tree
