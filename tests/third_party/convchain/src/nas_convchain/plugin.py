"""Plugin ``convchain``: adds ``--space convchain`` (space.py) and its two options.

Load it next to a strategy: ``nas search --plugin random --plugin convchain --space convchain
--dataset digits``. The space is made, and its options checked, only when a run names it.
"""

from __future__ import annotations

from typing import Any, Mapping

from nas_core import ConfigError, OptionGroup, Registry, hookimpl

from nas_convchain.space import ConvChainSpace


def make_space(options: Mapping[str, Any]) -> ConvChainSpace:
    depth, channels = options["convchain_depth"], options["convchain_channels"]
    if depth < 1:
        raise ConfigError(f"--convchain-depth must be at least 1, got {depth}")
    if channels < 1:
        raise ConfigError(f"--convchain-channels must be at least 1, got {channels}")
    return ConvChainSpace(depth, channels)


@hookimpl
def nas_register(registry: Registry) -> None:
    registry.add_space("convchain", make_space, "chains of 1-D convolutions and pools (--convchain-depth)")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--convchain-depth", type=int, default=3, help="layers per chain")
    group.addoption("--convchain-channels", type=int, default=8, help="channels of every convolution")
