"""One-shot bigram weight sharing (section 4.1 of the paper).

A *bigram* is a pair of consecutive dense layers, e.g. ``("128-relu", "64-tanh")``; the weights
connecting them (the second layer's kernel and bias) are stored under that pair after a child has
trained, and a later child containing the same pair starts from them instead of from a random
initialization. The input feeds the first layer as the pair ``(<input>, first)``, and the last
hidden layer feeds the output layer as ``(last, <output>)``; dropout layers carry no weights and are
skipped, as in the reference implementation. Sharing makes a child's result depend on the children
before it, so the estimator runs in the search's own process, in order.
"""

from __future__ import annotations

import zlib
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

from nas_core import (
    Architecture, Candidate, DeviceData, MLPChain, MLPSpace, MLP_DROPOUT, Result, StudyView,
    TrainEstimator, TrainSettings, hookimpl,
)

INPUT, OUTPUT = "<input>", "<output>"
SHARDS = 256
Bigram = tuple[str, str]


def bigrams(arch: MLPChain) -> list[Bigram]:
    """The bigram of every dense layer of the built network, the output layer's included, in order."""
    dense = [token for token in arch.layers if token != MLP_DROPOUT]
    return list(zip([INPUT, *dense], [*dense, OUTPUT]))


def dense_modules(net: nn.Module) -> list[nn.Linear]:
    return [module for module in net.modules() if isinstance(module, nn.Linear)]


class BigramShard:
    """Part of the store, saved with the study as its own state."""

    def __init__(self) -> None:
        self.weights: dict[Bigram, tuple[np.ndarray, np.ndarray]] = {}

    def state_dict(self) -> dict[str, Any]:
        return {"weights": [(list(pair), kernel, bias) for pair, (kernel, bias) in self.weights.items()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.weights = {(pair[0], pair[1]): (kernel, bias) for pair, kernel, bias in state["weights"]}


class BigramStore:
    """The shared weights: a (kernel, bias) pair of arrays per bigram seen so far.

    Split into shards by a hash of the bigram, each registered with the core as its own state: the
    core saves every state that changed with each trial, and a child changes only its own bigrams.
    Saved whole, the store (40 MB after 100 children on wine) made a 100-trial study write 5 GB.
    """

    def __init__(self, shards: int = SHARDS) -> None:
        self.shards = [BigramShard() for _ in range(shards)]

    def _shard(self, pair: Bigram) -> BigramShard:
        return self.shards[zlib.crc32("\x1f".join(pair).encode()) % len(self.shards)]

    def get(self, pair: Bigram) -> tuple[np.ndarray, np.ndarray] | None:
        return self._shard(pair).weights.get(pair)

    def pairs(self) -> set[Bigram]:
        return {pair for shard in self.shards for pair in shard.weights}

    def inherit(self, arch: MLPChain, net: nn.Module) -> int:
        """Copy the stored weights of ``arch``'s bigrams into ``net``; returns how many layers got them."""
        inherited = 0
        with torch.no_grad():
            for pair, layer in zip(bigrams(arch), dense_modules(net), strict=True):
                stored = self.get(pair)
                if stored is not None and stored[0].shape == tuple(layer.weight.shape):
                    layer.weight.copy_(torch.from_numpy(stored[0]))
                    layer.bias.copy_(torch.from_numpy(stored[1]))
                    inherited += 1
        return inherited

    def remember(self, arch: MLPChain, net: nn.Module) -> None:
        """Store (or overwrite) the weights of every bigram of a trained ``net``."""
        for pair, layer in zip(bigrams(arch), dense_modules(net), strict=True):
            self._shard(pair).weights[pair] = (
                layer.weight.detach().cpu().numpy().copy(),
                layer.bias.detach().cpu().numpy().copy(),
            )


class InheritingBuilder:
    """Builds like the MLP space, then hands the new network the stored weights of its bigrams.

    The core's training (``nas_core.training.trial.train_architecture``) builds a candidate with
    ``space.build`` under its seed and then trains that module in place; giving it this builder in
    place of the space is how inherited weights get in between, with nothing else changed. The
    networks it built stay listed so the trained weights can be stored back.
    """

    def __init__(self, space: MLPSpace, store: BigramStore) -> None:
        self.space = space
        self.store = store
        self.built: list[tuple[nn.Module, int]] = []

    def building(self, candidate: Candidate) -> AbstractContextManager[None]:
        return self.space.building(candidate)

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> nn.Module:
        assert isinstance(arch, MLPChain)
        net = self.space.build(arch, input_shape, num_classes)
        self.built.append((net, self.store.inherit(arch, net)))
        return net


class SharedWeightsEstimator(TrainEstimator):
    """The core's training estimator (same options, metrics and model artifact) with bigram sharing.

    A plain ``@hookimpl``, so it answers before the core's ``trylast`` one. Its state is the bigram
    store, whose shards the plugin registers: saved with every trial, so a resumed search inherits
    exactly what it would have.
    """

    def __init__(self, space: MLPSpace, data: DeviceData, settings: TrainSettings, seed: int, repeats: int) -> None:
        self.store = BigramStore()
        self.builder = InheritingBuilder(space, self.store)
        super().__init__(self.builder, data, settings, seed, repeats)

    @hookimpl
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        assert isinstance(candidate.arch, MLPChain)
        self.builder.built.clear()
        result = self.estimate(candidate)
        kept, inherited = self.builder.built[0]  # the core keeps the first repeat's model
        self.store.remember(candidate.arch, kept)
        return replace(result, info={**result.info, "bigrams_inherited": inherited, "bigrams": len(bigrams(candidate.arch))})
