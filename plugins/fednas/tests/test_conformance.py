"""The conformance kit of nas_core on real, tiny federations: two client processes on digits.

Every engine applies: a round runs in the driver (the plugin's own estimator), whether trials
go to Dask workers or not, and a search killed mid-run takes its clients with it.
"""

from __future__ import annotations

from nas_core.testing import PluginConformance

from fednas_testing import TINY


class TestFedNAS(PluginConformance):
    plugins = ("fednas",)
    benchmark = None
    dataset = "digits"
    space = "nb201"
    budget = 2
    options = TINY
    constraint_metric = "train_loss"  # a round reports no params of a network (and 2 rounds leave valid_acc near chance)
    bad_options = {
        "fednas_clients": 0,
        "fednas_rounds": 0,
        "fednas_local_epochs": 0,
        "fednas_partition": "pathological",
        "fednas_alpha": 0.0,
        "fednas_min_samples": 3,
        "fednas_timeout": 0.0,
        "fednas_fixed_arch": "|not_an_op~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        "darts_method": "third-order",
        "darts_size_ops": 4,
        "darts_select": "perturbation",
    }
