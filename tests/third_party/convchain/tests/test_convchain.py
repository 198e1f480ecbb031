"""The conformance kit on searches that train chains on the bundled wine data (178 samples: quick)."""

from nas_core.testing import PluginConformance


class TestRandomSearchOverChainsOnWine(PluginConformance):
    plugins = ("random", "convchain")
    benchmark = None
    dataset = "wine"
    space = "convchain"
    options = {"train_epochs": 1, "convchain_depth": 2, "convchain_channels": 4}
    budget = 4
    bad_options = {"convchain_depth": 0, "convchain_channels": -4}
