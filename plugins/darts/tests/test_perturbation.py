"""Perturbation-based selection (``--darts-select perturbation``): what an op's removal measures,
that selecting leaves the search as it was, and that a study's answer is read again from the
search its file restores."""

from __future__ import annotations

import pytest
import torch

import nas_core
from nas_core import ConfigError, NB201Cell, NB201Space

from nas_darts.names import NB201_OPS
from nas_darts.perturbation import removal_scores, select_by_perturbation
from nas_darts.restore import restored_search
from nas_darts.search import SupernetSearch
from nas_darts.settings import SearchSettings

SPACE = NB201Space(channels=2, cells=1)
TINY = {"darts_supernet_channels": 2, "darts_supernet_cells": 1, "darts_epochs": 2, "darts_batch_size": 256}


def _searched(data, **settings) -> SupernetSearch:
    search = SupernetSearch.create(SPACE, data, SearchSettings(method="milenas", batch_size=256, epochs=2, schedule="paper", **settings), 0)
    for _ in range(2):
        search.run_epoch()
    return search


def test_removing_none_or_an_op_already_at_zero_changes_nothing_and_removing_a_conv_does(digits_data) -> None:
    search = _searched(digits_data)
    none, conv3, conv1 = (NB201_OPS.index(op) for op in ("none", "nor_conv_3x3", "nor_conv_1x1"))
    mixing = search.supernet.alphas.probabilities()["normal"].clone()
    mixing[2, conv3] = 0.0
    search.supernet.fixed_mixing = {"normal": mixing}
    intact_loss, intact_acc = search.evaluate(*search.split.alpha_data)
    scores = removal_scores(search, mixing, 2, [none, conv3, conv1])
    assert scores[none] == pytest.approx((intact_acc, intact_loss), abs=1e-6)
    assert scores[conv3] == pytest.approx((intact_acc, intact_loss), abs=1e-6)
    assert abs(scores[conv1][1] - intact_loss) > 1e-4


def test_selection_answers_a_cell_and_leaves_the_search_as_it_was(digits_data) -> None:
    search = _searched(digits_data, select="perturbation")
    weights = {k: v.clone() for k, v in search.supernet.state_dict().items()}
    generator = search.generator.get_state()
    cell = search.select()
    assert isinstance(cell, NB201Cell) and len(cell.ops) == 6
    assert all(torch.equal(weights[k], v) for k, v in search.supernet.state_dict().items())
    assert torch.equal(search.generator.get_state(), generator) and search.supernet.fixed_mixing == {}
    assert search.select() == cell  # the fork starts from the same state: the same answer
    assert search.epoch == 2 and search.run_epoch().epoch == 3  # and the search goes on


def test_selection_without_none_never_chooses_none(digits_data) -> None:
    search = _searched(digits_data)
    with torch.no_grad():
        search.supernet.alphas.alpha["normal"][:, NB201_OPS.index("none")] = 4.0  # none all but alone in the mix
    assert "none" not in select_by_perturbation(search.fork(), tune_epochs=0, none=False).ops


def test_the_study_answer_is_selected_again_from_the_restored_search(tmp_path, torch_on_one_thread) -> None:
    path = tmp_path / "pt.db"
    study = nas_core.search("darts", space="nb201", dataset="digits", budget=2, seed=3, device="cpu", storage=str(path),
                            darts_method="milenas", darts_select="perturbation", **TINY)  # fmt: skip
    restored = restored_search(path)
    assert restored.epoch == 2 and restored.settings.select == "perturbation"
    assert restored.select() == study.answer
    alphas = restored_search(path, select="alphas")
    assert alphas.select() == alphas.derive() == study.space.decode(study.trials[-1].result.info["derived"])


@pytest.mark.parametrize("options, message", [
    ({"space": "darts", "darts_select": "perturbation"}, "chooses NB201 cells"),
    ({"space": "nb201", "darts_select": "perturbation", "darts_size_ops": 3}, "give one of them"),
])
def test_perturbation_selection_refuses_what_it_cannot_select(options, message) -> None:
    with pytest.raises(ConfigError, match=message):
        nas_core.search("darts", dataset="digits", budget=1, device="cpu", storage=":memory:", **{**TINY, **options})


def test_a_plain_search_keeps_the_alphas_answer(digits_data) -> None:
    search = _searched(digits_data)
    assert search.settings.select == "alphas" and search.select() == search.derive()
