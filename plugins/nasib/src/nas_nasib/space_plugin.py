"""Plugin ``nasib-space``: the macro superkernel space alone (``--space nasib``), for any strategy.

``nas search --plugin evolution --plugin nasib-space --space nasib --dataset digits`` trains
kernel chains found by regularized evolution; the ``nasib`` strategy requires this plugin, so its
space and options come from here whether it is named or not.
"""

from __future__ import annotations

from typing import Any, Mapping

from nas_core import Config, OptionGroup, Registry, declare, from_options, hookimpl

from nas_nasib.settings import SpaceSettings
from nas_nasib.space import NasibSpace


def nasib_space(options: Mapping[str, Any]) -> NasibSpace:
    return from_options(SpaceSettings, options).space()


@hookimpl
def nas_register(registry: Registry) -> None:
    registry.add_space("nasib", nasib_space, "NASIB macro chain, one superkernel (every i x j kernel) per layer (--nasib-*)")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, SpaceSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    """A space of 2-D kernels cannot train on sequences (nor 1-D ones on images): one line, before any trial."""
    if isinstance(config.space, NasibSpace) and config.dataset is not None:
        config.space.require_shape(config.dataset.input_shape)
