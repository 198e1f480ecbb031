"""Adds a delay to every estimate, so a test can kill a search in the middle of it."""

import time

from nas_core import hookimpl


@hookimpl
def nas_addoption(group):
    group.addoption("--slow-seconds", type=float, default=0.02, help="sleep per estimate")


class Delay:
    def __init__(self, seconds):
        self.seconds = seconds

    @hookimpl(wrapper=True)
    def nas_estimate(self, candidate, study):
        time.sleep(self.seconds)
        return (yield)


@hookimpl
def nas_configure(config):
    config.register(Delay(config.option("slow_seconds")))
