"""The conformance kit of nas_core on real, tiny NASIB searches: a superkernel supernet on digits."""

from __future__ import annotations

from nas_core.testing import PluginConformance


class TestNasib(PluginConformance):
    plugins = ("nasib",)
    benchmark = None
    dataset = "digits"
    space = "nasib"
    budget = 2
    # n given, so that the kit's half-budget run and its resumption search one 2-epoch schedule
    options = {"nasib_layers": 2, "nasib_m": 3, "nasib_channels": 4, "nasib_batch_size": 256, "nasib_epochs": 2}
    constraint_metric = "train_loss"  # a trial is a supernet epoch: no params of a network
    bad_options = {
        "nasib_final_p": 0.0,
        "nasib_epochs": -1,
        "nasib_lambda": 0.0,
        "nasib_paths": 0,
        "nasib_w_lr": -0.1,
        "nasib_train_portion": 1.5,
        "nasib_w_momentum": 1.0,
        "nasib_layers": 0,
        "nasib_k": 0,
        "nasib_dims": 3,
        "nasib_channels": 0,
        "nasib_prior": "9x9=2",
    }


class TestNasibSpaceWithEvolution(PluginConformance):
    """The space alone, searched by regularized evolution with the core's trainer."""

    plugins = ("evolution", "nasib-space")
    benchmark = None
    dataset = "digits"
    space = "nasib"
    budget = 3
    options = {"nasib_layers": 2, "nasib_m": 3, "nasib_channels": 4, "train_epochs": 1, "evolution_population": 2, "evolution_sample_size": 2}
    bad_options = {"nasib_m": -1, "nasib_layers": 0}
