"""SMAC's acquisition maximizer, proposing the same in every process (for plugins that drive SMAC).

A strategy that drives SMAC resumes a study by replaying what SMAC was asked and told into a
fresh, seeded SMAC (:mod:`nas_core.ask_tell`); that needs SMAC to propose the same configurations
whatever process it runs in. SMAC's default acquisition maximizer does not: its local search
(SMAC 2.4.1 and its successors) deduplicates its start points through a ``set`` of configurations,
whose order follows ``hash(repr(config))``, and string hashing is salted per process. Sorted by
their vectors, the start points are the same set in the same order everywhere.

Needs ``smac`` (``pip install "nas-core[bohb]"``); imported only where it is used.
"""

from __future__ import annotations

from typing import Any

from ConfigSpace import Configuration, ConfigurationSpace
from smac.acquisition.maximizer.local_and_random_search import LocalAndSortedRandomSearch
from smac.acquisition.maximizer.local_search import LocalSearch

from nas_core.errors import PluginError


def _vector(config: Configuration) -> bytes:
    return config.get_array().tobytes()


class _OrderedLocalSearch(LocalSearch):
    """SMAC's local search with its start points in a reproducible order. SMAC has no public way
    to order them: this overrides a private method."""

    def _get_initial_points(self, *args: Any, **kwargs: Any) -> list[Configuration]:
        return sorted(super()._get_initial_points(*args, **kwargs), key=_vector)


class OrderedLocalAndSortedRandomSearch(LocalAndSortedRandomSearch):
    """SMAC's default acquisition maximizer (``LocalAndSortedRandomSearch``, which SMAC's
    hyper-parameter optimization and multi-fidelity facades use) with its local search's start
    points in a reproducible order (see the module doc). The maximizer builds its local search
    itself, with no public way to pass another: this replaces SMAC's (a private attribute) by one
    built from the same public arguments, and refuses a SMAC that no longer has it."""

    def __init__(self, configspace: ConfigurationSpace, *, challengers: int = 5000, seed: int = 0) -> None:
        super().__init__(configspace, challengers=challengers, seed=seed)
        if type(getattr(self, "_local_search", None)) is not LocalSearch:
            raise PluginError("this SMAC version's acquisition maximizer has no local search nas knows how to order")
        self._local_search = _OrderedLocalSearch(configspace, seed=seed)
