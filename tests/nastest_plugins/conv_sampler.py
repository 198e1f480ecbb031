"""A generator stand-in: every sampled NB201 cell has a 3x3 convolution on its first edge."""

from nas_core import hookimpl
from nas_core.spaces.nb201 import NB201Cell


@hookimpl
def nas_sample(space, rng, n):
    return [NB201Cell(("nor_conv_3x3",) + space.sample(rng).ops[1:]) for _ in range(n)]
