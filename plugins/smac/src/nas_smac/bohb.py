"""BOHB as SMAC3 runs it (plugin ``bohb``): SMAC's multi-fidelity facade, Hyperband brackets whose
configurations come from SMAC's random forest (see facades.py), over the space's configuration
space (``SearchSpace.to_configspace``: one categorical per decision, unless the space says more).
Fidelities: ``nas_core.fidelity_budgets`` (shared with ``gpnas``)."""

from __future__ import annotations

from nas_core import Capability, Config, OptionGroup, declare, from_options, hookimpl

from nas_smac.facades import bohb_facade, smac_strategy
from nas_smac.settings import BOHBSettings

NAS_REQUIRES = frozenset({Capability.CONFIGSPACE})


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, BOHBSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    config.register(smac_strategy("bohb", config, from_options(BOHBSettings, config.options), bohb_facade))
