"""``--gpnas-*`` of the ``gpnas`` strategy (the filter's belong to ``gpnas-predictor``).

Defaults are the paper's where it gives one, BOHB's (Falkner et al. 2018) for the BOHB parts it
leaves unstated, and ours otherwise (each marked in the README).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nas_core import Settings, setting

from nas_gpnas.kde import KDESettings
from nas_gpnas.searcher import SAMPLERS


@dataclass(frozen=True)
class GPNASSettings(Settings, prefix="gpnas"):
    learn_predictions: bool = setting(False, "the BOHBs model the filter's predictions too (false: only trained children, as paper Fig. 2)")
    revive: bool = setting(False, "propose a child the filter skipped again once the retrained predictor rates it worth training (false: a skipped child is final)")
    sampler: str = setting("kde", "the BOHBs' model: kde (the paper's Algorithm 1) or smac (random forest + EI)", choices=SAMPLERS)
    eta: int = setting(3, "Hyperband's halving rate", at_least=2)
    # Checked against --train-epochs where the budgets are made (nas_core.fidelity_budgets, as bohb's and hyperband's).
    min_epochs: int = setting(0, "smallest Hyperband budget in epochs when training (0: --train-epochs / eta^2, rounded up; --train-epochs: every child at full fidelity)", at_least=0)
    skip_dropout: float = setting(0.3, "initial dropout rate on skip connections (decreases to 0 over the budget)", at_least=0, below=1)
    edge_prior: float = setting(0.5, "chance that a random topology draw keeps an edge (0: as often as a uniformly random architecture of the space has it, 4/5 on NB201; 0.5: every topology alike)", at_least=0, below=1)
    topology: str = setting("", "fix the topology (one 0/1 per edge) and search the operators only")
    kde: KDESettings = field(default_factory=KDESettings)
