"""Multi-layer perceptrons from MLP chains.

Dense layers start as Keras' do (Glorot-uniform weights, zero biases): the MLPNAS paper built
its children with Keras, and on small tabular data this trains better than torch's default.
"""

from __future__ import annotations

import math

from torch import nn

from nas_core.networks.common import output_units

ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU}


def build_mlp(
    layers: list[tuple[int, str] | float], input_shape: tuple[int, ...], num_classes: int
) -> nn.Sequential:
    """``layers``: (width, activation) for dense layers, a float for a dropout rate."""
    modules: list[nn.Module] = [nn.Flatten()]
    width = math.prod(input_shape)
    for layer in layers:
        if isinstance(layer, float):
            modules.append(nn.Dropout(layer))
        else:
            units, activation = layer
            modules += [nn.Linear(width, units), ACTIVATIONS[activation]()]
            width = units
    modules.append(nn.Linear(width, output_units(num_classes)))
    for module in modules:
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return nn.Sequential(*modules)
