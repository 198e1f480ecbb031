"""Owns ``--counter-start`` and a stateful counter; other test plugins require it."""

from nas_core import hookimpl


class Counter:
    def __init__(self, start):
        self.count = start

    def state_dict(self):
        return {"count": self.count}

    def load_state_dict(self, state):
        self.count = state["count"]


@hookimpl
def nas_addoption(group):
    group.addoption("--counter-start", type=int, default=0, help="where the counter starts")


@hookimpl
def nas_configure(config):
    config.register(Counter(config.option("counter_start")))
