"""Plugin ``gpnas``: the whole method of Ai & Zhang (paper Fig. 2).

Two BOHBs (SMAC3's MultiFidelityFacade, or the paper's Algorithm 1 sampler) take turns over the
decoupled topology space D_sk and operator space D_op; the GCN predictor filters their children
after a warm-up; children are trained (or looked up) with a dropout blocker on skip connections
whose rate decays over the budget. Requires ``gpnas-predictor`` (the filter and its options) and
``gpnas-space`` (the generalized-operator space ``nb201-gen``); both are configured before this
plugin, so with ``--gpnas-revive`` the strategy gets the run's filter to re-screen its skipped
children with.
"""

from __future__ import annotations

from nas_core import (
    Capability, Config, ConfigError, FidelityBudgets, OptionGroup, declare, fidelity_budgets, from_options, hookimpl,
    stable_seed,
)

from nas_gpnas.decoupling import MISSING, PRESENT, Decoupling, Values
from nas_gpnas.predictor_plugin import configured_filter
from nas_gpnas.revival import Revival
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings
from nas_gpnas.settings import GPNASSettings
from nas_gpnas.strategy import GPNAS, OPERATORS, TOPOLOGY

NAS_REQUIRES = frozenset({Capability.DECISIONS})
NAS_PLUGINS = ("gpnas-space", "gpnas-predictor")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, GPNASSettings)


def bohb_settings(config: Config, settings: GPNASSettings) -> tuple[BOHBSettings, FidelityBudgets]:
    """The BOHBs' settings, and the run's budgets as fidelities (the same as ``bohb``'s and
    ``hyperband``'s): epochs when training, a table's recorded fidelities, or a single fidelity."""
    budgets = fidelity_budgets(config, settings.eta, settings.min_epochs, "--gpnas-min-epochs")
    if not budgets.multi_fidelity:
        return BOHBSettings(sampler=settings.sampler, eta=settings.eta, kde=settings.kde), budgets
    return BOHBSettings(settings.sampler, settings.eta, budgets.low, budgets.high, settings.kde), budgets


def fixed_topology(text: str, decoupling: Decoupling) -> Values | None:
    text = text.strip()
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
    options = from_options(GPNASSettings, config.options)
    space = config.space
    decoupling = Decoupling.of(space)
    settings, budgets = bohb_settings(config, options)
    topology = fixed_topology(options.topology, decoupling)
    spaces = {OPERATORS: decoupling.operator_space()}
    if decoupling.has_topology and topology is None:
        spaces[TOPOLOGY] = decoupling.topology_space(edge_prior=options.edge_prior or decoupling.edge_share())
    searchers = {
        name: BOHBSearcher(name, cs, settings, stable_seed(config.seed, "gpnas", name)) for name, cs in spaces.items()
    }
    gate = configured_filter(config) if options.revive else None  # no filter: nothing is ever skipped
    config.register(
        GPNAS(
            space,
            decoupling,
            searchers,
            fidelities=budgets,
            skip_dropout=options.skip_dropout,
            topology=topology,
            learn_predictions=options.learn_predictions,
            revival=Revival(space, gate) if gate is not None else None,
            seed=stable_seed(config.seed, "gpnas", "random children"),
        )
    )
