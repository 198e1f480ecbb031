"""The smac sampler's configuration selector: SMAC's incumbent, faster; a SMAC it does not know refused."""

from __future__ import annotations

import numpy as np
import pytest
from smac import Scenario
from smac.main.config_selector import ConfigSelector

from nas_core import NB201Space, PluginError

from nas_gpnas.decoupling import Decoupling
from nas_gpnas.forest_selector import ForestConfigSelector
from nas_gpnas.searcher import BOHBSearcher, BOHBSettings


def test_the_incumbent_is_the_one_smac_predicts_and_processed_configs_are_found() -> None:
    searcher = BOHBSearcher("operators", Decoupling.of(NB201Space()).operator_space(), BOHBSettings(sampler="smac"), seed=3)
    for k in range(30):
        searcher.tell(searcher.ask(), float(k % 4))  # many ties: the first of equal means must win
    selector = searcher._smac._config_selector  # type: ignore[attr-defined]
    assert isinstance(selector, ForestConfigSelector)
    _, _, X = selector._collect_data()
    ours, smacs = selector._get_x_best(X), ConfigSelector._get_x_best(selector, X)
    assert np.array_equal(ours[0], smacs[0]) and ours[1] == smacs[1]
    processed = list(selector._processed_configs)
    assert processed and all(config in selector._processed_configs for config in processed)
    outsider = next(c for c in selector._scenario.configspace.sample_configuration(200) if c not in processed)
    assert not any(outsider == config for config in processed) and outsider not in selector._processed_configs


def test_a_smac_whose_config_selector_changed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = Scenario(Decoupling.of(NB201Space()).topology_space(), deterministic=True, n_trials=10)
    ForestConfigSelector(scenario)  # this SMAC is known
    original = ConfigSelector.__init__

    def best_observed(self: ConfigSelector, *args, **kwargs) -> None:  # a SMAC that takes the best seen
        original(self, *args, **kwargs)
        self._predict_x_best = False

    monkeypatch.setattr(ConfigSelector, "__init__", best_observed)
    with pytest.raises(PluginError, match="written against SMAC 2.4"):
        ForestConfigSelector(scenario)
    monkeypatch.undo()
    monkeypatch.delattr(ConfigSelector, "_get_x_best")
    with pytest.raises(PluginError, match="written against SMAC 2.4"):
        ForestConfigSelector(scenario)
