"""Essential: the datasets and search spaces that ship with the core, and their options."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from nas_core.datasets import builtin as datasets
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.registry import Registry
from nas_core.spaces.mlp import MLPSpace
from nas_core.spaces.nb201 import NB201Space


def nb201_space(options: Mapping[str, Any]) -> NB201Space:
    return NB201Space(channels=options["nb201_channels"], cells=options["nb201_cells"])


def mlp_space(options: Mapping[str, Any]) -> MLPSpace:
    return MLPSpace(max_layers=options["mlp_max_layers"], dropout_rate=options["mlp_dropout"])


@hookimpl
def nas_register(registry: Registry) -> None:
    # Loaded once per process: a bench or a notebook running many searches reuses them.
    for loader, about in (
        (datasets.digits, "8x8 handwritten digits, 1797 images, 10 classes (scikit-learn)"),
        (datasets.wine, "wine recognition, 178 x 13 features, 3 classes (scikit-learn)"),
        (datasets.breast_cancer, "breast cancer Wisconsin, 569 x 30 features, binary (scikit-learn)"),
        (datasets.mnist1d, "MNIST-1D, 5000 signals of 40 samples, 10 classes (generated)"),
        (datasets.cifar10, "CIFAR-10 from <data-dir>/cifar-10-batches-py"),
    ):
        registry.add_dataset(loader.__name__, lru_cache(maxsize=4)(loader), about)
    registry.add_space("nb201", nb201_space, "NB201 cells in NB201 networks (--nb201-channels, --nb201-cells)")
    registry.add_space("mlp", mlp_space, "MLPNAS chains: widths 8..512 x sigmoid/tanh/relu/elu, dropout")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--nb201-channels", type=int, default=16, help="channels of the first NB201 stage")
    group.addoption("--nb201-cells", type=int, default=5, help="cells per stage of NB201 networks")
    group.addoption("--mlp-max-layers", type=int, default=10, help="most dense layers of an MLP")
    group.addoption("--mlp-dropout", type=float, default=0.2, help="rate of the MLP space's dropout layers")
    group.addoption("--split-seed", type=int, default=0, help="seed of the train/validation/test split")
    group.addoption("--target", type=str, default=None, help="the column of class labels of a CSV --dataset")
