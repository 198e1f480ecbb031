"""``--space NAME`` for searches that train (no benchmark)."""

from __future__ import annotations

from collections.abc import Callable

from nas_core.config import RunSpec
from nas_core.errors import ConfigError
from nas_core.spaces.base import SearchSpace
from nas_core.spaces.mlp import MLPSpace
from nas_core.spaces.nb201 import NB201Space

SPACES: dict[str, Callable[[RunSpec], SearchSpace]] = {
    "nb201": lambda spec: NB201Space(),
    "mlp": lambda spec: MLPSpace(),
}


def make_space(name: str, spec: RunSpec) -> SearchSpace:
    factory = SPACES.get(name)
    if factory is None:
        raise ConfigError(f"unknown search space '{name}' (choose from {', '.join(sorted(SPACES))})")
    return factory(spec)
