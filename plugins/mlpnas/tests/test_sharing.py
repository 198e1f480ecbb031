"""One-shot bigram sharing: which weights are shared, and that children really start from them."""

import io

import torch

from nas_core.testing import wine
from nas_core import Candidate, DatasetRequest, DeviceData, MLPChain, MLPSpace, TrainSettings
from nas_mlpnas.sharing import INPUT, OUTPUT, BigramStore, SharedWeightsEstimator, bigrams, dense_modules

SPACE = MLPSpace()


def build(*layers: str) -> tuple[MLPChain, torch.nn.Module]:
    arch = MLPChain(layers)
    return arch, SPACE.build(arch, (13,), 3)


def test_bigrams_pair_consecutive_dense_layers_and_skip_dropout() -> None:
    arch = MLPChain(("64-relu", "dropout", "32-tanh"))
    assert bigrams(arch) == [(INPUT, "64-relu"), ("64-relu", "32-tanh"), ("32-tanh", OUTPUT)]


def test_a_child_inherits_exactly_the_bigrams_it_shares() -> None:
    store = BigramStore()
    parent, parent_net = build("64-relu", "32-tanh")
    store.remember(parent, parent_net)
    child, child_net = build("64-relu", "dropout", "32-elu")
    fresh = [layer.weight.detach().clone() for layer in dense_modules(child_net)]
    assert store.inherit(child, child_net) == 1  # (input, 64-relu) only: 32-elu is another layer
    layers = dense_modules(child_net)
    assert torch.equal(layers[0].weight, dense_modules(parent_net)[0].weight)
    assert torch.equal(layers[0].bias, dense_modules(parent_net)[0].bias)
    assert torch.equal(layers[1].weight, fresh[1]) and torch.equal(layers[2].weight, fresh[2])


def test_the_estimator_stores_what_it_trained_and_hands_it_on() -> None:
    data = DeviceData(wine(DatasetRequest(None, 0)), torch.device("cpu"))
    estimator = SharedWeightsEstimator(SPACE, data, TrainSettings(epochs=3), seed=0, repeats=1)
    first = estimator.nas_estimate(Candidate(MLPChain(("16-relu", "8-tanh"))), study=None)
    assert first.info["bigrams_inherited"] == 0 and first.info["bigrams"] == 3
    trained = torch.load(io.BytesIO(first.artifacts["model"]), weights_only=True)  # the core's artifact: standardize + net
    kernels = [v for k, v in trained.items() if k.endswith("weight")]
    stored = estimator.store.get((INPUT, "16-relu"))[0]
    assert torch.equal(torch.from_numpy(stored), kernels[0])
    second = estimator.nas_estimate(Candidate(MLPChain(("16-relu", "8-tanh", "8-relu"))), study=None)
    assert second.info["bigrams_inherited"] == 2  # (input, 16-relu) and (16-relu, 8-tanh)
    assert estimator.store.pairs() == {
        (INPUT, "16-relu"), ("16-relu", "8-tanh"), ("8-tanh", OUTPUT), ("8-tanh", "8-relu"), ("8-relu", OUTPUT),
    }  # fmt: skip
    restored = BigramStore()
    for mine, theirs in zip(restored.shards, estimator.store.shards, strict=True):
        mine.load_state_dict(theirs.state_dict())
    assert all((restored.get(pair)[0] == estimator.store.get(pair)[0]).all() for pair in estimator.store.pairs())
    assert sum(bool(shard.weights) for shard in estimator.store.shards) > 1  # spread over shards
