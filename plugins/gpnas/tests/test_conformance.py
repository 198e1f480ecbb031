"""The core's conformance kit for each GPNAS entry point (small budgets on the real NB201 table)."""

import pytest

from nas_core.testing import PluginConformance

from nas_gpnas import strategy

SMALL_FILTER = {"gpnas_warmup": 6, "gpnas_filter_patience": 2, "gpnas_predictor_epochs": 10, "gpnas_refine_steps": 2}


class TestGPNAS(PluginConformance):
    plugins = ("gpnas",)
    benchmark = "nb201"
    options = SMALL_FILTER
    budget = 10
    bad_options = {
        "gpnas_eta": 1,
        "gpnas_skip_dropout": 1.5,
        "gpnas_topology": "0101",
        "gpnas_kde_top": 0.0,
        "gpnas_kde_samples": 0,
        "gpnas_sampler": "tpe",
    }


class TestGPNASDrawingRandomChildren(TestGPNAS):
    """The same contract (resume above all) when the searchers' known children make GPNAS draw
    random ones, which the searchers observe outside SMAC."""

    @pytest.fixture(autouse=True)
    def _draw_after_two_known(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(strategy, "MAX_KNOWN_IN_A_ROW", 2)


class TestGPNASLearningPredictions(TestGPNAS):
    """The same contract when the filter's predictions are observations of Algorithm 1 too."""

    options = {**SMALL_FILTER, "gpnas_learn_predictions": True}


class TestGPNASReviving(TestGPNAS):
    """The same contract when skipped children are revived: on seed 0 the first are at trained
    children 13-15, after the resume test's halfway point of 16, so the resumed run restores them."""

    options = {"gpnas_warmup": 6, "gpnas_predictor_epochs": 10, "gpnas_revive": True}
    budget = 16


class TestPredictorFilterBehindEvolution(PluginConformance):
    plugins = ("evolution", "gpnas-predictor")
    benchmark = "nb201"
    options = SMALL_FILTER
    budget = 10
    bad_options = {"gpnas_warmup": 1, "gpnas_filter_quantile": 2.0}
