"""The grammars: only members of the space can be sampled, and every member can be."""

from collections import Counter

import numpy as np
import pytest

from nas_core import ConfigError, MLPChain, MLPSpace, NB201Space
from nas_mlpnas.controller import Controller
from nas_mlpnas.grammar import END, ChainGrammar, DecisionGrammar, RowGrammar, grammar_for


def allowed_tokens(grammar, prefix: list[str]) -> set[str]:
    index = {t: i for i, t in enumerate(grammar.vocabulary)}
    mask = grammar.allowed([index[t] for t in prefix])
    return {t for t, ok in zip(grammar.vocabulary, mask) if ok}


def test_chain_grammar_follows_the_mlp_space_rules() -> None:
    grammar = ChainGrammar(MLPSpace(max_layers=2))
    dense = {t for t in grammar.vocabulary if t not in ("dropout", END)}
    assert len(dense) == 28
    assert allowed_tokens(grammar, []) == dense  # no dropout first, no empty network
    assert allowed_tokens(grammar, ["64-relu"]) == dense | {"dropout", END}
    assert allowed_tokens(grammar, ["64-relu", "dropout"]) == dense | {END}  # no dropout twice
    assert allowed_tokens(grammar, ["64-relu", "8-elu"]) == {"dropout", END}  # at most 2 dense layers
    assert allowed_tokens(grammar, ["64-relu", "dropout", "8-elu", "dropout"]) == {END}
    assert allowed_tokens(grammar, ["64-relu", END]) == set()
    index = {t: i for i, t in enumerate(grammar.vocabulary)}
    assert grammar.to_arch([index["64-relu"], index["dropout"], index[END]]) == MLPChain(("64-relu", "dropout"))


@pytest.mark.parametrize("name", ["mlp", "nb201", "table"])
def test_an_untrained_controller_samples_only_members(name, toy_table) -> None:
    space = {"mlp": MLPSpace(max_layers=3), "nb201": NB201Space(), "table": toy_table}[name]
    grammar = grammar_for(space)
    controller = Controller(len(grammar.vocabulary), 16)
    rng = np.random.default_rng(0)
    for _ in range(200):
        space.validate(grammar.to_arch(controller.sample(grammar, rng)))


def test_grammar_for_picks_by_what_the_space_offers(make_table) -> None:
    assert isinstance(grammar_for(MLPSpace()), ChainGrammar)
    assert isinstance(grammar_for(NB201Space()), DecisionGrammar)
    assert isinstance(grammar_for(make_table("01", "10", "11")), RowGrammar)  # "00" is not a row
    assert isinstance(grammar_for(make_table("012", "1", "10")), RowGrammar)  # ragged: no decisions at all


def test_row_grammar_reaches_every_row_and_nothing_else(toy_table) -> None:
    grammar = grammar_for(toy_table)
    assert END in grammar.vocabulary  # "2" is a row and a prefix of "21"
    assert allowed_tokens(grammar, []) == {"0", "2"}
    assert allowed_tokens(grammar, ["2"]) == {"1", END}
    assert allowed_tokens(grammar, ["0", "1"]) == {"2", "3"}
    controller = Controller(len(grammar.vocabulary), 8)
    rng = np.random.default_rng(1)
    counts = Counter(grammar.to_arch(controller.sample(grammar, rng)).encoding for _ in range(600))
    assert set(counts) == {"0121", "0122", "013", "2", "21", "2100"}


def test_a_space_without_tokens_is_refused_with_one_line() -> None:
    class Opaque(MLPSpace.__mro__[1]):  # a bare SearchSpace: no decisions, no enumeration
        name = "opaque"

        def decode(self, data):
            raise NotImplementedError

        def validate(self, arch):
            raise NotImplementedError

    with pytest.raises(ConfigError, match="opaque") as error:
        grammar_for(Opaque())
    assert "\n" not in str(error.value)
