"""Plugin ``gpnas-space``: registers the trainable generalized-operator cell space ``nb201-gen``.

``nas search --plugin evolution --plugin gpnas-space --space nb201-gen --dataset digits`` searches
it with any strategy; the ``gpnas`` plugin requires this one, so it has the space too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nas_core import Registry, hookimpl

from nas_gpnas.generalized import GeneralizedSpace


def generalized_space(options: Mapping[str, Any]) -> GeneralizedSpace:
    return GeneralizedSpace(channels=options["nb201_channels"], cells=options["nb201_cells"])


@hookimpl
def nas_register(registry: Registry) -> None:
    registry.add_space(
        GeneralizedSpace.name,
        generalized_space,
        "NB201 cells of generalized operators: op x activation x init (GPNAS; --nb201-channels, --nb201-cells)",
    )
