"""A space whose first candidate kills every worker process that builds it (``os._exit``)."""

import os

from nas_core import hookimpl
from nas_core.spaces.mlp import MLPChain, MLPSpace

DEADLY = MLPChain(("8-sigmoid",))
ORDER = [DEADLY] + [MLPChain((f"{w}-relu",)) for w in (16, 32, 64, 128, 256, 512)]


class DeadlySpace(MLPSpace):
    name = "deadly-mlp"

    def build(self, arch, input_shape, num_classes):
        if arch == DEADLY:
            os._exit(3)
        return super().build(arch, input_shape, num_classes)


class InOrder:
    """Samples ORDER one after the other, so the deadly architecture comes first."""

    def __init__(self):
        self.drawn = 0

    @hookimpl
    def nas_sample(self, space, rng, n):
        picks = [ORDER[(self.drawn + k) % len(ORDER)] for k in range(n)]
        self.drawn += n
        return picks

    def state_dict(self):
        return {"drawn": self.drawn}

    def load_state_dict(self, state):
        self.drawn = state["drawn"]


@hookimpl
def nas_register(registry):
    registry.add_space("deadly-mlp", lambda options: DeadlySpace(), "an MLP space with a deadly member")


@hookimpl
def nas_configure(config):
    config.register(InOrder())
