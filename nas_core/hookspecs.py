"""The hooks of nas: every plugin, built-in or installed, talks to the search through these hooks.

The search loop, in order, for every trial::

    nas_budget      -> stop when any plugin says the budget is spent
    nas_propose     -> the strategy's next candidates
    nas_estimate    -> a Result for one candidate (wrappers around it may filter or short-circuit)
    nas_update      -> every plugin sees the candidate and its result
    (the core records the trial and every plugin's state in one transaction)

When the budget is spent, ``nas_answer`` may name the search's answer (default: the best trial).
``nas_register``, ``nas_addoption``, ``nas_configure`` and ``nas_planned_spend`` run once, in
that order, before the first trial. Implement hooks as
functions of the plugin module, or on an object that ``nas_configure`` registers with
``config.register(obj)``; objects with ``state_dict()``/``load_state_dict()`` are saved with every
trial so a resumed search continues exactly where the recorded one stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import numpy as np

    from nas_core.architecture import Architecture
    from nas_core.budget import BudgetStatus
    from nas_core.config import Config
    from nas_core.options import OptionGroup
    from nas_core.registry import Registry
    from nas_core.spaces.base import SearchSpace
    from nas_core.spend import PlannedSpend
    from nas_core.study import StudyView
    from nas_core.types import Candidate, Result

PROJECT = "nas"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def nas_register(registry: Registry) -> None:
    """Add datasets and search spaces, by name, for ``--dataset`` and ``--space``.

    ``registry.add_dataset("mydata", loader)`` with ``loader(request) -> Dataset``;
    ``registry.add_space("myspace", factory)`` with ``factory(options) -> SearchSpace``.
    Called once for every loaded plugin, before options are declared.
    """


@hookspec
def nas_addoption(group: OptionGroup) -> None:
    """Declare command-line options with ``group.addoption("--myplugin-foo", type=int, default=3)``.

    Called once for every loaded plugin before the run is configured. Prefix flags with the plugin's
    name; the values reach the plugin through ``config.option("myplugin_foo")`` in
    :func:`nas_configure`. A settings dataclass declares its options with
    :func:`nas_core.settings.declare` and is read back with :func:`nas_core.settings.from_options`. Values are stored with the study, so a resumed run sees the same ones.
    """


@hookspec
def nas_configure(config: Config) -> None:
    """Set up for one run: read options, validate them, register stateful objects.

    Called once per run and per plugin, after the search space and benchmark are known
    (``config.space``, ``config.benchmark``). Raise :class:`nas_core.errors.ConfigError` with a
    one-line message for a bad option value. Objects registered with ``config.register(obj)``
    take part in every later hook; draw randomness only from ``config.rng(name)`` so runs are
    reproducible under ``--seed``.
    """


@hookspec
def nas_planned_spend(config: Config) -> PlannedSpend | None:
    """Budget the plugin will charge on its own, beside the strategy's trials: a
    :class:`nas_core.PlannedSpend`, or None when it spends nothing (or has spent it already).

    A plugin that charges work of its own to the run's budget through :func:`nas_budget` (a
    generator looking up its training set in the table) says how much here, before spending it,
    so the user hears of it before the search rather than after a run of one trial. Called once,
    after every plugin is configured (and, on ``--resume``, after their recorded states are
    loaded), before the study file is written. The core refuses a run whose plans leave less
    than a tenth of the budget for the search (a usage error with the numbers and the plugin's
    ``remedy``), and warns when they leave less than half.
    """


@hookspec(firstresult=True)
def nas_propose(study: StudyView, space: SearchSpace, n: int) -> list[Candidate] | None:
    """The search strategy: return 1..n new candidates (fewer is fine; an empty list ends the run).

    Exactly one loaded plugin may implement this (a second one is a configuration error naming
    both); wrappers (``wrapper=True``) may rewrite or reorder what the strategy returns. Leave
    ``Candidate.trial_id`` at -1: the core assigns ids. Proposing an architecture the study has
    already evaluated is allowed: the core answers it from the study without spending budget and
    passes that cached result to :func:`nas_update` like any other.
    """


@hookspec(firstresult=True)
def nas_sample(space: SearchSpace, rng: np.random.Generator, n: int) -> list[Architecture] | None:
    """Architectures for a strategy to start from or explore with, in place of uniform sampling.

    Strategies draw their random architectures through ``study.sample(rng, n)``, which asks this
    hook first and falls back to ``space.sample``. A generator (NAG's, for instance) implements it,
    and then random search, evolution's initial population or hill climbing's restarts come from
    the generator. Return exactly ``n`` members of ``space``, or None to leave it to the space.
    """


@hookspec(firstresult=True)
def nas_estimate(candidate: Candidate, study: StudyView) -> Result | None:
    """Performance estimation of one candidate: table lookup, training, one-shot evaluation.

    The first implementation that returns a Result wins; returning None passes the candidate on.
    The run's own estimator (table lookup, or training) is a ``trylast`` fallback, so a plugin's
    estimator goes before it. To answer before every estimator (a cache, a predictor that decides
    a candidate is not worth training and returns a ``Status.PREDICTED`` result), implement with
    ``tryfirst=True``. A duplicate of an evaluated architecture never reaches this hook: the
    core's loop answers it from the study. Wrappers
    (``@hookimpl(wrapper=True)``) see every result and exception on the way out; the core's
    innermost wrapper turns an exception into a failed trial. Raise
    :class:`nas_core.errors.TrialError` (or any exception) to fail the trial: it is recorded as
    failed with the message and the search goes on; other :class:`nas_core.errors.NasError`
    subclasses stop the run with their message.
    """


@hookspec
def nas_update(candidate: Candidate, result: Result, study: StudyView) -> None:
    """Feed a result back to every plugin: surrogates, controllers, populations, GANs.

    Called for every answered candidate, including failures, predictions and cached duplicates,
    in the order results arrive. The trial is recorded right after, together with every plugin's
    ``state_dict()``. Under ``--constraint`` a trial that violates one arrives as
    ``Status.INFEASIBLE`` or ``Status.REJECTED``, without an objective (``result.ok`` is false).
    """


@hookspec
def nas_budget(study: StudyView) -> BudgetStatus | None:
    """How much budget is left, as a :class:`nas_core.budget.BudgetStatus`.

    Called before every proposal on every plugin; the core takes the tightest answer and stops when
    it is exhausted. The core itself answers for ``--budget`` and ``--timeout``; a plugin adds its
    own limits (epochs for a supernet, a fidelity schedule) by returning a status, or None.
    """


@hookspec(firstresult=True)
def nas_answer(study: StudyView, space: SearchSpace) -> Architecture | None:
    """The search's answer, when it is not the architecture of the best trial.

    Called once when a search ends (its budget spent or its strategy done; not when interrupted).
    Most strategies leave it alone, and the answer is the completed trial with the highest
    objective. Under ``--constraint`` a named answer stands only if its latest trial is feasible. A strategy whose result is something else (a differentiable search's final derived
    cell, which the supernet's validation accuracy does not rank) returns it here. The core stores
    it in the study; ``nas show`` reports it next to the best trial, and ``nas export``,
    ``nas retrain`` and ``nas draw`` use it.
    """
