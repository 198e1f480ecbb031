"""An ask/tell optimizer wrapped by ``nas_core.AskTellStrategy``: it asks a random configuration
or the best one told so far with one decision changed, so what it asks depends on its seed and on
what it was told, as a model-based optimizer's asks do."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nas_core import Asked, AskTellStrategy, Capability, Decision, hookimpl, stable_seed

NAS_REQUIRES = frozenset({Capability.DECISIONS})


class GreedyProbe:
    def __init__(self, decisions: Sequence[Decision], seed: int) -> None:
        self.decisions = tuple(decisions)
        self.rng = np.random.default_rng(seed)
        self.best: tuple[float, dict[str, str]] | None = None
        self.asked: list[dict[str, str]] = []
        self.told: dict[int, float | None] = {}

    def _choice(self, decision: Decision) -> str:
        return decision.choices[int(self.rng.integers(len(decision.choices)))]

    def ask(self) -> Asked:
        if self.best is None or self.rng.random() < 0.5:
            values = {d.name: self._choice(d) for d in self.decisions}
        else:
            values = dict(self.best[1])
            changed = self.decisions[int(self.rng.integers(len(self.decisions)))]
            values[changed.name] = self._choice(changed)
        self.asked.append(values)
        return Asked(values)

    def tell(self, number: int, objective: float | None) -> None:
        self.told[number] = objective
        if objective is not None and (self.best is None or objective > self.best[0]):
            self.best = (objective, self.asked[number])


def probe_strategy(space, seed: int) -> AskTellStrategy:
    return AskTellStrategy("probe", lambda: GreedyProbe(space.decisions(), seed), space.from_configuration)


@hookimpl
def nas_configure(config):
    config.register(probe_strategy(config.space, stable_seed(config.seed, "probe")))
