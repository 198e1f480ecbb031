"""Plugin ``nag-space``: registers the paper's open-domain cell space as ``--space nag-open``.

Any strategy can search it (``--plugin evolution --plugin nag-space --space nag-open --dataset
digits``); candidates train through the core's training estimator. Defaults are the paper's
search-phase networks (section 4.1.2: 3 cells per stack, 20 channels; N = 10 nodes per cell,
section 4.1.1); its final networks use ``--nag-space-cells 6 --nag-space-channels 36``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nas_core import OptionGroup, Registry, hookimpl
from nas_nag.opendomain import OpenDomainSpace


def open_domain_space(options: Mapping[str, Any]) -> OpenDomainSpace:
    return OpenDomainSpace(
        max_nodes=options["nag_space_max_nodes"],
        channels=options["nag_space_channels"],
        cells=options["nag_space_cells"],
        stacks=options["nag_space_stacks"],
    )


@hookimpl
def nas_register(registry: Registry) -> None:
    registry.add_space(
        "nag-open",
        open_domain_space,
        "NAG's open-domain DAG cells: up to N nodes of identity, sep conv 3x3/5x5, avg/max pool 3x3",
    )


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--nag-space-max-nodes", type=int, default=10, help="most nodes of a cell, input and output included (N)")
    group.addoption("--nag-space-channels", type=int, default=20, help="channels of the first stack")
    group.addoption("--nag-space-cells", type=int, default=3, help="cells per stack (N_cell)")
    group.addoption("--nag-space-stacks", type=int, default=3, help="stacks, each ending in a reduction (N_stack)")
