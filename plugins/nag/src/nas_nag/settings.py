"""What ``nag`` and ``nag-generator`` share: the GAN, the NAS dataset and the supernet (torch-free).

Defaults are the paper's (section 4.1.2 for the supernet, 4.1.3 for the GAN) unless the help says
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nas_core import SearchSpace, Settings, setting

LOSSES = ("lsgan", "bce")
GRAPHS = ("probability", "straight-through")
READOUTS = ("weighted-mean", "mean")
DISCRIMINATOR_READOUTS = ("max", "mean", "sum")
DATASETS = ("evaluate", "supernet")
OPEN_DOMAIN_DATASET = 4000  # section 4.1.2: the paper's NAS dataset on CIFAR-10
SPACE_FRACTION = 0.01  # section 4.5.1: 1% of NAS-Bench-101


@dataclass(frozen=True)
class GANSettings(Settings, prefix="nag"):
    epochs: int = setting(200, "GAN training epochs over the NAS dataset", at_least=1)
    batch_size: int = setting(64, "GAN minibatch size m", at_least=1)
    lr: float = setting(2e-4, "Adam learning rate of both networks", above=0)
    dropout: float = setting(0.5, "dropout rate of both networks", at_least=0, below=1)
    node_dim: int = setting(250, "node embedding size", at_least=1)
    graph_dim: int = setting(56, "graph embedding size", at_least=1)
    label_dim: int = setting(10, "label embedding size", at_least=1)
    noise_dim: int = setting(100, "noise size", at_least=1)
    # Not given by the paper:
    gcn_layers: int = setting(3, "GCN layers L of the discriminator (not in the paper)", at_least=1)
    # Embeddings persist across PropGraph steps.
    prop_rounds: int = setting(1, "message-passing rounds per PropGraph step (not in the paper)", at_least=1)
    # Of the Gumbel-softmax / binary-concrete probabilities (PyTorch's default).
    temperature: float = setting(1.0, "temperature of the Gumbel-softmax node and edge probabilities (not in the paper)", above=0)
    # A_G of the discriminator ("different from the generator's").
    discriminator_readout: str = setting("sum", "graph readout of the discriminator (not in the paper)", choices=DISCRIMINATOR_READOUTS)
    # Label flipping "early on": the first 10% of the epochs flip each of the discriminator's
    # real/fake targets with flip_prob.
    flip_epochs: int = setting(20, "epochs with label flipping (not in the paper)", at_least=0)
    flip_prob: float = setting(0.1, "probability of flipping a discriminator target then (not in the paper)", at_least=0, at_most=0.5)
    # The paper's choices, with the ablations' alternatives (section 4.4): least squares with
    # a = 0, b = c = 1, or "bce"; the generator's gated readout, or "mean".
    loss: str = setting("lsgan", "lsgan (paper) or bce (ablation)", choices=LOSSES)
    readout: str = setting("weighted-mean", "generator readout: weighted-mean (paper) or mean (ablation)", choices=READOUTS)
    # How generated graphs reach the discriminator: "probability" (the paper's probability graph:
    # soft op and edge probabilities) or "straight-through" (the kept graph, with the gradients of
    # the probabilities). Not the paper's default: measured on NB201 (README), the probability
    # graph lets the discriminator tell soft from one-hot rows and the generator collapses.
    graph: str = setting("straight-through", "the kept graph with the probabilities' gradients, or the paper's soft probability graph (collapses here; README)", choices=GRAPHS)


def _count_or_auto(text: str) -> bool:
    text = text.strip()
    return text == "auto" or (text.isdigit() and int(text) >= 3)


@dataclass(frozen=True)
class NASDatasetSettings(Settings, prefix="nag"):
    """The NAS dataset NAG trains on: how it is made, how big, and whether the budget pays for it."""

    dataset: str = setting("evaluate", "NAS dataset: evaluate sampled architectures (table or training), or supernet", choices=DATASETS)
    dataset_size: str = setting("auto", "architectures in the NAS dataset; auto: 1% of a finite space, else 4000",
                                check=_count_or_auto, expect="auto or a count of at least 3")
    charge_dataset: bool = setting(True, "charge NAS-dataset work that is not a trial (supernet, generator's table lookups) to the budget")

    def size(self, space: SearchSpace) -> int:
        """Architectures in the NAS dataset: the count given, or for auto 1% of a finite space (the
        paper's NAS-Bench-101 protocol, section 4.5.1), else the paper's 4000 (section 4.1.2)."""
        text = self.dataset_size.strip()
        if text != "auto":
            return int(text)
        return max(3, round(SPACE_FRACTION * space.size)) if space.size is not None else OPEN_DOMAIN_DATASET


@dataclass(frozen=True)
class SupernetSettings(Settings, prefix="nag-supernet"):
    epochs: int = setting(150, "supernet training epochs", at_least=1)
    batch_size: int = setting(96, "supernet minibatch size", at_least=1)
    lr: float = setting(0.025, "supernet SGD learning rate (cosine schedule)", above=0)
    weight_decay: float = setting(3e-4, "supernet L2 weight decay", at_least=0)
    keep_prob: float = setting(0.9, "supernet drop-connection keep probability", above=0, at_most=1)
    label_smoothing: float = setting(0.1, "supernet label smoothing", at_least=0, below=1)


@dataclass(frozen=True)
class NAGSettings(Settings):
    """Everything ``nag`` and ``nag-generator`` share, declared once by ``nag-gan``."""

    gan: GANSettings = field(default_factory=GANSettings)
    data: NASDatasetSettings = field(default_factory=NASDatasetSettings)
    supernet: SupernetSettings = field(default_factory=SupernetSettings)
