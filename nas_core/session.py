"""A ready-to-run search: a prepared spec, its study file, and the estimator behind the plugins'."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from nas_core.architecture import Architecture
from nas_core.budget import Usage
from nas_core.tables.base import Benchmark
from nas_core.config import Config, RunSpec
from nas_core.datasets.files import is_data_file
from nas_core.datasets.provenance import DataFile
from nas_core.errors import ConfigError, StorageError, reading_study, writing_study
from nas_core.estimators import CoreEstimator
from nas_core.loop import SearchLoop
from nas_core.parallel.driver import DaskExecutor, Dispatcher
from nas_core.plugin_manager import PluginManager
from nas_core.preparation import Prepared, prepare_checked
from nas_core.spaces.base import SearchSpace
from nas_core.spend import judge
from nas_core.storage import MEMORY, StudyStorage
from nas_core.study import LiveStudy
from nas_core.types import Status, Trial


MAX_FAILURES = 10  # failed trials in a row after which a search stops (--max-failures)


@dataclass
class Session:
    spec: RunSpec
    plugins: PluginManager
    space: SearchSpace
    benchmark: Benchmark | None
    study: LiveStudy
    strategy: str
    executor: DaskExecutor | None = None
    warnings: tuple[str, ...] = ()  # about the run as composed (nas_planned_spend), for the user
    created: bool = False  # the study file is this session's: a new one, not a resumed one

    def run(self, on_trial: Callable[[Trial], None] | None = None, *, max_failures: int = MAX_FAILURES) -> str:
        """Search until the budget is spent; records why it stopped in the study.

        The plugins' states go with every trial into a study file, to resume from; an in-memory
        study cannot be resumed, so they are not serialized (for a strategy with a long history
        that was most of the per-trial cost of a ``nas bench`` run). A run that fails before its
        first trial leaves no study file behind if it created one (a plugin's bug at its first
        proposal should not leave an empty study that only ``--resume`` would accept).
        """
        states = self.plugins.state_dicts if self.study.storage.persistent else dict
        loop = SearchLoop(self.plugins.hooks, self.study, states, executor=self.executor, max_failures=max_failures)
        try:
            reason = loop.run(on_trial)
            answer = self.plugins.hooks.answer(self.study, self.space)
        except Exception:
            if self.created and self.study.storage.persistent and not self.study.trials:
                self._discard()
            raise
        unproven = None if answer is None else unproven_answer(self.study, answer)
        self.study.save_meta(
            stopped=reason,
            duplicates=self.study.duplicates,
            answer=None if answer is None or unproven else {"arch": answer.to_dict(), "key": answer.key},
            answer_set_aside=None if answer is None or not unproven else {"arch": answer.to_dict(), "why": unproven},
        )
        return reason

    def _discard(self) -> None:
        """Remove the study file this session created: nothing is in it."""
        self.study.storage.close()
        _remove(self.study.storage.path)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.close()
        self.study.storage.close()


def unproven_answer(study: LiveStudy, answer: Architecture) -> str | None:
    """Why a strategy's named answer cannot stand under the run's constraints, or None.

    Under ``--constraint`` the answer must be feasible, and only a trial shows that: the latest
    trial of the architecture must have completed (been judged feasible). Otherwise the answer is
    the best feasible trial, as when no strategy names one.
    """
    if not study.spec.constraints:
        return None
    judged = [t for t in study.trials if t.candidate.arch.key == answer.key and t.result.status.answers_duplicates]
    if not judged:
        return "no trial evaluated it, so nothing shows it satisfies the constraints"
    latest = judged[-1]
    if latest.result.status is not Status.COMPLETE:
        return f"its latest trial ({latest.trial_id}) is {latest.result.status.value}"
    return None


def open_session(spec: RunSpec, storage: str | os.PathLike[str] = MEMORY, *, resume: bool = False) -> Session:
    """A ready-to-run session. With ``resume``, ``spec`` is checked against the stored one."""
    path = str(storage)
    spec = spec.with_absolute_paths()
    stored: StudyStorage | None = None
    recorded_data: DataFile | None = None
    if resume:
        stored = StudyStorage.open(path)
        try:
            meta = stored.meta()
            recorded = RunSpec.from_dict(meta["spec"])
            recorded_data = DataFile.from_dict(meta["data"]) if meta.get("data") else None
        except (KeyError, TypeError, ValueError) as exc:
            stored.close()
            raise StorageError(f"{path} holds no readable run spec ({exc}); it cannot be resumed") from None
        conflicts = spec.conflicts_with(recorded)
        if recorded_data is not None and is_data_file(spec.dataset):
            conflicts = [name for name in conflicts if name != "dataset"]  # a file is judged by its content, once read
        if conflicts:
            stored.close()
            raise ConfigError(
                f"--resume: {', '.join(conflicts)} differ from the run stored in {path}; "
                "resume with the same settings (or start a new --storage)"
            )
    executor = None
    try:
        prepared = prepare_checked(spec, recorded_data, "--resume")
        executor = DaskExecutor(spec) if spec.parallel else None
        return _assemble(prepared, path, stored, executor)
    except BaseException:
        if executor is not None:
            executor.close()
        if stored is not None:
            stored.close()
        raise


def _assemble(prepared: Prepared, path: str, stored: StudyStorage | None, executor: DaskExecutor | None) -> Session:
    spec, manager = prepared.spec, prepared.plugins
    config = Config(spec, prepared.options, prepared.space, prepared.benchmark, prepared.dataset, manager.register)
    manager.configure(config)
    _check_constraint_metrics(prepared)
    _register_core_estimator(prepared, executor)
    strategy = manager.check(prepared.space)
    space = prepared.space

    def sampler(rng: np.random.Generator, n: int) -> list[Architecture]:
        return manager.hooks.sample(space, rng, n)

    source = None if prepared.dataset is None else prepared.dataset.source
    data = {} if source is None else {"data": source.to_dict()}  # the file searched on, to check it is the same later
    if stored is None:
        warnings = _judge_plans(manager, config, Usage(0, 0.0, 0.0))
        storage = _create(path, {**_meta(spec, manager), **data})
        study = LiveStudy(spec, space, storage, sampler)
    else:
        with reading_study(path):
            study = LiveStudy.load(spec, space, stored, sampler)
            states = stored.states()
        manager.load_state_dicts(states)
        warnings = _judge_plans(manager, config, study.usage)
        study.defer_meta(spec=spec.to_dict(), resumed_at=time.time(), **data)
    created = stored is None
    return Session(spec, manager, prepared.space, prepared.benchmark, study, strategy, executor, tuple(warnings), created)


def _create(path: str, meta: dict[str, Any]) -> StudyStorage:
    """A new study file; one that could not be made whole (a read-only folder, a disk that fills
    while its tables are written) is removed again. ``StudyStorage.create`` refuses an existing
    file with a StorageError, which passes through untouched; the raw errors caught here come
    from making the folder, or after this process created the file (exclusively): ours to remove."""
    try:
        return StudyStorage.create(path, meta)
    except (OSError, sqlite3.Error):
        _remove(path)
        with writing_study(path):
            raise


def _remove(path: str) -> None:
    """A study file and SQLite's side files."""
    for leftover in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            os.remove(leftover)


