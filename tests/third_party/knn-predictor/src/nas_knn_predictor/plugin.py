"""A nearest-neighbour predictor in front of the estimators (plugin ``knn-predictor``).

Once ``--knn-warmup`` candidates have been evaluated, each new one is predicted as the mean
objective of the ``NEIGHBOURS`` evaluated architectures closest to it (Hamming distance over the
space's decisions). A candidate predicted below the ``--knn-quantile`` quantile of the objectives
evaluated so far is answered with its prediction, a ``Status.PREDICTED`` result that costs no time
and no trial budget, and never reaches the table lookup or the training; the others pass on. An architecture is
skipped only once: the core does not answer a prediction from the study, so a strategy that
proposes it again gets it evaluated (otherwise a filter that predicts everything below its
threshold would stall the search for good). It combines with any strategy (``--plugin evolution
--plugin knn-predictor``) and needs no model fit: architectures one decision apart often perform
alike, and this spends the budget near good ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import (
    Candidate,
    Capability,
    Config,
    ConfigError,
    OptionGroup,
    Result,
    SearchSpace,
    Status,
    StudyView,
    hookimpl,
)

NAS_REQUIRES = frozenset({Capability.DECISIONS})
NEIGHBOURS = 3


class NearestNeighbourFilter:
    def __init__(self, space: SearchSpace, warmup: int, quantile: float) -> None:
        self.space = space
        self.warmup = warmup
        self.quantile = quantile
        self.evaluated: list[tuple[tuple[str, ...], float]] = []
        self.skipped: set[str] = set()  # keys of the architectures answered with a prediction

    @hookimpl(tryfirst=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result | None:
        if len(self.evaluated) < self.warmup or candidate.arch.key in self.skipped:
            return None
        prediction = self.predict(tuple(self.space.to_decisions(candidate.arch)))
        threshold = float(np.quantile([score for _, score in self.evaluated], self.quantile))
        if prediction >= threshold:
            return None  # promising: the table lookup or the training answers
        self.skipped.add(candidate.arch.key)
        return Result(Status.PREDICTED, prediction, info={"knn_threshold": threshold})

    def predict(self, decisions: tuple[str, ...]) -> float:
        distances = [sum(a != b for a, b in zip(decisions, other)) for other, _ in self.evaluated]
        nearest = np.argsort(distances, kind="stable")[:NEIGHBOURS]
        return float(np.mean([self.evaluated[i][1] for i in nearest]))

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if result.status is Status.COMPLETE and result.ok:
            assert result.objective is not None
            self.evaluated.append((tuple(self.space.to_decisions(candidate.arch)), result.objective))

    def state_dict(self) -> dict[str, Any]:
        return {
            "evaluated": [[list(decisions), score] for decisions, score in self.evaluated],
            "skipped": sorted(self.skipped),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.evaluated = [(tuple(decisions), float(score)) for decisions, score in state["evaluated"]]
        self.skipped = set(state["skipped"])


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--knn-warmup", type=int, default=8, help="evaluations before predicting")
    group.addoption(
        "--knn-quantile", type=float, default=0.5,
        help="skip candidates predicted below this quantile of the evaluated objectives",
    )  # fmt: skip


@hookimpl
def nas_configure(config: Config) -> None:
    warmup, quantile = config.option("knn_warmup"), config.option("knn_quantile")
    if warmup < NEIGHBOURS:
        raise ConfigError(f"--knn-warmup must be at least {NEIGHBOURS}, got {warmup}")
    if not 0.0 <= quantile < 1.0:
        raise ConfigError(f"--knn-quantile must be in [0, 1), got {quantile}")
    config.register(NearestNeighbourFilter(config.space, warmup, quantile))
