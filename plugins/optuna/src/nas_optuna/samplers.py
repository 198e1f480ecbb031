"""Optuna's samplers by name, and how each sees a space's decisions.

Most samplers model categorical parameters: each decision is a ``CategoricalDistribution`` of its
choices. CMA-ES and QMC model numbers only (Optuna samples a categorical parameter for them at
random, "independently"), so for them each decision is the index of its choice, an
``IntDistribution``; CMA-ES then runs with margin (``with_margin=True``, Optuna's variant for
discrete parameters, which keeps its samples from freezing on one integer), and QMC's Sobol
sequence is scrambled, as its seed would otherwise change nothing.

Optuna calls NSGA-III, QMC and CMA-ES's margin experimental and warns when they are made; the
README says so once, and the warnings are not repeated on every run.
"""

from __future__ import annotations

import warnings

import optuna

from nas_optuna.settings import OptunaSettings

INDEX_ENCODED = frozenset({"cmaes", "qmc"})


def make_sampler(settings: OptunaSettings, seed: int) -> optuna.samplers.BaseSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _sampler(settings, seed)


def _sampler(settings: OptunaSettings, seed: int) -> optuna.samplers.BaseSampler:
    samplers = optuna.samplers
    name = settings.sampler
    if name == "tpe":
        return samplers.TPESampler(seed=seed, multivariate=settings.multivariate, n_startup_trials=settings.startup_trials)
    if name == "gp":
        return samplers.GPSampler(seed=seed, n_startup_trials=settings.startup_trials)
    if name == "cmaes":
        return samplers.CmaEsSampler(seed=seed, with_margin=True)
    if name == "nsga2":
        return samplers.NSGAIISampler(seed=seed, population_size=settings.population)
    if name == "nsga3":
        return samplers.NSGAIIISampler(seed=seed, population_size=settings.population)
    if name == "qmc":
        return samplers.QMCSampler(seed=seed, scramble=True)
    assert name == "random", name
    return samplers.RandomSampler(seed=seed)
