"""Fails the estimate of every architecture whose first edge is a 3x3 convolution; or all of them."""

from nas_core import TrialError, hookimpl


@hookimpl
def nas_addoption(group):
    group.addoption("--flaky-all", type=bool, default=False, help="fail every estimate")


class Flaky:
    def __init__(self, fail_all):
        self.fail_all = fail_all

    @hookimpl(tryfirst=True)
    def nas_estimate(self, candidate, study):
        if self.fail_all:
            raise RuntimeError("the estimator crashed")
        if candidate.arch.ops[0] == "nor_conv_3x3":
            raise TrialError("diverged: loss is NaN")
        return None


@hookimpl
def nas_configure(config):
    config.register(Flaky(config.option("flaky_all")))
