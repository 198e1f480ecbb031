"""Search spaces shipped with the core."""

from nas_core.spaces.base import Capability, Decision, SearchSpace
from nas_core.spaces.mlp import MLPChain, MLPSpace
from nas_core.spaces.nb201 import NB201Cell, NB201Space

__all__ = ["Capability", "Decision", "MLPChain", "MLPSpace", "NB201Cell", "NB201Space", "SearchSpace"]
