"""The options of ``optuna`` (this module imports no Optuna: options are declared without it)."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import Settings, setting

SAMPLERS = ("tpe", "gp", "cmaes", "nsga2", "nsga3", "random", "qmc")


@dataclass(frozen=True)
class OptunaSettings(Settings, prefix="optuna"):
    sampler: str = setting("tpe", "Optuna's sampler: TPESampler, GPSampler, CmaEsSampler, NSGAIISampler, NSGAIIISampler, RandomSampler or QMCSampler", choices=SAMPLERS)
    multivariate: bool = setting(True, "tpe: multivariate TPE, one joint density over all decisions (Optuna's default for one objective); false: one density per decision")
    startup_trials: int = setting(10, "tpe and gp: random trials before the model proposes (Optuna's default)", at_least=1)
    population: int = setting(50, "nsga2 and nsga3: the genetic algorithm's population size (Optuna's default)", at_least=2)
