"""Coordinate search (plugin ``coordinate``): improve one decision at a time.

Start from a random architecture. Take its decisions one position at a time, in a random order
per sweep; at each position try every other choice, in random order, and keep the best
architecture seen. After ``--coordinate-patience`` positions in a row that brought no improvement
(a local optimum along every coordinate tried), restart from a random architecture. It needs a
space of fixed-length categorical decisions, such as any table whose encodings have one length.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import (
    ArchitectureError,
    Candidate,
    Capability,
    Config,
    ConfigError,
    OptionGroup,
    Result,
    SearchSpace,
    StudyView,
    hookimpl,
)

NAS_REQUIRES = frozenset({Capability.SAMPLE, Capability.DECISIONS})

Decisions = tuple[str, ...]


class CoordinateSearch:
    def __init__(self, space: SearchSpace, rng: np.random.Generator, patience: int) -> None:
        self.space = space
        self.rng = rng
        self.patience = patience
        self.best: tuple[Decisions, float] | None = None
        self.position: int | None = None  # the position being swept; None right after a restart
        self.improved = False  # whether the current position improved on the best
        self.stale = 0  # positions in a row without an improvement
        self.order: list[int] = []  # positions left in this sweep
        self.queue: list[Decisions] = []  # what is left to try at the current position

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        while True:
            if not self.queue:
                if self.position is not None:
                    self.stale = 0 if self.improved else self.stale + 1
                if self.best is None or self.stale >= self.patience:
                    return self._restart(study)
                self._next_position(self.best[0])
                continue
            try:
                arch = space.from_decisions(self.queue.pop())
            except ArchitectureError:
                continue  # not a member: a table without a row for this combination
            return [Candidate(arch, origin="coordinate:sweep")]

    def _restart(self, study: StudyView) -> list[Candidate]:
        self.best, self.position, self.stale, self.order = None, None, 0, []
        return [Candidate(arch, origin="coordinate:restart") for arch in study.sample(self.rng, 1)]

    def _next_position(self, current: Decisions) -> None:
        if not self.order:
            self.order = [int(p) for p in self.rng.permutation(len(current))]
        self.position = self.order.pop()
        self.improved = False
        choices = [c for c in self.space.decisions()[self.position].choices if c != current[self.position]]
        self.queue = [
            current[: self.position] + (choices[i],) + current[self.position + 1 :]
            for i in self.rng.permutation(len(choices))
        ]

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if not result.ok:
            return
        assert result.objective is not None
        if self.best is None or result.objective > self.best[1]:
            self.best = (tuple(self.space.to_decisions(candidate.arch)), result.objective)
            self.improved = True

    def state_dict(self) -> dict[str, Any]:
        return {
            "rng": self.rng.bit_generator.state,
            "best": None if self.best is None else [list(self.best[0]), self.best[1]],
            "position": self.position,
            "improved": self.improved,
            "stale": self.stale,
            "order": self.order,
            "queue": [list(values) for values in self.queue],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        best = state["best"]
        self.best = None if best is None else (tuple(best[0]), float(best[1]))
        self.position = state["position"]
        self.improved = state["improved"]
        self.stale = state["stale"]
        self.order = list(state["order"])
        self.queue = [tuple(values) for values in state["queue"]]


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption(
        "--coordinate-patience", type=int, default=2,
        help="positions in a row without an improvement before a random restart",
    )  # fmt: skip


@hookimpl
def nas_configure(config: Config) -> None:
    patience = config.option("coordinate_patience")
    if patience < 1:
        raise ConfigError(f"--coordinate-patience must be at least 1, got {patience}")
    config.register(CoordinateSearch(config.space, config.rng("coordinate"), patience))
