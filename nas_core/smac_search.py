"""SMAC's model and acquisition maximizer as plugins that drive SMAC need them: the same in every
process, and without SMAC's costs that buy nothing.

A strategy that drives SMAC resumes a study by replaying what SMAC was asked and told into a
fresh, seeded SMAC (:mod:`nas_core.ask_tell`); that needs SMAC to propose the same configurations
whatever process it runs in. SMAC's default acquisition maximizer does not: its local search
(SMAC 2.4.1 and its successors) deduplicates its start points through a ``set`` of configurations,
whose order follows ``hash(repr(config))``, and string hashing is salted per process. Sorted by
their vectors, the start points are the same set in the same order everywhere.

SMAC's random forest (its facades' ``get_model``) predicts through a thread pool started for every
prediction, and bounds its trees at 2**20 leaves, a bound never reached that makes scikit-learn
grow them best-first: together 8x slower than one thread growing the same unbounded trees
depth-first (on NB201, 110 asks of SMAC's multi-fidelity facade: 42 s against 5.6 s).

Needs ``smac`` (``pip install "nas-core[bohb]"``); imported only where it is used.
"""

from __future__ import annotations

from typing import Any

from ConfigSpace import Configuration, ConfigurationSpace
from smac.acquisition.maximizer.local_and_random_search import LocalAndSortedRandomSearch
from smac.acquisition.maximizer.local_search import LocalSearch
from smac.model.random_forest import RandomForest
from smac.scenario import Scenario

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


def smac_forest(scenario: Scenario) -> RandomForest:
    """The forest of SMAC's hyper-parameter optimization and multi-fidelity facades (their
    ``get_model``: 10 trees, all features, splits down to single samples, bootstrapping, log costs),
    predicting in one thread and grown depth-first (see the module doc)."""
    return RandomForest(
        scenario.configspace,
        log_y=True,
        n_trees=10,
        ratio_features=1.0,
        min_samples_split=2,
        min_samples_leaf=1,
        max_depth=2**20,
        bootstrapping=True,
        max_leaf_nodes=None,  # type: ignore[arg-type]  # unbounded: depth-first
        n_jobs=1,
        instance_features=scenario.instance_features,
        seed=scenario.seed,
    )