def _judge_plans(manager: PluginManager, config: Config, used: Usage) -> list[str]:
    """Refuse (before the study file is written) or warn about what plugins will spend on their own."""
    spends = manager.hooks.planned_spend(config)
    return judge(spends, config.spec.budget, used, simulated=config.benchmark is not None)


def _check_constraint_metrics(prepared: Prepared) -> None:
    """Refuse, before the search, a constraint on a metric the run's own estimator never reports.
    Where a plugin's estimator answers in its place, its metrics are known at its first trial
    only: the loop checks them there."""
    constraints = prepared.constraints
    reported = prepared.reported_metrics()
    if constraints and reported is not None and not prepared.plugins.answering_estimators():
        constraints.require_known(*reported)


def _register_core_estimator(prepared: Prepared, executor: DaskExecutor | None) -> None:
    """Behind every plugin's estimators: the run's own (table or training), in process or on the
    Dask workers, which build the same one from the spec."""
    if executor is not None:
        prepared.plugins.register(Dispatcher(executor), "core.estimator", owner="core")
        return
    estimator = prepared.estimator()
    if estimator is not None:
        prepared.plugins.register(CoreEstimator(estimator), "core.estimator", owner="core")


def _meta(spec: RunSpec, manager: PluginManager) -> dict[str, Any]:
    try:
        core_version = version("nas-core")
    except PackageNotFoundError:
        core_version = "unknown"
    return {
        "spec": spec.to_dict(),
        "created": time.time(),
        "nas_core_version": core_version,
        "plugins": {name: info.version for name, info in manager.loaded.items()},
        "duplicates": 0,
    }
