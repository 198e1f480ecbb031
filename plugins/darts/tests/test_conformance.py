"""The conformance kit of nas_core on real, tiny searches: an NB201 supernet on digits.

The kit runs the ``darts`` strategy with DARTS' second-order gradient, whose state is the
largest (it reads the weight optimizer's momentum); the other gradients' resumability is checked
in test_search.py, and the DARTS cell space end to end in test_darts_space_runs.py.
"""

from __future__ import annotations

from nas_core.testing import PluginConformance


class TestDarts(PluginConformance):
    plugins = ("darts",)
    benchmark = None
    dataset = "digits"
    space = "nb201"
    budget = 2
    options = {"darts_supernet_channels": 4, "darts_supernet_cells": 1, "darts_batch_size": 256, "darts_method": "second-order"}
    constraint_metric = "train_loss"  # a trial is a supernet epoch: no params of a network (and 2 epochs leave valid_acc at chance)
    bad_options = {
        "darts_epochs": 0,
        "darts_w_lr": -0.1,
        "darts_train_portion": 1.5,
        "darts_w_momentum": 1.0,
        "darts_method": "third-order",
        "darts_milenas_lambda": -1.0,
        "darts_schedule": "gpu",
        "darts_supernet_channels": 0,
        "darts_supernet_cells": 0,
        "darts_size_ops": -1,
        "darts_paths": 1,
        "darts_size_stop": True,  # without --darts-size-ops
        "darts_select": "gradient",
        "darts_select_tune_epochs": -1,
    }
