"""SMAC's configuration selector for its random forest (``--gpnas-sampler smac``), without two costs
that grow with every answer.

Written against SMAC 2.4.1, whose ``ConfigSelector`` (``smac/main/config_selector.py``) spends most
of a GPNAS run in two places that SMAC offers no public way to change:

- ``_get_x_best`` predicts the incumbent's cost with one forest call per observed configuration,
  each through a joblib ``Parallel`` of the trees, and sorts the results;
- ``_processed_configs``, the configurations it has returned, is a list that every challenger of the
  acquisition maximizer is tested against with ``Configuration.__eq__``, which compares the
  configurations' values *and* their configuration spaces: a scan that grows with the run.

:class:`ForestConfigSelector` overrides exactly these two private parts, and proposes the same
configurations (the fingerprint's ``gpnas_smac`` trial sequence is unchanged). What breaks if SMAC
changes them: a renamed attribute or method would silently stop being overridden (slow again, not
different), and a ``_get_x_best`` that no longer means "the model's predicted best" would make this
one propose differently. The guard in ``__init__`` refuses both, with a one-line error, rather than
let either happen unnoticed.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

import numpy as np
from ConfigSpace import Configuration
from smac import Scenario
from smac.main.config_selector import ConfigSelector

from nas_core import PluginError

from nas_gpnas.decoupling import config_key


class _ConfigList(list):
    """A list of configurations of one configuration space whose ``in`` is a hash lookup.

    Within one selector every configuration belongs to the scenario's space, so two of them are
    equal (``Configuration.__eq__``) exactly when their vectors are."""

    def __init__(self, configs: Iterable[Configuration] = ()) -> None:
        super().__init__(configs)
        self._keys = {config_key(c) for c in self}

    def append(self, config: Configuration) -> None:
        super().append(config)
        self._keys.add(config_key(config))

    def __contains__(self, config: object) -> bool:
        return isinstance(config, Configuration) and config_key(config) in self._keys


class ForestConfigSelector(ConfigSelector):
    """SMAC's ``ConfigSelector`` with the incumbent predicted in one batch and the processed
    configurations looked up by hash (see the module doc: why, and what SMAC may break)."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(scenario)
        base_x_best = getattr(ConfigSelector, "_get_x_best", None)
        if (
            not isinstance(self.__dict__.get("_processed"), _ConfigList)  # SMAC's __init__ set it through us
            or getattr(self, "_predict_x_best", None) is not True
            or base_x_best is None
            or list(inspect.signature(base_x_best).parameters) != ["self", "X"]
        ):
            raise PluginError(
                "GPNAS's smac sampler was written against SMAC 2.4's ConfigSelector and does not know this "
                "SMAC version's (_processed_configs, _get_x_best): see nas_gpnas/forest_selector.py"
            )

    @property  # type: ignore[override]
    def _processed_configs(self) -> _ConfigList:
        return self._processed

    @_processed_configs.setter
    def _processed_configs(self, configs: Iterable[Configuration]) -> None:
        self._processed = _ConfigList(configs)

    def _get_x_best(self, X: np.ndarray) -> tuple[np.ndarray, float]:
        """The configuration of ``X`` with the lowest predicted cost, and that cost. The forest
        predicts each row on its own (the trees' mean along each row), so one call for all rows
        gives the same means as SMAC's one call per row; ``argmin`` keeps the first of equal means,
        as SMAC's stable sort does."""
        assert self._model is not None
        means, _ = self._model.predict_marginalized(X)
        best = int(np.argmin(means[:, 0]))
        return X[best], means[best, 0]
