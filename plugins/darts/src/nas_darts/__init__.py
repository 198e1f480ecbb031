"""DARTS and MiLeNAS for nas, and the differentiable-search machinery other plugins build on.

The public interface (also importable from the modules named in brackets)::

    Supernet, NB201Supernet, DartsSupernet, build_supernet    [nas_darts.supernet]
    ArchitectureParameters                                    [nas_darts.alphas]
    ArchitectureGradient, FirstOrder, SecondOrder, MiLeNAS,
    finite_difference_hvp                                     [nas_darts.architect]
    SupernetSearch, EpochReport, EpochTraining                [nas_darts.search]
    SearchSettings                                            [nas_darts.settings]
    CellHealth, cell_health                                   [nas_darts.collapse]
    DartsGenotype, DartsCellSpace, DartsNetwork               [nas_darts.genotype, .space, .network]
    derive_nb201, derive_darts                                [nas_darts.derive]

The mixed operation (full, or over sampled paths) is the core's: ``from nas_core import MixedOp,
sample_paths``, so plugins that do not search with DARTS (NASIB) use it without requiring darts.

Names are resolved on first use, so importing the plugin (``nas plugins``, option parsing) does
not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nas_darts.alphas import ArchitectureParameters
    from nas_darts.architect import ArchitectureGradient, FirstOrder, MiLeNAS, SecondOrder, finite_difference_hvp
    from nas_darts.collapse import CellHealth, cell_health
    from nas_darts.derive import derive_darts, derive_nb201
    from nas_darts.genotype import DartsGenotype
    from nas_darts.network import DartsNetwork
    from nas_darts.search import EpochReport, EpochTraining, SupernetSearch
    from nas_darts.settings import SearchSettings
    from nas_darts.space import DartsCellSpace
    from nas_darts.supernet import DartsSupernet, NB201Supernet, Supernet, build_supernet

_HOMES = {
    "ArchitectureParameters": "alphas",
    "ArchitectureGradient": "architect", "FirstOrder": "architect", "MiLeNAS": "architect",
    "SecondOrder": "architect", "finite_difference_hvp": "architect",
    "CellHealth": "collapse", "cell_health": "collapse",
    "derive_darts": "derive", "derive_nb201": "derive",
    "DartsGenotype": "genotype",
    "DartsNetwork": "network",
    "EpochReport": "search", "EpochTraining": "search", "SearchSettings": "settings", "SupernetSearch": "search",
    "DartsCellSpace": "space",
    "DartsSupernet": "supernet", "NB201Supernet": "supernet", "Supernet": "supernet", "build_supernet": "supernet",
}  # fmt: skip

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'nas_darts' has no attribute {name!r}")
    return getattr(importlib.import_module(f"nas_darts.{home}"), name)
