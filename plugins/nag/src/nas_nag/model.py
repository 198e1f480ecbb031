"""The NAS dataset and the NAG trained on it, as one stateful object of a run.

It is registered with the core on its own, apart from the strategy or sampler that uses it: the
core rewrites a plugin's saved state only when it changes, so the generator's weights (megabytes)
are written once, after training, and not with every trial.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import Architecture, SearchSpace
from nas_nag.dataset import NASRecord, label_matrix
from nas_nag.gan import NAG, TrainReport
from nas_nag.grammar import CellGrammar
from nas_nag.labels import CLASSES, LabelRequest
from nas_nag.settings import GANSettings


class TrainedNAG:
    def __init__(self, space: SearchSpace, grammar: CellGrammar, request: LabelRequest, settings: GANSettings) -> None:
        self.space = space
        self.grammar = grammar
        self.request = request
        self.settings = settings
        self.records: list[NASRecord] = []
        self.nag: NAG | None = None
        self._seed: int | None = None
        self._blob: bytes | None = None

    @property
    def trained(self) -> bool:
        return self.nag is not None

    @property
    def report(self) -> TrainReport | None:
        return None if self.nag is None else self.nag.report

    def train(self, seed: int) -> TrainReport:
        """Label the records (tertiles of the requested indicators) and train NAG on them."""
        labels = label_matrix(self.records, self.request.indicators)
        nag = self._new(seed)
        report = nag.fit([r.arch for r in self.records], labels)
        self.nag, self._seed, self._blob = nag, seed, nag.state_bytes()
        return report

    def refit(self, epochs: int, seed: int) -> TrainReport:
        """Relabel the records (the tertiles move as the dataset grows) and continue training."""
        assert self.nag is not None, "train NAG first"
        labels = label_matrix(self.records, self.request.indicators)
        report = self.nag.refit([r.arch for r in self.records], labels, epochs, seed)
        self._blob = self.nag.state_bytes()
        return report

    def generate(self, count: int, rng: np.random.Generator) -> list[Architecture]:
        """``count`` samples with the requested labels; the (never expected) invalid ones dropped."""
        assert self.nag is not None, "train NAG first"
        rows = np.tile(np.asarray(self.request.classes, dtype=np.int64), (count, 1))
        return [s.arch for s in self.nag.generate(rows, rng) if s.arch is not None]

    def _new(self, seed: int) -> NAG:
        return NAG(self.grammar, (CLASSES,) * len(self.request.indicators), self.settings, seed)

    def state_dict(self) -> dict[str, Any]:
        return {"records": [r.to_dict() for r in self.records], "seed": self._seed, "nag": self._blob}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.records = [NASRecord.from_dict(r, self.space) for r in state["records"]]
        self._seed, self._blob = state["seed"], state["nag"]
        self.nag = None
        if self._blob is not None:
            assert self._seed is not None
            self.nag = self._new(self._seed)
            self.nag.load_state_bytes(self._blob)
