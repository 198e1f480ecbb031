"""Hyper-parameters of NAG's GAN; defaults are the paper's (section 4.1.3) unless noted."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import ConfigError

LOSSES = ("lsgan", "bce")
GRAPHS = ("probability", "straight-through")
READOUTS = ("weighted-mean", "mean")
DISCRIMINATOR_READOUTS = ("max", "mean", "sum")


@dataclass(frozen=True)
class GANSettings:
    epochs: int = 200
    batch_size: int = 64
    lr: float = 2e-4
    dropout: float = 0.5
    node_dim: int = 250
    graph_dim: int = 56
    label_dim: int = 10
    noise_dim: int = 100
    # Not given by the paper:
    gcn_layers: int = 3  # the discriminator's L
    prop_rounds: int = 1  # message-passing rounds per PropGraph step (embeddings persist across steps)
    temperature: float = 1.0  # of the Gumbel-softmax / binary-concrete probabilities (PyTorch's default)
    discriminator_readout: str = "sum"  # A_G of the discriminator ("different from the generator's")
    flip_epochs: int = 20  # label flipping "early on": the first 10% of the epochs ...
    flip_prob: float = 0.1  # ... flip each of the discriminator's real/fake targets with this probability
    # The paper's choices, with the ablations' alternatives (section 4.4):
    loss: str = "lsgan"  # least squares with a = 0, b = c = 1; or "bce"
    readout: str = "weighted-mean"  # the generator's gated readout; or "mean"
    # How generated graphs reach the discriminator: "probability" (the paper's probability graph:
    # soft op and edge probabilities) or "straight-through" (the kept graph, with the gradients of
    # the probabilities). Not the paper's default: measured on NB201 (README), the probability
    # graph lets the discriminator tell soft from one-hot rows and the generator collapses.
    graph: str = "straight-through"

    def __post_init__(self) -> None:
        positive = {
            "epochs": self.epochs, "batch-size": self.batch_size, "node-dim": self.node_dim,
            "graph-dim": self.graph_dim, "label-dim": self.label_dim, "noise-dim": self.noise_dim,
            "gcn-layers": self.gcn_layers, "prop-rounds": self.prop_rounds,
        }  # fmt: skip
        for flag, value in positive.items():
            if value < 1:
                raise ConfigError(f"--nag-{flag} must be at least 1, got {value}")
        if self.lr <= 0 or self.temperature <= 0:
            raise ConfigError(f"--nag-lr and --nag-temperature must be positive, got {self.lr} and {self.temperature}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"--nag-dropout must be in [0, 1), got {self.dropout}")
        if self.flip_epochs < 0 or not 0 <= self.flip_prob <= 0.5:
            raise ConfigError(f"--nag-flip-epochs must be >= 0 and --nag-flip-prob in [0, 0.5], got {self.flip_epochs} and {self.flip_prob}")
        for flag, value, choices in (
            ("loss", self.loss, LOSSES),
            ("graph", self.graph, GRAPHS),
            ("readout", self.readout, READOUTS),
            ("discriminator-readout", self.discriminator_readout, DISCRIMINATOR_READOUTS),
        ):
            if value not in choices:
                raise ConfigError(f"--nag-{flag} must be one of {', '.join(choices)}, got {value!r}")
