"""Search spaces: encodings, canonical keys, capabilities, and the moves strategies rely on."""

import itertools

import numpy as np
import pytest

from nas_core.errors import ArchitectureError, ConfigError
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.spaces.mlp import MLPChain, MLPSpace
from nas_core.spaces.nb201 import EDGES, OPS, NB201Cell, NB201Space

BEST_CIFAR10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def cell(**edges: str) -> NB201Cell:
    """A cell with ``none`` everywhere except the given edges, e.g. cell(e01="skip_connect")."""
    ops = ["none"] * len(EDGES)
    for name, op in edges.items():
        ops[EDGES.index((int(name[1]), int(name[2])))] = op
    return NB201Cell(tuple(ops))


def test_nb201_string_round_trips_and_keeps_the_official_order() -> None:
    arch = NB201Cell.from_str(BEST_CIFAR10)
    assert arch.arch_str == BEST_CIFAR10
    assert arch.ops[EDGES.index((0, 3))] == "skip_connect"
    assert NB201Space().decode(arch.to_dict()) == arch


@pytest.mark.parametrize(
    "text",
    [
        "",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|",
        "|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
        "|conv_7x7~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
        "|nor_conv_3x3|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    ],
)
def test_malformed_nb201_strings_are_rejected(text: str) -> None:
    with pytest.raises(ArchitectureError):
        NB201Cell.from_str(text)


def test_naslib_tuple_encoding_maps_edges_and_op_ids() -> None:
    arch = NB201Cell.from_str(BEST_CIFAR10)
    # NASLib edge order (0,1),(0,2),(0,3),(1,2),(1,3),(2,3); ids 0 skip, 2 conv3x3, 3 conv1x1.
    assert arch.naslib_tuple == "(2, 2, 0, 2, 2, 3)"
    assert NB201Cell.from_naslib_tuple(arch.naslib_tuple) == arch


def test_isomorphic_cells_share_a_key_and_different_cells_do_not() -> None:
    # Two parallel paths input -> conv3x3 -> output through node 1 or through node 2.
    via_1 = cell(e01="nor_conv_3x3", e13="nor_conv_1x1")
    via_2 = cell(e02="nor_conv_3x3", e23="nor_conv_1x1")
    assert via_1.key == via_2.key
    # A dead branch (node 2 is never read) changes nothing.
    assert cell(e01="nor_conv_3x3", e13="nor_conv_1x1", e02="avg_pool_3x3").key == via_1.key
    # An identity edge is the same function as going straight through.
    assert cell(e01="skip_connect", e13="nor_conv_3x3").key == cell(e03="nor_conv_3x3").key
    # Op order along a path matters; a cut-off output is the zero network.
    assert cell(e01="nor_conv_1x1", e13="nor_conv_3x3").key != via_1.key
    assert cell(e01="nor_conv_3x3").key == cell().key == "nb201:zero"


def test_shared_nodes_are_not_confused_with_copies() -> None:
    # conv(x) computed once and summed twice vs. two separately weighted convs summed.
    shared = cell(e01="nor_conv_3x3", e12="skip_connect", e13="skip_connect", e23="skip_connect")
    copies = cell(e01="nor_conv_3x3", e02="nor_conv_3x3", e13="skip_connect", e23="skip_connect")
    assert shared.key != copies.key


def test_canonical_keys_partition_nb201_into_5425_functions() -> None:
    keys = {a.key for a in NB201Space().enumerate()}
    assert len(keys) == 5425


def test_nb201_moves() -> None:
    space = NB201Space()
    rng = np.random.default_rng(0)
    arch = space.sample(rng)
    for _ in range(50):
        child = space.mutate(arch, rng)
        assert sum(a != b for a, b in zip(arch.ops, child.ops)) == 1
    neighbours = space.neighbours(arch)
    assert len(set(neighbours)) == len(EDGES) * (len(OPS) - 1)
    assert space.size == 15625 == sum(1 for _ in space.enumerate())


def test_nb201_graph_view_is_the_node_op_dag() -> None:
    graph = NB201Space().to_graph(NB201Cell.from_str(BEST_CIFAR10))
    assert graph.ops[0] == "input" and graph.ops[-1] == "output" and len(graph.ops) == 8
    # edge (0->1) feeds edges (1->2) and (1->3); edges into node 3 feed the output.
    assert graph.successors(1) == [3, 5]
    assert graph.predecessors(7) == [4, 5, 6]


def test_nb201_configspace_round_trip() -> None:
    space = NB201Space()
    cs = space.to_configspace(seed=1)
    assert len(list(cs.values())) == len(EDGES)
    for config in cs.sample_configuration(20):
        arch = space.from_configuration(config)
        assert space.to_decisions(arch) == tuple(config[d.name] for d in space.decisions())


def test_capabilities_follow_the_methods_a_space_implements() -> None:
    class OnlySamples(SearchSpace):
        name = "tiny"

        def decode(self, data):
            return NB201Cell(tuple(data["ops"]))

        def validate(self, arch):
            pass

        def sample(self, rng):
            return NB201Cell(("none",) * 6)

    space = OnlySamples()
    assert space.capabilities == {Capability.SAMPLE}
    with pytest.raises(ConfigError, match="plugin 'x' needs mutate.*'tiny'"):
        space.require({Capability.MUTATE}, who="plugin 'x'")
    nb201 = NB201Space().capabilities
    assert {Capability.SAMPLE, Capability.MUTATE, Capability.GRAPH, Capability.CONFIGSPACE} <= nb201


def test_mlp_validity_rules() -> None:
    space = MLPSpace(max_layers=3)
    space.validate(MLPChain(("64-relu", "dropout", "8-tanh")))
    for bad in [(), ("dropout", "64-relu"), ("64-relu", "dropout", "dropout"), ("65-relu",),
                ("64-swish",), ("64-relu",) * 4, ("relu",)]:  # fmt: skip
        with pytest.raises(ArchitectureError):
            space.validate(MLPChain(bad))


def test_mlp_sample_and_mutate_stay_in_the_space() -> None:
    space = MLPSpace()
    rng = np.random.default_rng(0)
    arch = space.sample(rng)
    seen = set()
    for _ in range(300):
        child = space.mutate(arch, rng)
        space.validate(child)
        assert child != arch
        assert space.decode(child.to_dict()) == child
        seen.add(len(child.dense_layers))
        arch = child if rng.random() < 0.5 else space.sample(rng)
    assert len(seen) > 5  # depth changes both ways


def test_mlp_vocabulary_is_the_papers() -> None:
    space = MLPSpace()
    assert len(space.vocabulary) == 7 * 4 + 1
    assert {w for w, _ in (t.split("-") for t in space.vocabulary if t != "dropout")} == {
        str(w) for w in (8, 16, 32, 64, 128, 256, 512)
    }
    assert list(itertools.islice(space.vocabulary, 4)) == ["8-sigmoid", "8-tanh", "8-relu", "8-elu"]
