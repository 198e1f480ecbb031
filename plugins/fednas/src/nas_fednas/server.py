"""The server's copy of the global model: where the first round starts from, what the aggregated
model scores on the test split (which only the server holds), and, when searching, the cell the
global alphas derive and how healthy it is."""

from __future__ import annotations

from typing import Any

from nas_core import Architecture, DeviceData
from nas_darts import Supernet, cell_health

from nas_fednas.local import LocalSearch, make_trainer
from nas_fednas.plan import ModelPlan
from nas_fednas.weights import load_state_bytes, payload_bytes, state_bytes


class GlobalModel:
    def __init__(self, plan: ModelPlan, data: DeviceData, seed: int) -> None:
        self.data = data
        self.trainer = make_trainer(plan, data, seed)  # never trained: it holds and measures the aggregate

    @property
    def supernet(self) -> Supernet | None:
        return self.trainer.model if isinstance(self.trainer, LocalSearch) else None

    def state(self) -> bytes:
        return state_bytes(self.trainer.model)

    def load(self, data: bytes) -> None:
        load_state_bytes(self.trainer.model, data)

    @property
    def payload_bytes(self) -> int:
        """What one client sends (and receives) per round: the model's whole state."""
        return payload_bytes(self.trainer.model)

    def test_accuracy(self) -> float:
        return self.trainer.accuracy(self.data.x_test, self.data.y_test)

    def derive(self) -> Architecture:
        """The global alphas' cell, by the local search settings' rule (``--darts-derive-none``)."""
        assert isinstance(self.trainer, LocalSearch)
        return self.trainer.search.derive()

    def search_view(self) -> tuple[Architecture, dict[str, float], dict[str, Any]]:
        """The derived cell, the collapse watch's metrics (alpha entropy, skip share, ...) and the
        alphas' softmax per cell type."""
        supernet = self.supernet
        assert supernet is not None
        derived = self.derive()
        alphas = {cell: p.tolist() for cell, p in supernet.alphas.probabilities().items()}
        return derived, cell_health(supernet, derived).metrics(), alphas
