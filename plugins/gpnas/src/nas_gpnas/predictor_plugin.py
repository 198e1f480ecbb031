"""Plugin ``gpnas-predictor``: GPNAS's GCN predictor as a filter in front of any strategy.

``nas search --plugin evolution --plugin gpnas-predictor --benchmark nb201 --dataset cifar10 ...``:
after ``--gpnas-warmup`` trained candidates, the ones the predictor judges not worth training are
answered with their prediction at no cost (see :mod:`nas_gpnas.filter`). The ``gpnas`` strategy
requires this plugin; ``--gpnas-filter false`` leaves the filter out.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from nas_core import Capability, Config, OptionGroup, declare, from_options, hookimpl, stable_seed

from nas_gpnas.filter import FilterSettings, PredictorFilter

NAS_REQUIRES = frozenset({Capability.GRAPH})

# The filter of each run being configured, for a strategy plugin that requires this one (and is
# therefore configured after it) and works with the filter itself: GPNAS re-screens what it skipped.
_FILTERS: WeakKeyDictionary[Config, PredictorFilter] = WeakKeyDictionary()


def configured_filter(config: Config) -> PredictorFilter | None:
    """The filter this plugin registered for the run ``config`` configures (None: ``--gpnas-filter
    false``, or this plugin is not configured yet)."""
    return _FILTERS.get(config)


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
        gate = PredictorFilter(config.space, full_fidelity(config), settings, stable_seed(config.seed, "gpnas-filter"))
        config.register(gate)
        _FILTERS[config] = gate
