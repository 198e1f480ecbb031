"""Plugin ``darts-space``: the DARTS cell space alone (``--space darts``), for any strategy.

``nas search --plugin evolution --plugin darts-space --space darts --dataset digits`` trains
DARTS cells found by regularized evolution; the ``darts`` strategy requires this plugin, so its
space and options come from here whether it is named or not.
"""

from __future__ import annotations

from typing import Any, Mapping

from nas_core import OptionGroup, Registry, hookimpl

from nas_darts.space import DartsCellSpace


def darts_space(options: Mapping[str, Any]) -> DartsCellSpace:
    return DartsCellSpace(channels=options["darts_channels"], layers=options["darts_layers"])


@hookimpl
def nas_register(registry: Registry) -> None:
    registry.add_space("darts", darts_space, "DARTS normal + reduction cells, 7 ops (--darts-channels, --darts-layers)")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    """DARTS' search network: 8 cells from 16 channels (its evaluation network: 20 cells, 36)."""
    group.addoption("--darts-channels", type=int, default=16, help="channels of the first DARTS cells (DARTS search: 16)")
    group.addoption("--darts-layers", type=int, default=8, help="cells of a DARTS network, two of them reductions (DARTS search: 8)")
