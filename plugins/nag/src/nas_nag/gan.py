"""Training NAG and sampling from it (paper 3.4, 3.5, Algorithm 1's inner loop).

Every iteration draws a minibatch of m real architectures with their labels, updates the
discriminator once (eq. 10), then draws fresh noise and labels and updates the generator once
(eq. 11), both with Adam. The losses are least squares with a = 0, b = c = 1 on the
discriminator's probability (``bce`` for the ablation). Labels of generated graphs are drawn
from the NAS dataset's rows, so the label combinations are those that exist. For the first
``flip_epochs`` epochs each real/fake target of the discriminator is flipped with probability
``flip_prob``, which keeps the discriminator from winning before the generator learns anything.

Adam's betas are (0.5, 0.999), the usual choice for GANs at the paper's learning rate 2e-4 (the
paper does not give them). Training and sampling are deterministic given the seed and, for
sampling, the numpy generator the noise is drawn from.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from nas_core import Architecture, ArchitectureError, CellGraph, seeded_torch, torch_generator
from nas_nag.discriminator import Batch, Discriminator
from nas_nag.generator import Generator
from nas_nag.grammar import CellGrammar
from nas_nag.settings import GANSettings

BETAS = (0.5, 0.999)
SAMPLE_CHUNK = 512


@dataclass(frozen=True)
class TrainReport:
    """Wall seconds of training and per-epoch means of the losses and of D's probabilities."""

    seconds: float
    iterations: int
    history: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """One generated graph: its architecture (None if it is not a member of the space, with the
    reason), and whether the grammar had to repair one of the generator's decisions."""

    graph: CellGraph
    arch: Architecture | None
    repaired: bool
    error: str | None = None


