"""Plugin ``gpnas``: the whole method of Ai & Zhang (paper Fig. 2).

Two BOHBs (SMAC3's MultiFidelityFacade, or the paper's Algorithm 1 sampler) take turns over the
decoupled topology space D_sk and operator space D_op; the GCN predictor filters their children
after a warm-up; children are trained (or looked up) with a dropout blocker on skip connections
whose rate decays over the budget. Also registers the generalized-operator space ``nb201-gen``.
"""

from __future__ import annotations

import math

from nas_core.config import Config, stable_seed
from nas_core.errors import ConfigError
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.registry import Registry
from nas_core.spaces.base import Capability

from nas_gpnas.decoupling import MISSING, PRESENT, Decoupling, Values
from nas_gpnas.options import FILTER_OPTIONS, STRATEGY_OPTIONS, declare, kde_settings
from nas_gpnas.predictor_plugin import make_filter
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings
from nas_gpnas.space_plugin import register_space
from nas_gpnas.strategy import GPNAS, OPERATORS, TOPOLOGY

NAS_REQUIRES = frozenset({Capability.DECISIONS})


@hookimpl
def nas_register(registry: Registry) -> None:
    register_space(registry)


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, STRATEGY_OPTIONS)
    declare(group, FILTER_OPTIONS)


def bohb_settings(config: Config) -> tuple[BOHBSettings, tuple[int, ...] | None]:
    """The BOHBs' budgets (epochs), and the fidelities a table records (None: any epoch count)."""
    eta = config.option("gpnas_eta")
    if eta < 2:
        raise ConfigError(f"--gpnas-eta must be at least 2, got {eta}")
    base = BOHBSettings(sampler=config.option("gpnas_sampler"), eta=eta, kde=kde_settings(config))
    if config.benchmark is not None:
        levels = config.benchmark.fidelities
        if not levels or len(levels) == 1:
            return base, None  # a single fidelity: every trial at full fidelity
        return BOHBSettings(base.sampler, eta, min(levels), max(levels), base.kde), tuple(levels)
    most = int(config.option("train_epochs"))
    least = config.option("gpnas_min_epochs") or max(1, math.ceil(most / eta**2))
    if not 1 <= least <= most:
        raise ConfigError(f"--gpnas-min-epochs must be in 1..{most} (--train-epochs), got {least}")
    return BOHBSettings(base.sampler, eta, least, most, base.kde), None


def fixed_topology(config: Config, decoupling: Decoupling) -> Values | None:
    text = config.option("gpnas_topology").strip()
    if not text:
        return None
    if len(text) != len(decoupling.edges) or set(text) - {"0", "1"}:
        raise ConfigError(
            f"--gpnas-topology needs one 0/1 per edge ({len(decoupling.edges)}: "
            f"{', '.join(d.name for d in decoupling.edges)}), got {text!r}"
        )
    topology = {d.name: PRESENT if bit == "1" else MISSING for d, bit in zip(decoupling.edges, text)}
    if not decoupling.connected(topology):
        raise ConfigError(f"--gpnas-topology {text} cuts the cell's output off from its input")
    return topology


@hookimpl
def nas_configure(config: Config) -> None:
    if "gpnas-predictor" in config.spec.plugins:
        raise ConfigError("--plugin gpnas already filters with the GCN predictor: leave out --plugin gpnas-predictor")
    skip_dropout = config.option("gpnas_skip_dropout")
    if not 0.0 <= skip_dropout < 1.0:
        raise ConfigError(f"--gpnas-skip-dropout must be in [0, 1), got {skip_dropout}")
    space = config.space
    if skip_dropout > 0 and config.spec.parallel and hasattr(space, "skip_dropout"):
        # The blocker wraps the estimate in the driver; a Dask worker builds and trains the child
        # from the architecture alone, without it. Refused rather than silently left out.
        raise ConfigError(
            "the skip-connection blocker cannot reach Dask workers (they train without it): "
            "give --gpnas-skip-dropout 0 with --workers/--scheduler, or train in one process"
        )
    decoupling = Decoupling.of(space)
    settings, fidelities = bohb_settings(config)
    topology = fixed_topology(config, decoupling)
    spaces = {OPERATORS: decoupling.operator_space()}
    if decoupling.has_topology and topology is None:
        spaces[TOPOLOGY] = decoupling.topology_space()
    searchers = {
        name: BOHBSearcher(name, cs, settings, stable_seed(config.seed, "gpnas", name)) for name, cs in spaces.items()
    }
    config.register(
        GPNAS(
            space,
            decoupling,
            searchers,
            fidelities=fidelities,
            skip_dropout=skip_dropout,
            topology=topology,
            learn_predictions=config.option("gpnas_learn_predictions"),
            seed=stable_seed(config.seed, "gpnas", "random children"),
        )
    )
    if config.option("gpnas_filter"):
        config.register(make_filter(config))
