"""Options shared by ``nag`` and ``nag-generator``: the GAN, the NAS dataset, the supernet.

Both entry points declare them through :func:`declare_shared`, which skips options that are
already declared, so the two plugins can be loaded together. Defaults are the paper's (section
4.1.2 for the supernet, 4.1.3 for the GAN) unless the help says otherwise.
"""

from __future__ import annotations

from typing import Any

from nas_core import Config, ConfigError, OptionGroup, SearchSpace
from nas_nag.settings import DISCRIMINATOR_READOUTS, GRAPHS, LOSSES, READOUTS, GANSettings
from nas_nag.supernet import SupernetSettings

DATASETS = ("evaluate", "supernet")
OPEN_DOMAIN_DATASET = 4000  # section 4.1.2: the paper's NAS dataset on CIFAR-10
SPACE_FRACTION = 0.01  # section 4.5.1: 1% of NAS-Bench-101

_SHARED: tuple[tuple[str, type, Any, str, tuple[str, ...] | None], ...] = (
    ("--nag-epochs", int, 200, "GAN training epochs over the NAS dataset", None),
    ("--nag-batch-size", int, 64, "GAN minibatch size m", None),
    ("--nag-lr", float, 2e-4, "Adam learning rate of both networks", None),
    ("--nag-dropout", float, 0.5, "dropout rate of both networks", None),
    ("--nag-node-dim", int, 250, "node embedding size", None),
    ("--nag-graph-dim", int, 56, "graph embedding size", None),
    ("--nag-label-dim", int, 10, "label embedding size", None),
    ("--nag-noise-dim", int, 100, "noise size", None),
    ("--nag-gcn-layers", int, 3, "GCN layers L of the discriminator (not in the paper)", None),
    ("--nag-prop-rounds", int, 1, "message-passing rounds per PropGraph step (not in the paper)", None),
    ("--nag-temperature", float, 1.0, "temperature of the Gumbel-softmax node and edge probabilities (not in the paper)", None),
    ("--nag-discriminator-readout", str, "sum", "graph readout of the discriminator (not in the paper)", DISCRIMINATOR_READOUTS),
    ("--nag-flip-epochs", int, 20, "epochs with label flipping (not in the paper)", None),
    ("--nag-flip-prob", float, 0.1, "probability of flipping a discriminator target then (not in the paper)", None),
    ("--nag-loss", str, "lsgan", "lsgan (paper) or bce (ablation)", LOSSES),
    ("--nag-graph", str, "straight-through", "the kept graph with the probabilities' gradients, or the paper's soft probability graph (collapses here; README)", GRAPHS),
    ("--nag-readout", str, "weighted-mean", "generator readout: weighted-mean (paper) or mean (ablation)", READOUTS),
    ("--nag-dataset", str, "evaluate", "NAS dataset: evaluate sampled architectures (table or training), or supernet", DATASETS),
    ("--nag-dataset-size", str, "auto", "architectures in the NAS dataset; auto: 1% of a finite space, else 4000", None),
    ("--nag-charge-dataset", bool, True, "charge NAS-dataset work that is not a trial (supernet, generator's table lookups) to the budget", None),
    ("--nag-supernet-epochs", int, 150, "supernet training epochs", None),
    ("--nag-supernet-batch-size", int, 96, "supernet minibatch size", None),
    ("--nag-supernet-lr", float, 0.025, "supernet SGD learning rate (cosine schedule)", None),
    ("--nag-supernet-weight-decay", float, 3e-4, "supernet L2 weight decay", None),
    ("--nag-supernet-keep-prob", float, 0.9, "supernet drop-connection keep probability", None),
    ("--nag-supernet-label-smoothing", float, 0.1, "supernet label smoothing", None),
)  # fmt: skip


def declare_shared(group: OptionGroup) -> None:
    for flag, kind, default, about, choices in _SHARED:
        if flag.lstrip("-").replace("-", "_") not in group:
            group.addoption(flag, type=kind, default=default, help=about, choices=choices)


def gan_settings(config: Config) -> GANSettings:
    o = config.option
    return GANSettings(
        epochs=o("nag_epochs"), batch_size=o("nag_batch_size"), lr=o("nag_lr"), dropout=o("nag_dropout"),
        node_dim=o("nag_node_dim"), graph_dim=o("nag_graph_dim"), label_dim=o("nag_label_dim"),
        noise_dim=o("nag_noise_dim"), gcn_layers=o("nag_gcn_layers"), prop_rounds=o("nag_prop_rounds"),
        temperature=o("nag_temperature"),
        discriminator_readout=o("nag_discriminator_readout"), flip_epochs=o("nag_flip_epochs"),
        flip_prob=o("nag_flip_prob"), loss=o("nag_loss"), graph=o("nag_graph"), readout=o("nag_readout"),
    )  # fmt: skip


def supernet_settings(config: Config) -> SupernetSettings:
    o = config.option
    return SupernetSettings(
        epochs=o("nag_supernet_epochs"), batch_size=o("nag_supernet_batch_size"), lr=o("nag_supernet_lr"),
        weight_decay=o("nag_supernet_weight_decay"), keep_prob=o("nag_supernet_keep_prob"),
        label_smoothing=o("nag_supernet_label_smoothing"),
    )  # fmt: skip


def dataset_size(config: Config, space: SearchSpace) -> int:
    text = str(config.option("nag_dataset_size")).strip()
    if text == "auto":
        return max(3, round(SPACE_FRACTION * space.size)) if space.size is not None else OPEN_DOMAIN_DATASET
    if not text.isdigit() or int(text) < 3:
        raise ConfigError(f"--nag-dataset-size must be auto or a count of at least 3, got {text!r}")
    return int(text)