class NAG:
    def __init__(self, grammar: CellGrammar, label_classes: Sequence[int], settings: GANSettings, seed: int) -> None:
        self.grammar = grammar
        self.settings = settings
        self.label_classes = tuple(label_classes)
        self.seed = seed
        with seeded_torch(seed):
            self.generator = Generator(grammar, label_classes, settings)
            self.discriminator = Discriminator(grammar.graph_vocabulary, label_classes, settings)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=settings.lr, betas=BETAS)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=settings.lr, betas=BETAS)
        self.report: TrainReport | None = None
        self.generator.eval()

    # -- training ----------------------------------------------------------------------------------
    def fit(self, archs: Sequence[Architecture], labels: np.ndarray) -> TrainReport:
        """The paper's training: ``settings.epochs`` epochs, label flipping in the first ones."""
        return self._train(archs, labels, self.settings.epochs, self.settings.flip_epochs, self.seed + 1)

    def refit(self, archs: Sequence[Architecture], labels: np.ndarray, epochs: int, seed: int) -> TrainReport:
        """Continue training (weights and Adam states kept) for ``epochs`` more epochs on a new
        dataset or new labels, without flipping: the discriminator no longer starts from nothing.
        The report then covers all training so far."""
        return self._train(archs, labels, epochs, 0, seed)

    def _train(self, archs: Sequence[Architecture], labels: np.ndarray, epochs: int, flip_epochs: int, seed: int) -> TrainReport:
        s = self.settings
        real = [self.discriminator.real_data(self.grammar.to_graph(arch)) for arch in archs]
        rows = torch.as_tensor(np.asarray(labels, dtype=np.int64)).reshape(len(real), len(self.label_classes))
        history: dict[str, list[float]] = {"d_loss": [], "g_loss": [], "d_real": [], "d_fake": []}
        started = time.perf_counter()
        iterations = 0
        self.generator.train()
        self.discriminator.train()
        with seeded_torch(seed):
            for epoch in range(epochs):
                totals = np.zeros(4)
                order = torch.randperm(len(real))
                steps = 0
                for start in range(0, len(real), s.batch_size):
                    index = order[start : start + s.batch_size]
                    batch = Batch.from_data_list([real[i] for i in index.tolist()])
                    totals += self._step(batch, rows[index], rows, flip=epoch < flip_epochs)
                    steps += 1
                for name, value in zip(history, totals / steps):
                    history[name].append(float(value))
                iterations += steps
        self.generator.eval()
        self.discriminator.eval()
        seconds = time.perf_counter() - started
        if self.report is not None:
            seconds += self.report.seconds
            iterations += self.report.iterations
            history = {name: self.report.history[name] + values for name, values in history.items()}
        self.report = TrainReport(seconds, iterations, history)
        return self.report

    def _step(self, real: Batch, real_labels: torch.Tensor, all_labels: torch.Tensor, flip: bool) -> np.ndarray:
        s = self.settings
        m = len(real_labels)
        straight_through = s.graph == "straight-through"

        fake_labels = all_labels[torch.randint(len(all_labels), (m,))]
        with torch.no_grad():
            generated = self.generator(torch.randn(m, s.noise_dim), fake_labels)
        fake = self.discriminator.fake_batch(generated, straight_through)
        d_real = self.discriminator(real, real_labels)
        d_fake = self.discriminator(fake, fake_labels)
        target_real, target_fake = torch.ones(m), torch.zeros(m)
        if flip:
            target_real = torch.where(torch.rand(m) < s.flip_prob, 1 - target_real, target_real)
            target_fake = torch.where(torch.rand(m) < s.flip_prob, 1 - target_fake, target_fake)
        d_loss = 0.5 * (self._loss(d_real, target_real) + self._loss(d_fake, target_fake))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        fake_labels = all_labels[torch.randint(len(all_labels), (m,))]
        generated = self.generator(torch.randn(m, s.noise_dim), fake_labels)
        fake = self.discriminator.fake_batch(generated, straight_through)
        # D's own gradients of the generator's loss would be discarded (zeroed before D's next
        # step), so they are not computed; the gradient still flows through D to the generator.
        self.discriminator.requires_grad_(False)
        try:
            g_loss = 0.5 * self._loss(self.discriminator(fake, fake_labels), torch.ones(m))
            self.opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
        finally:
            self.discriminator.requires_grad_(True)
        self.opt_g.step()
        with torch.no_grad():
            return np.array([
                float(d_loss), float(g_loss), float(torch.sigmoid(d_real).mean()), float(torch.sigmoid(d_fake).mean())
            ])  # fmt: skip

    def _loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.settings.loss == "bce":
            return F.binary_cross_entropy_with_logits(logits, target)
        return ((torch.sigmoid(logits) - target) ** 2).mean()

    # -- sampling ----------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, labels: np.ndarray, rng: np.random.Generator) -> list[Sample]:
        """One graph per row of ``labels`` (class indices per conditioning indicator), noise from ``rng``."""
        rows = np.asarray(labels, dtype=np.int64).reshape(-1, len(self.label_classes))
        z = rng.standard_normal((len(rows), self.settings.noise_dim)).astype(np.float32)
        noise = torch_generator(int(rng.integers(2**63)))
        samples: list[Sample] = []
        for start in range(0, len(rows), SAMPLE_CHUNK):
            chunk = slice(start, start + SAMPLE_CHUNK)
            generated = self.generator(torch.from_numpy(z[chunk]), torch.from_numpy(rows[chunk]), noise)
            for graph, repaired in zip(generated.graphs(self.grammar), generated.repaired.tolist()):
                try:
                    samples.append(Sample(graph, self.grammar.from_graph(graph), repaired))
                except ArchitectureError as exc:
                    samples.append(Sample(graph, None, repaired, str(exc)))
        return samples

    # -- state ---------------------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        """Weights, optimizer states and the training report, as one blob."""
        buffer = io.BytesIO()
        report = None if self.report is None else vars(self.report)
        torch.save(
            {
                "generator": self.generator.state_dict(),
                "discriminator": self.discriminator.state_dict(),
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "report": report,
            },
            buffer,
        )
        return buffer.getvalue()

    def load_state_bytes(self, blob: bytes) -> None:
        state: dict[str, Any] = torch.load(io.BytesIO(blob), weights_only=True)
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.report = None if state["report"] is None else TrainReport(**state["report"])
