"""Every entry point passes the core's conformance kit."""

from nas_core.testing import PluginConformance
from nagtest_tiny import TINY_OPTIONS


class TestRSNAG(PluginConformance):
    plugins = ("nag",)
    benchmark = "nb201"
    options = {**TINY_OPTIONS, "nag_dataset_size": "8", "nag_samples": 100}
    bad_options = {
        "nag_samples": 0,
        "nag_labels": "huge-acc",
        "nag_dataset_size": "2",
        "nag_temperature": 0.0,
        "nag_dropout": 1.0,
        "nag_loss": "wasserstein",
    }


class TestRSNAGConditionedOnParams(PluginConformance):
    plugins = ("nag",)
    benchmark = "nb201"
    options = {**TINY_OPTIONS, "nag_dataset_size": "9", "nag_samples": 100, "nag_labels": "high-acc,few-params"}
    bad_options = {"nag_labels": "high-acc,low-acc"}
    budget = 16


class TestRSNAGInRounds(PluginConformance):
    """Refits after 6 and 11 of the 16 generated trials; the resume test stops mid-round."""

    plugins = ("nag",)
    benchmark = "nb201"
    options = {**TINY_OPTIONS, "nag_dataset_size": "8", "nag_samples": 16, "nag_rounds": 3, "nag_refit_epochs": 2}
    bad_options = {"nag_rounds": 0, "nag_refit_epochs": 0}


class TestGeneratorInEvolution(PluginConformance):
    plugins = ("evolution", "nag-generator")
    benchmark = "nb201"
    options = {**TINY_OPTIONS, "nag_dataset_size": "12", "nag_charge_dataset": False}
    bad_options = {"nag_generator_labels": "high-acc,low-acc", "nag_epochs": 0}


class TestOpenDomainSpace(PluginConformance):
    plugins = ("random", "nag-space")
    benchmark = None
    dataset = "digits"
    space = "nag-open"
    options = {"train_epochs": 1, "nag_space_channels": 4, "nag_space_cells": 1, "nag_space_max_nodes": 5}
    bad_options = {"nag_space_max_nodes": 2, "nag_space_channels": 0}
    budget = 6


def test_nag_and_nag_generator_share_the_options_nag_gan_declares_once() -> None:
    from nas_core.testing import loaded_plugins

    for names in (("nag",), ("nag-generator",), ("nag", "nag-generator"), ("nag-generator", "nag")):
        loaded = loaded_plugins(names)  # a second declaration of a shared flag would raise
        assert loaded.names[0] == "nag-gan"
        assert {"nag_epochs", "nag_dataset_size", "nag_supernet_lr"} <= {o.name for o in loaded.options}
