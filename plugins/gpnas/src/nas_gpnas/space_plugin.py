"""Plugin ``gpnas-space``: registers the trainable generalized-operator cell spaces ``nb201-gen``
(NB201's operations) and ``nb201-gen13`` (NASNet's 13, the paper's).

``nas search --plugin evolution --plugin gpnas-space --space nb201-gen --dataset digits`` searches
them with any strategy; the ``gpnas`` plugin requires this one, so it has the spaces too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nas_core import Registry, hookimpl

from nas_gpnas.generalized import GeneralizedSpace, NASNetOpsSpace

_DESCRIPTIONS: dict[type[GeneralizedSpace], str] = {
    GeneralizedSpace: "NB201 cells of generalized operators: op x activation x init (GPNAS; --nb201-channels, --nb201-cells)",
    NASNetOpsSpace: "NB201 cells of generalized operators over NASNet's 13 ops x activation x init (GPNAS paper III.A)",
}


def space_factory(space_type: type[GeneralizedSpace]) -> Callable[[Mapping[str, Any]], GeneralizedSpace]:
    def build(options: Mapping[str, Any]) -> GeneralizedSpace:
        return space_type(channels=options["nb201_channels"], cells=options["nb201_cells"])

    return build


@hookimpl
def nas_register(registry: Registry) -> None:
    for space_type, description in _DESCRIPTIONS.items():
        registry.add_space(space_type.name, space_factory(space_type), description)
