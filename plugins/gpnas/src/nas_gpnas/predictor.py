"""The graphical predictor of GPNAS (paper III.C, Eqs. 4-8).

    H = GCN layers over the undirected cell graph (renormalized adjacency D^-1/2 (A + I) D^-1/2)
    output = MLP([max-pool(H); Embedding(epochs)])      3 layers, BatchNorm + ReLU between them

trained with MSE on the accuracy each trained child reached at its last epoch. The graph part is
the shared ``nas_core.GCNEncoder`` (undirected, max readout). Targets are standardized
with the training set's mean and deviation, so one learning rate suits accuracies in percent of
any range; predictions come back in the objective's units.

Training is deterministic: the weights are initialized and the mini-batches shuffled from a seed
the caller passes (the search derives it from ``--seed`` and the number of training examples).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from torch_geometric.data import Batch, Data

from nas_core import (
    Architecture, GCNEncoder, SearchSpace, Settings, graph_data, one_torch_thread, seeded_torch,
    setting, torch_generator,
)

from nas_gpnas.graphs import graph_vocabulary, predictor_graph


@dataclass(frozen=True)
class PredictorSettings(Settings, prefix="gpnas-predictor"):
    """Sizes and training schedule; the paper gives none, these are ours (see the README)."""

    hidden: int = setting(64, "width of the predictor's GCN and MLP", at_least=1)
    gcn_layers: int = setting(3, "GCN layers of the predictor", at_least=1, flag="--gpnas-predictor-layers")
    epoch_dim: int = 16  # width of the training-epochs embedding E
    train_epochs: int = setting(300, "epochs of the predictor's first fit", at_least=1, flag="--gpnas-predictor-epochs")
    batch_size: int = 32
    lr: float = setting(3e-3, "Adam learning rate of the predictor", above=0)
    weight_decay: float = 1e-4


class GraphPredictorNet(nn.Module):
    """GCN features of the cell, max-pooled, next to the embedded epochs, into a 3-layer MLP."""

    def __init__(self, vocabulary_size: int, epoch_levels: int, settings: PredictorSettings) -> None:
        super().__init__()
        hidden = settings.hidden
        self.encoder = GCNEncoder(vocabulary_size, hidden=hidden, layers=settings.gcn_layers, readout="max")
        self.epochs = nn.Embedding(epoch_levels, settings.epoch_dim)
        self.head = nn.Sequential(
            nn.Linear(hidden + settings.epoch_dim, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, graphs: Any, epoch_index: torch.Tensor) -> torch.Tensor:
        features = torch.cat([self.encoder(graphs), self.epochs(epoch_index)], dim=1)
        return self.head(features).squeeze(1)


class EpochLevels:
    """Fidelity (training epochs) -> embedding index: ``None`` is the full fidelity ``full``."""

    def __init__(self, full: int) -> None:
        self.full = max(0, int(full))

    @property
    def size(self) -> int:
        return self.full + 1

    def index(self, fidelity: int | None) -> int:
        return self.full if fidelity is None else min(max(int(fidelity), 0), self.full)


class GraphPredictor:
    """Fits and queries a :class:`GraphPredictorNet` on (architecture, fidelity) -> accuracy."""

    def __init__(self, space: SearchSpace, full_fidelity: int, settings: PredictorSettings | None = None) -> None:
        self.space = space
        self.settings = settings or PredictorSettings()
        self.vocabulary = graph_vocabulary(space)
        self.levels = EpochLevels(full_fidelity)
        self.net: GraphPredictorNet | None = None
        self.mean = 0.0
        self.scale = 1.0
        self._weights: bytes | None = None
        self._graphs: dict[Architecture, Data] = {}

    @property
    def fitted(self) -> bool:
        return self.net is not None

    def _new_net(self) -> GraphPredictorNet:
        return GraphPredictorNet(len(self.vocabulary), self.levels.size, self.settings)

    def _graph(self, arch: Architecture) -> Data:
        data = self._graphs.get(arch)
        if data is None:
            data = graph_data(predictor_graph(self.space, arch), self.vocabulary, undirected=True)
            self._graphs[arch] = data
        return data

    def _batch(self, archs: Sequence[Architecture]) -> Batch:
        return Batch.from_data_list([self._graph(a) for a in archs])

    def fit(
        self, archs: Sequence[Architecture], fidelities: Sequence[int | None], targets: Sequence[float], seed: int
    ) -> None:
        """Train a new network from scratch for ``settings.train_epochs`` passes over the examples."""
        self._train(archs, fidelities, targets, seed, epochs=self.settings.train_epochs, fresh=True)

    def refine(
        self,
        archs: Sequence[Architecture],
        fidelities: Sequence[int | None],
        targets: Sequence[float],
        seed: int,
        steps: int,
    ) -> None:
        """Continue training the current network for ``steps`` mini-batches over the examples.

        A search adds one example at a time: refining costs a fixed few steps per example where
        refitting from scratch would cost a whole schedule, and keeps what was learnt.
        """
        if self.net is None:
            raise RuntimeError("refine() needs a fitted predictor")
        self._train(archs, fidelities, targets, seed, steps=steps, fresh=False)

    def _train(
        self,
        archs: Sequence[Architecture],
        fidelities: Sequence[int | None],
        targets: Sequence[float],
        seed: int,
        *,
        epochs: int | None = None,
        steps: int | None = None,
        fresh: bool,
    ) -> None:
        if len(archs) < 2:
            raise ValueError("the predictor needs at least two training examples")
        s = self.settings
        y = torch.tensor(targets, dtype=torch.float32)
        self.mean = float(y.mean())
        self.scale = float(y.std()) or 1.0
        y = (y - self.mean) / self.scale
        levels = torch.tensor([self.levels.index(f) for f in fidelities], dtype=torch.long)
        n = len(archs)
        size = min(n, s.batch_size)
        total = steps if steps is not None else (epochs or 0) * math.ceil(n / size)
        with seeded_torch(seed), one_torch_thread():
            if fresh or self.net is None:
                self.net = self._new_net()
            net = self.net
            # A new optimizer per call: its state is then a function of the weights alone, which
            # is all a resumed search restores.
            optimizer = torch.optim.Adam(net.parameters(), lr=s.lr, weight_decay=s.weight_decay)
            generator = torch_generator(seed)
            net.train()
            order: list[int] = []
            for _ in range(total):
                if not order:
                    order = torch.randperm(n, generator=generator).tolist()
                batch, order = order[:size], order[size:]
                if len(order) == 1:  # a batch of one would break BatchNorm: fold it in
                    batch, order = batch + order, []
                optimizer.zero_grad(set_to_none=True)
                out = net(self._batch([archs[i] for i in batch]), levels[batch])
                nn.functional.mse_loss(out, y[batch]).backward()
                optimizer.step()
        net.eval()
        self._weights = None

    @torch.no_grad()
    def predict(self, archs: Sequence[Architecture], fidelities: Sequence[int | None]) -> list[float]:
        """Predicted accuracies, in the units of the training targets."""
        if self.net is None:
            raise RuntimeError("the predictor has not been fitted")
        levels = torch.tensor([self.levels.index(f) for f in fidelities], dtype=torch.long)
        with one_torch_thread():
            out = self.net(self._batch(archs), levels) * self.scale + self.mean
        return [float(v) for v in out]

    # -- state ----------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any] | None:
        if self.net is None:
            return None
        if self._weights is None:  # serialized once per fit: the core saves states after every trial
            buffer = io.BytesIO()
            torch.save(self.net.state_dict(), buffer)
            self._weights = buffer.getvalue()
        return {"weights": self._weights, "mean": self.mean, "scale": self.scale}

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if state is None:
            self.net, self._weights = None, None
            return
        net = self._new_net()
        net.load_state_dict(torch.load(io.BytesIO(state["weights"]), weights_only=True))
        net.eval()
        self.net = net
        self.mean, self.scale = float(state["mean"]), float(state["scale"])
        self._weights = state["weights"]
