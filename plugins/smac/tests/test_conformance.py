"""The core's conformance kit for ``bohb`` and ``hyperband``, on NB201.

Not on the kit's tiny table: SMAC declares a space exhausted when it fails to sample 16 new
configurations among 8 it wants (about 60% into a 125-cell space), and beside the filter
(``gpnas-predictor``), whose predictions use up configurations without spending budget, that
ends the run before its budget (test_smac_strategies.py shows how it ends)."""

from nas_core.testing import PluginConformance


class TestBOHB(PluginConformance):
    plugins = ("bohb",)
    benchmark = "nb201"
    options = {"bohb_initial": 4}  # SMAC's forest proposes from the fifth configuration on
    bad_options = {"bohb_eta": 1, "bohb_initial": -1, "bohb_min_epochs": -2}


class TestHyperband(PluginConformance):
    plugins = ("hyperband",)
    benchmark = "nb201"
    bad_options = {"hyperband_eta": 1, "hyperband_min_epochs": -1}
