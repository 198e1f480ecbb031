"""Plugin ``gpnas-predictor``: GPNAS's GCN predictor as a filter in front of any strategy.

``nas search --plugin evolution --plugin gpnas-predictor --benchmark nb201 --dataset cifar10 ...``:
after ``--gpnas-warmup`` trained candidates, the ones the predictor judges not worth training are
answered with their prediction at no cost (see :mod:`nas_gpnas.filter`).
"""

from __future__ import annotations

from nas_core import Capability, Config, OptionGroup, hookimpl, stable_seed

from nas_gpnas.filter import PredictorFilter
from nas_gpnas.options import FILTER_OPTIONS, declare, filter_settings

NAS_REQUIRES = frozenset({Capability.GRAPH})


def full_fidelity(config: Config) -> int:
    """Epochs of a full-fidelity trial: the table's largest fidelity (0 for a single one), or training's."""
    if config.benchmark is not None:
        return max(config.benchmark.fidelities or (0,))
    return int(config.option("train_epochs"))


def make_filter(config: Config) -> PredictorFilter:
    return PredictorFilter(config.space, full_fidelity(config), filter_settings(config), stable_seed(config.seed, "gpnas-filter"))


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, FILTER_OPTIONS)


@hookimpl
def nas_configure(config: Config) -> None:
    if "gpnas" in config.spec.plugins:
        return  # the gpnas plugin registers the filter itself (and refuses the combination)
    config.register(make_filter(config))
