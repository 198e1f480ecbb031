"""Conformance tests every plugin's test suite subclasses (like Optuna's sampler test kits).

::

    from nas_core.testing import PluginConformance

    class TestMyStrategy(PluginConformance):
        plugins = ("mystrategy",)
        bad_options = {"mystrategy_population": 0}

The inherited tests run real, small searches and check the hook contract: proposals are members
of the space, results have the right types, the budget is spent exactly, a seed makes the run
reproducible, a resumed run continues exactly as an uninterrupted one (so
``state_dict``/``load_state_dict`` are complete, and hold data only: the study file refuses
anything else), and bad options fail with a one-line ConfigError naming the flag. A plugin that declares options of its own must list at least one bad
value for them in ``bad_options``: a kit that passes a plugin which validates nothing checks nothing.

The same search runs under every engine (:mod:`nas_core.testing.engines`), and each must end
with the trials its budget buys (that many evaluations, no architecture evaluated twice, ids
0..n-1) and no exception: in process; on two Dask workers (``--workers 2``, one cluster shared by
the process's kit tests); beside the proposal generator ``nag-generator`` and beside the filter
``gpnas-predictor`` (skipped, saying why, where they are not installed, already in the run, or
refused by design with a ConfigError); and SIGKILLed halfway in a process of its own on the
workers, then resumed there, every trial recorded before the kill unchanged. A plugin opts out of
an engine with ``skip_engines = {"killed": "why"}`` (engines: ``workers``, ``nag-generator``,
``gpnas-predictor``, ``killed``); the reason is shown as the skip's.

And under a constraint (:mod:`nas_core.testing.constrained`): on ``constraint_metric`` (default
``params``; a metric the plugin's completed trials report), with a bound its first evaluated
architecture violates, the search must complete, record every violating trial as infeasible
(rejected before evaluation where the metric is an architecture metric and the run's own
estimator answers), keep every completed trial within the bound, and answer with a feasible trial.

By default the searches run on :data:`TINY_TABLE`, a real table shipped with nas-core, so the kit
runs anywhere, without ``NAS_DATA_DIR``: 125 NAS-Bench-201 cells on cifar10-valid (three edges
fixed, the three into the output node free), in the "bring your own" table format of
docs/table-format.md. A query answers with the seed-averaged validation accuracy (no noise) and
charges 12 x the cell's per-epoch training time; ``test_acc``, ``params`` and ``flops`` are
reported as metrics. Its space offers ``sample``, ``mutate``, ``neighbours`` (the 12 rows one
operation away), ``enumerate``, ``decisions`` (three positions of five operations each) and so
``configspace``, and ``graph`` (a chain of the three operations, not NB201's cell DAG); it has a
single fidelity and does not ``build`` (nothing is trained). Set ``benchmark = "nb201"`` for the
full NB201 space with its noisy single-seed feedback (the tables of nas-tables-nb201, or those in
``NAS_DATA_DIR``), or ``benchmark = None`` with ``dataset`` and ``space`` for searches that train.

Also here, for plugins' own tests: ``require_data_dir``, ``loaded_plugins`` (plugins loaded by
name as a run loads them, with the options they declare and the spaces they register) and the
core's dataset loaders (``digits(DatasetRequest(None, split_seed))`` and the others ``--dataset``
names), and the fixtures of :mod:`nas_core.testing.torch_fixtures` (``digits_data`` on the CPU,
``torch_on_one_thread``) that a conftest imports to use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.datasets.builtin import breast_cancer, cifar10, digits, mnist1d, wine
from nas_core.errors import ConfigError, DataError
from nas_core.options import OptionGroup
from nas_core.preparation import collect_options, load_plugins
from nas_core.registry import Registry
from nas_core.session import open_session
from nas_core.tables.files import ENV as DATA_ENV
from nas_core.testing.constrained import assert_constraint_kept, first_violated
from nas_core.tables.files import data_dir
from nas_core.testing.engines import (
    COMPANIONS, ENGINES, assert_buys_the_budget, companion_refusal, kill_mid_run, recorded,
    shared_scheduler,
)
from nas_core.testing.torch_fixtures import digits_data, torch_on_one_thread
from nas_core.types import Candidate, Result, Status, Trial

__all__ = [
    "PluginConformance", "TINY_TABLE", "LoadedPlugins", "loaded_plugins", "require_data_dir",
    "breast_cancer", "cifar10", "digits", "mnist1d", "wine", "digits_data", "torch_on_one_thread",
]  # fmt: skip

TINY_TABLE = Path(__file__).resolve().parents[1] / "data" / "nb201_cifar10_tiny.csv"


@dataclass(frozen=True)
class LoadedPlugins:
    """What loading plugins by name gives, for tests of requirements and declarations."""

    names: tuple[str, ...]  # in load order: each plugin after the plugins it requires
    options: OptionGroup
    registry: Registry


def loaded_plugins(names: Iterable[str]) -> LoadedPlugins:
    """Load plugins as a run would (requirements first, each once) and run their declarations."""
    manager, registry, group = load_plugins(names)
    return LoadedPlugins(tuple(manager.loaded), group, registry)


def require_data_dir() -> str:
    """The folder of the NB201 tables a run reads: ``NAS_DATA_DIR`` where it is set, else the copy
    shipped in nas-tables-nb201; a test failure that says how to get them otherwise."""
    try:
        return str(data_dir(None))
    except DataError as exc:
        pytest.fail(str(exc))


class PluginConformance:
    plugins: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Any]] = {}
    bad_options: ClassVar[Mapping[str, Any]] = {}
    benchmark: ClassVar[str | None] = str(TINY_TABLE)
    dataset: ClassVar[str | None] = "cifar10"
    space: ClassVar[str | None] = None
    budget: ClassVar[int] = 24
    skip_engines: ClassVar[Mapping[str, str]] = {}  # engine (of ENGINES) -> why this plugin opts out
    constraint_metric: ClassVar[str] = "params"  # a metric the completed trials report, for the constrained search

    def spec(self, seed: int = 0, budget: int | None = None, **options: Any) -> RunSpec:
        return RunSpec(
            plugins=self.plugins,
            budget=Budget(trials=budget or self.budget),
            seed=seed,
            benchmark=self.benchmark,
            dataset=self.dataset,
            space=self.space,
            options={**self.options, **options},
            device="cpu",
            data_dir=require_data_dir() if self.benchmark == "nb201" else os.environ.get(DATA_ENV),
        )

    def search(self, spec: RunSpec, storage: str | Path = ":memory:", *, resume: bool = False) -> list[Trial]:
        session = open_session(spec, storage, resume=resume)
        try:
            session.run()
            return list(session.study.trials)
        finally:
            session.close()

    @staticmethod
    def fingerprint(trials: list[Trial]) -> list[tuple[str, str, float | None]]:
        return [(t.candidate.arch.key, t.result.status.value, t.result.objective) for t in trials]

    # -- the contract ------------------------------------------------------------------------------
    def test_trials_are_well_formed_members_of_the_space(self) -> None:
        spec = self.spec()
        session = open_session(spec)
        try:
            session.run()
            trials = list(session.study.trials)
            assert trials, "the search recorded no trial"
            for expected_id, trial in enumerate(trials):
                assert isinstance(trial.candidate, Candidate) and isinstance(trial.result, Result)
                assert trial.trial_id == expected_id
                session.space.validate(trial.candidate.arch)
                again = session.space.decode(trial.candidate.arch.to_dict())
                assert again.key == trial.candidate.arch.key
        finally:
            session.close()

    def on_workers(self, spec: RunSpec) -> RunSpec:
        """``spec`` with its trials on the kit's shared cluster of two Dask workers."""
        return replace(spec, scheduler=shared_scheduler())

    def skip_if_opted_out(self, engine: str) -> None:
        unknown = set(self.skip_engines) - set(ENGINES)
        if unknown:
            pytest.fail(f"{type(self).__name__}.skip_engines names no engine: {', '.join(sorted(unknown))} (engines: {', '.join(ENGINES)})")
        if engine in self.skip_engines:
            pytest.skip(f"{type(self).__name__} opts out of {engine}: {self.skip_engines[engine]}")

    def test_spends_exactly_the_trial_budget(self) -> None:
        assert_buys_the_budget(self.search(self.spec()), self.budget)

    def test_spends_exactly_the_trial_budget_on_two_dask_workers(self) -> None:
        self.skip_if_opted_out("workers")
        assert_buys_the_budget(self.search(self.on_workers(self.spec())), self.budget)

    @pytest.mark.parametrize("companion", sorted(COMPANIONS))
    def test_spends_exactly_the_trial_budget_beside(self, companion: str) -> None:
        """With a proposal generator (nag-generator) or a filter (gpnas-predictor) added to the run."""
        self.skip_if_opted_out(companion)
        refusal = companion_refusal(self.plugins, companion)
        if refusal:
            pytest.skip(refusal)
        spec = replace(self.spec(**{**COMPANIONS[companion], **self.options}), plugins=(*self.plugins, companion))
        try:
            session = open_session(spec)
        except ConfigError as refused:
            pytest.skip(f"{companion} beside {', '.join(self.plugins)} is refused by design: {refused}")
        try:
            session.run()
            assert_buys_the_budget(list(session.study.trials), self.budget)
        finally:
            session.close()

    def test_killed_mid_run_resumes_on_two_dask_workers(self, tmp_path: Path) -> None:
        """SIGKILLed halfway, proposals in flight; resumed, it buys the budget and keeps what was recorded."""
        self.skip_if_opted_out("killed")
        spec = self.on_workers(self.spec())
        storage = tmp_path / "killed.db"
        kill_mid_run(spec, storage, max(1, self.budget // 2), tmp_path / "killed.log")
        before = recorded(storage)
        trials = self.search(spec, storage, resume=True)
        after = recorded(storage)
        assert {trial_id: after.get(trial_id) for trial_id in before} == before, "a trial recorded before the kill changed"
        assert_buys_the_budget(trials, self.budget)

    def test_a_constraint_keeps_infeasible_trials_out_of_the_answer(self, tmp_path: Path) -> None:
        free = self.search(self.spec())
        constraint = first_violated(free, self.constraint_metric, type(self).__name__)
        storage = tmp_path / "constrained.db"
        trials = self.search(replace(self.spec(), constraints=(constraint,)), storage)
        first_violates = free[0].result.status is Status.COMPLETE
        assert_constraint_kept(trials, storage, constraint, first_violates=first_violates)
        assert_buys_the_budget(trials, self.budget)

    def test_a_seed_makes_the_run_reproducible(self) -> None:
        first = self.fingerprint(self.search(self.spec(seed=3)))
        assert first == self.fingerprint(self.search(self.spec(seed=3)))
        assert first != self.fingerprint(self.search(self.spec(seed=4)))

    def test_resume_continues_exactly_like_an_uninterrupted_run(self, tmp_path: Path) -> None:
        half = self.budget // 2
        storage = tmp_path / "study.db"
        self.search(self.spec(budget=half), storage)
        resumed = self.search(self.spec(budget=self.budget), storage, resume=True)
        straight = self.search(self.spec(budget=self.budget))
        assert self.fingerprint(resumed) == self.fingerprint(straight)

    def own_options(self) -> list[str]:
        """Names of the options the plugins under test declare in ``nas_addoption`` (not the core's)."""
        core = {option.name for option in collect_options(())}
        return [option.name for option in collect_options(self.plugins) if option.name not in core]

    def test_bad_options_fail_with_one_clear_line(self) -> None:
        with pytest.raises(ConfigError, match="unknown option") as unknown:
            open_session(self.spec(no_such_option_anywhere=1))
        assert "\n" not in str(unknown.value)
        declared = self.own_options()
        if declared and not self.bad_options:
            pytest.fail(
                f"{type(self).__name__}.bad_options is empty, but the plugins under test declare options "
                f"({', '.join(declared)}): map at least one of them to an invalid value, so the kit "
                "checks that it is refused"
            )
        for name, value in self.bad_options.items():
            with pytest.raises(ConfigError) as bad:
                open_session(self.spec(**{name: value}))
            message = str(bad.value)
            assert "\n" not in message and name.replace("_", "-") in message
