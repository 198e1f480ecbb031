"""Plugin ``gpnas-predictor``: GPNAS's GCN predictor as a filter in front of any strategy.

``nas search --plugin evolution --plugin gpnas-predictor --benchmark nb201 --dataset cifar10 ...``:
after ``--gpnas-warmup`` trained candidates, the ones the predictor judges not worth training are
answered with their prediction at no cost (see :mod:`nas_gpnas.filter`). The ``gpnas`` strategy
requires this plugin; ``--gpnas-filter false`` leaves the filter out.
"""

from __future__ import annotations

from nas_core import Capability, Config, OptionGroup, declare, from_options, hookimpl, stable_seed

from nas_gpnas.filter import FilterSettings, PredictorFilter

NAS_REQUIRES = frozenset({Capability.GRAPH})


def full_fidelity(config: Config) -> int:
    """Epochs of a full-fidelity trial: the table's largest fidelity (0 for a single one), or training's."""
    if config.benchmark is not None:
        return max(config.benchmark.fidelities or (0,))
    return int(config.option("train_epochs"))


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--gpnas-filter", type=bool, default=True, help="let the GCN predictor filter the candidates (false: the alternating BOHBs alone)")
    declare(group, FilterSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    settings = from_options(FilterSettings, config.options)
    if config.option("gpnas_filter"):
        config.register(PredictorFilter(config.space, full_fidelity(config), settings, stable_seed(config.seed, "gpnas-filter")))
