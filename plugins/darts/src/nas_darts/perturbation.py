"""Perturbation-based architecture selection (Wang et al., "Rethinking architecture selection in
differentiable NAS", ICLR 2021, their DARTS-PT), for NB201 cells.

Why: the largest alpha of an edge need not be the op the supernet relies on. Wang et al. show
that an op's alpha and its contribution to the supernet's accuracy can disagree (skip
connections gain alpha while removing them costs little), and that DARTS' answers on NB201
improve much when each edge is chosen by what its removal costs instead. Here, too, several
answers of the alphas retrain poorly (pooling-heavy cells, cells cut down by ``none``).

The selection, on a fork of the searched supernet (the search itself is untouched):

1. Visit the edges in a random order (drawn from the search's batch generator).
2. For every op of the edge, set its mixing weight to 0 (the other ops keep theirs) and measure
   the supernet on the alpha data, in evaluation mode. The edge gets the op whose removal leaves
   the lowest accuracy (ties: the highest loss). Removing ``none`` changes nothing (it adds
   zeros), so ``none`` wins only an edge whose every other op the supernet is better without.
3. Fix the edge to that op (its mixing weights one-hot) and train the weights for
   ``tune_epochs`` epochs at the learning rate of the search's last epoch, so that the next
   edge is judged on a supernet that has adapted to the choice (Wang et al. tune between
   choices, too; their alphas stay fixed, as here).

Operation selection only: DARTS cells would also need Wang et al.'s selection of two input edges
per node, which is not built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from nas_core import ConfigError, NB201Cell

from nas_darts.supernet import NB201Supernet

if TYPE_CHECKING:
    from nas_darts.search import SupernetSearch

CELL = "normal"  # an NB201 supernet searches one cell type


def removal_scores(search: SupernetSearch, mixing: torch.Tensor, edge: int, candidates: list[int]) -> dict[int, tuple[float, float]]:
    """Per candidate op of ``edge``: the supernet's (accuracy %, loss) on the alpha data with
    that op's mixing weight set to 0 (all other weights as in ``mixing``)."""
    scores = {}
    for op in candidates:
        removed = mixing.clone()
        removed[edge, op] = 0.0
        search.supernet.fixed_mixing = {CELL: removed}
        loss, accuracy = search.evaluate(*search.split.alpha_data)
        scores[op] = (accuracy, loss)
    return scores


def select_by_perturbation(search: SupernetSearch, tune_epochs: int, none: bool = True) -> NB201Cell:
    """The NB201 cell chosen edge by edge by what removing each op costs ``search``'s supernet.

    ``search`` is changed (its supernet's weights are tuned): give a fork. ``none=False`` never
    chooses ``none`` for an edge.
    """
    supernet = search.supernet
    if not isinstance(supernet, NB201Supernet):
        raise ConfigError("--darts-select perturbation chooses NB201 cells; DARTS cells are selected by their alphas")
    ops = supernet.alphas.ops
    mixing = supernet.alphas.probabilities()[CELL].clone()
    candidates = [i for i, op in enumerate(ops) if none or op != "none"]
    lr = search.settings.lr(search.settings.epochs)
    chosen: dict[int, str] = {}
    order = torch.randperm(len(mixing), generator=search.generator).tolist()
    for visited, edge in enumerate(order, start=1):
        scores = removal_scores(search, mixing, edge, candidates)
        # the largest drop: the lowest accuracy without the op, then the highest loss
        best = min(scores, key=lambda op: (scores[op][0], -scores[op][1]))
        chosen[edge] = ops[best]
        mixing[edge] = 0.0
        mixing[edge, best] = 1.0
        supernet.fixed_mixing = {CELL: mixing}
        if visited < len(order):
            for _ in range(tune_epochs):
                search.train_weights(lr)
    supernet.fixed_mixing = {}
    return NB201Cell(tuple(chosen[edge] for edge in range(len(mixing))))
