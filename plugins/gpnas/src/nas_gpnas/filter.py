"""The predictor as the filter of GPNAS's workflow (paper Fig. 2), for any strategy.

Every trained candidate's real result (last-epoch accuracy, at its fidelity) is a training example
of the graphical predictor. After ``warmup`` of them the predictor is fitted, and from then on it
is refined by a few steps with every new example. A fitted predictor stands in front of the real
estimators (``nas_estimate``, ``tryfirst``): a candidate whose predicted accuracy reaches the bar is
passed on to be trained; any other is answered with its prediction (``Status.PREDICTED``, no cost,
no budget), so the strategy learns about it for free.

The bar is the ``quantile`` of the real results at the candidate's fidelity: "worth training" is
"predicted to be among the best trained so far". The bar rises as the search finds better
architectures, and a strategy that stops proposing anything above it would stall, so after
``patience`` candidates skipped in a row the bar drops to the best prediction among the last
``patience`` of them: the next candidate at least as promising as the ones just skipped is trained.
(The best prediction among *all* the candidates skipped since the last trained one is a record
that a concentrated strategy may never beat again: with that bar 16 of 100 GPNAS runs on NB201
cifar10 proposed 1000 candidates in a row without training one, and ended.)

A candidate the filter passes on keeps the prediction it was judged by: its result gets the
metric ``gpnas_predicted`` (a column of ``nas trials``, the dashboard's predicted-vs-actual panel),
added on the way out of the estimators. Nothing a strategy or the filter itself learns from
changes (the objective is the estimator's), so a run proposes exactly what it proposed without
it. A parallel run's worker answers after the estimate hook has returned (``Status.PENDING``):
there the metric is not recorded.

A strategy may look again at the candidates it was answered for: ``trained_on`` tells it when the
predictor has been retrained, and ``rescreen`` judges many candidates at once as ``nas_estimate``
would now (GPNAS's ``--gpnas-revive``, :mod:`nas_gpnas.revival`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nas_core import (
    Architecture, Candidate, Result, SearchSpace, Settings, Status, StudyView, hookimpl, setting,
    stable_seed,
)

from nas_gpnas.predictor import GraphPredictor, PredictorSettings

MIN_RESULTS_AT_FIDELITY = 5  # a fidelity with fewer real results than this is not filtered yet
PREDICTED_METRIC = "gpnas_predicted"  # the prediction a candidate passed on to be trained was judged by


@dataclass(frozen=True)
class FilterSettings(Settings, prefix="gpnas"):
    warmup: int = setting(20, "trained candidates before the predictor starts filtering", at_least=2)
    quantile: float = setting(0.85, "train a candidate predicted to reach this quantile of the accuracies trained so far",
                              at_least=0, at_most=1, flag="--gpnas-filter-quantile")
    patience: int = setting(5, "after this many skipped in a row, train the next one at least as promising as all of them",
                            at_least=1, flag="--gpnas-filter-patience")
    refine_steps: int = setting(10, "predictor training steps per new trained candidate", at_least=0)
    predictor: PredictorSettings = field(default_factory=PredictorSettings)


@dataclass(frozen=True)
class Example:
    arch: Architecture
    fidelity: int | None
    accuracy: float


class PredictorFilter:
    """Trains the graphical predictor on real results and answers unpromising candidates."""

    def __init__(self, space: SearchSpace, full_fidelity: int, settings: FilterSettings, seed: int) -> None:
        self.space = space
        self.settings = settings
        self.seed = seed
        self.predictor = GraphPredictor(space, full_fidelity, settings.predictor)
        self.examples: list[Example] = []
        self.skipped = 0  # candidates skipped since the last one passed on
        self.recent: deque[float] = deque(maxlen=settings.patience)  # the last skipped ones' predictions
        self.passed: dict[int, float] = {}  # trial id -> prediction, of candidates passed on and being estimated

    # -- hooks -------------------------------------------------------------------------------------
    @hookimpl(tryfirst=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result | None:
        if not self.predictor.fitted:
            return None
        bar = self.bar(candidate.fidelity)
        if bar is None:
            return None
        predicted = self.predictor.predict([candidate.arch], [candidate.fidelity])[0]
        if predicted >= bar:
            self.passed[candidate.trial_id] = float(predicted)
            return None
        return Result(
            Status.PREDICTED,
            predicted,
            {},
            0.0,
            {"predicted": True, "bar": bar, "examples": len(self.examples), "skipped_in_a_row": self.skipped + 1},
        )

    @hookimpl(specname="nas_estimate", wrapper=True)
    def record_prediction(self, candidate: Candidate, study: StudyView) -> Generator[None, Result | None, Result | None]:
        """The result of a candidate passed on, with the prediction it was judged by as a metric."""
        try:
            result = yield
        finally:
            predicted = self.passed.pop(candidate.trial_id, None)
        if predicted is None or not isinstance(result, Result) or result.status is Status.PENDING:
            return result
        return replace(result, metrics={**result.metrics, PREDICTED_METRIC: predicted})

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if result.status is Status.PREDICTED and result.info.get("predicted"):
            assert result.objective is not None
            self.skipped += 1
            self.recent.append(result.objective)
            return
        if result.status is not Status.COMPLETE or not result.ok:
            return  # failures and cached duplicates teach the predictor nothing new
        assert result.objective is not None
        self.skipped = 0
        self.recent.clear()
        self.examples.append(Example(candidate.arch, candidate.fidelity, result.objective))
        self.train()

    # -- judging candidates again ------------------------------------------------------------------
    @property
    def trained_on(self) -> int:
        """How many examples the predictor has learnt from, 0 before it is fitted: it changes
        whenever the predictor is retrained (every example after the warm-up refines it)."""
        return len(self.examples) if self.predictor.fitted else 0

    def rescreen(self, archs: Sequence[Architecture], fidelities: Sequence[int | None]) -> list[float | None]:
        """``nas_estimate``'s judgement of many candidates now, in one batched prediction: the
        prediction of each one the filter would pass on to be trained, None for each it would
        answer. Needs a fitted predictor (``trained_on`` > 0)."""
        bars = {fidelity: self.bar(fidelity) for fidelity in set(fidelities)}
        predicted = self.predictor.predict(archs, fidelities)
        judged: list[float | None] = []
        for value, fidelity in zip(predicted, fidelities):
            bar = bars[fidelity]
            judged.append(value if bar is None or value >= bar else None)
        return judged

    # -- the bar -----------------------------------------------------------------------------------
    def bar(self, fidelity: int | None) -> float | None:
        """The predicted accuracy a candidate at ``fidelity`` needs to be trained; None: no filtering."""
        scores = [e.accuracy for e in self.examples if e.fidelity == fidelity]
        if len(scores) < MIN_RESULTS_AT_FIDELITY:
            return None
        bar = float(np.quantile(scores, self.settings.quantile))
        if self.skipped >= self.settings.patience and self.recent:
            bar = min(bar, max(self.recent))
        return bar

    def train(self) -> None:
        """Fit at the end of the warm-up, refine with every later example."""
        n = len(self.examples)
        if n < max(self.settings.warmup, 2):
            return
        archs = [e.arch for e in self.examples]
        fidelities = [e.fidelity for e in self.examples]
        targets = [e.accuracy for e in self.examples]
        seed = stable_seed(self.seed, "predictor", n) % 2**63
        if self.predictor.fitted:
            self.predictor.refine(archs, fidelities, targets, seed, self.settings.refine_steps)
        else:
            self.predictor.fit(archs, fidelities, targets, seed)

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "examples": [(e.arch.to_dict(), e.fidelity, e.accuracy) for e in self.examples],
            "skipped": self.skipped,
            "recent": list(self.recent),
            "predictor": self.predictor.state_dict(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.examples = [Example(self.space.decode(a), f, float(y)) for a, f, y in state["examples"]]
        self.skipped = int(state["skipped"])
        # studies before stop 14 kept the best skipped prediction only: it stands for the recent ones
        recent = state.get("recent", [state.get("skipped_best", -np.inf)])
        self.recent = deque((float(v) for v in recent if np.isfinite(v)), maxlen=self.settings.patience)
        self.predictor.load_state_dict(state["predictor"])
