"""Hyperband as SMAC3 runs it (plugin ``hyperband``): SMAC's Hyperband facade, successive halving
over budgets with configurations drawn at random (see facades.py), over the space's configuration
space. Fidelities: ``nas_core.fidelity_budgets`` (shared with ``gpnas``)."""

from __future__ import annotations

from nas_core import Capability, Config, OptionGroup, declare, from_options, hookimpl

from nas_smac.facades import hyperband_facade, smac_strategy
from nas_smac.settings import HyperbandSettings

NAS_REQUIRES = frozenset({Capability.CONFIGSPACE})


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, HyperbandSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    config.register(smac_strategy("hyperband", config, from_options(HyperbandSettings, config.options), hyperband_facade))
