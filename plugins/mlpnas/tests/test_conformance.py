"""The hook contract (nas_core.testing) for the controller on NB201 and, with bigram sharing, on MLPs."""

from nas_core.testing import PluginConformance


class TestControllerOnNB201(PluginConformance):
    plugins = ("mlpnas",)
    benchmark = "nb201"
    # A batch of 5 puts the resume test's cut (12 trials) inside a controller epoch. Controller
    # epochs until the budget is spent: beside the kit's filter, predicted children are samples of
    # an epoch too, and the paper's 10 epochs of 5 would end the run before its 24 trained children.
    options = {"mlpnas_batch": 5, "mlpnas_epochs": 0, "mlpnas_predictor": True, "mlpnas_adversarial": 0.5}
    bad_options = {
        "mlpnas_batch": 0,
        "mlpnas_hidden": 0,
        "mlpnas_lr": 0.0,
        "mlpnas_discount": 1.5,
        "mlpnas_adversarial": -1.0,
        "mlpnas_sharing": True,  # nothing is trained on a table
    }


class TestSharingOnDigits(PluginConformance):
    plugins = ("mlpnas",)
    benchmark = None
    dataset = "digits"
    space = "mlp"
    budget = 6
    options = {
        "mlpnas_sharing": True,
        "mlpnas_predictor": True,
        "mlpnas_batch": 2,
        "train_epochs": 1,
        "mlp_max_layers": 2,
    }
    bad_options = {"mlpnas_steps": 0}
