"""Starting a search from the options a user gives: the one path of ``nas search`` and of
:func:`nas_core.search`, so the command and the Python API cannot drift apart.

An option left at ``None`` (or empty) is one the user did not give: a new search takes its
default, a resumed one keeps what its study file recorded. Plugin options are passed by name
(``darts_epochs``, or the flag ``--darts-epochs``) and checked against what the loaded plugins
declare, as on the command line: an unknown one is a one-line ConfigError naming it.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import ConfigError, reading_study
from nas_core.recorded import Study
from nas_core.session import MAX_FAILURES, Session, open_session
from nas_core.storage import StudyStorage
from nas_core.tables.files import ENV as DATA_ENV
from nas_core.types import Trial

DEFAULT_TRIALS = "100"  # the budget of a new search that gives none (or only a wall-clock limit)

Budgets = str | int | Sequence[str | int]


def compose_run(
    plugins: str | Sequence[str] = (),
    *,
    budget: Budgets | None = None,
    timeout: str | None = None,
    seed: int | None = None,
    benchmark: str | None = None,
    dataset: str | None = None,
    space: str | None = None,
    options: Mapping[str, Any] | None = None,
    device: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: bool | None = None,
    constraints: Sequence[str] | None = None,
    storage: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> tuple[RunSpec, str]:
    """The run spec of a search and the path of its study file (new: ``runs/<time>-<plugins>-s<seed>.db``
    unless given). ``data_dir`` falls back to ``$NAS_DATA_DIR``, recorded with the run."""
    names = [plugins] if isinstance(plugins, str) else list(plugins)
    budgets = [] if budget is None else [budget] if isinstance(budget, str | int) else list(budget)
    folder = str(data_dir) if data_dir is not None else os.environ.get(DATA_ENV)
    given_options = dict(options or {})
    if resume:
        if storage is None:
            raise ConfigError("--resume needs --storage PATH of the study to continue")
        fields = _stored_spec(str(storage)).to_dict()
        chosen = {"benchmark": benchmark, "dataset": dataset, "space": space, "seed": seed, "device": device,
                  "scheduler": scheduler, "dashboard": dashboard}  # fmt: skip
        fields.update((name, value) for name, value in chosen.items() if value is not None)
        if constraints:
            fields["constraints"] = list(constraints)
        if workers is not None or scheduler is not None:
            fields["workers"] = workers or 0
        if names:
            fields["plugins"] = list(dict.fromkeys(names))
        if budgets or timeout:
            fields["budget"] = Budget.parse(map(str, budgets), timeout).to_dict()
        fields["options"] = {**fields["options"], **given_options}
        fields["data_dir"] = folder or fields["data_dir"]
        return RunSpec.from_dict(fields), str(storage)
    if not names:
        raise ConfigError("name a search strategy with --plugin (see: nas plugins)")
    spec = RunSpec(
        plugins=tuple(dict.fromkeys(names)),  # a plugin named twice is loaded once
        budget=Budget.parse(map(str, budgets or [DEFAULT_TRIALS]), timeout),
        seed=0 if seed is None else seed,
        benchmark=benchmark,
        dataset=dataset,
        space=space,
        options=given_options,
        device=device or "auto",
        data_dir=folder,
        workers=workers or 0,
        scheduler=scheduler,
        dashboard=bool(dashboard),
        constraints=tuple(constraints or ()),
    )
    return spec, str(storage) if storage is not None else _default_storage(spec)


def start_search(plugins: str | Sequence[str] = (), *, storage: str | os.PathLike[str] | None = None,
                 resume: bool = False, **settings: Any) -> Session:  # fmt: skip
    """A session ready to run: :func:`compose_run`'s spec, its study file created (or, with
    ``resume``, opened and checked against the stored run)."""
    spec, path = compose_run(plugins, storage=storage, resume=resume, **settings)
    return open_session(spec, path, resume=resume)


def search(
    plugins: str | Sequence[str] = (),
    *,
    budget: Budgets | None = None,
    benchmark: str | None = None,
    dataset: str | None = None,
    space: str | None = None,
    seed: int | None = None,
    storage: str | os.PathLike[str] | None = None,
    resume: bool = False,
    timeout: str | None = None,
    device: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: bool | None = None,
    constraints: Sequence[str] | None = None,
    max_failures: int = MAX_FAILURES,
    on_trial: Callable[[Trial], None] | None = None,
    **options: Any,
) -> Study:
    """Run a search as ``nas search`` does and return its :class:`~nas_core.recorded.Study`.

    The arguments are ``nas search``'s options: ``plugins`` (one name or several), ``budget``
    (a trial count, ``"12000s"``, or a list of both: the tightest wins), ``benchmark`` or
    ``space`` with ``dataset``, ``seed``, ``storage`` (the study file; default
    ``runs/<time>-<plugins>-s<seed>.db``, ``":memory:"`` keeps it in memory), ``resume`` and the
    rest (``constraints``: ``--constraint`` texts such as ``"params<=0.5"``); every plugin's options as keyword arguments, named without dashes
    (``evolution_population=20``, ``train_epochs=5``). ``on_trial`` hears of every recorded
    trial. What ``nas search`` prints as a warning (a plugin's own spending of the budget) is a
    :class:`UserWarning`.
    """
    session = start_search(
        plugins, storage=storage, resume=resume, budget=budget, timeout=timeout, seed=seed, benchmark=benchmark,
        dataset=dataset, space=space, options=options, device=device, data_dir=data_dir, workers=workers,
        scheduler=scheduler, dashboard=dashboard, constraints=constraints,
    )  # fmt: skip
    try:
        for warning in session.warnings:
            warnings.warn(warning, stacklevel=2)
        session.run(on_trial, max_failures=max_failures)
        return Study.read(session.study.storage, session.space)
    finally:
        session.close()


def _stored_spec(path: str) -> RunSpec:
    storage = StudyStorage.open(path, writer=False)
    try:
        with reading_study(path):
            return RunSpec.from_dict(storage.meta()["spec"])
    finally:
        storage.close()


def _default_storage(spec: RunSpec) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
    return str(Path("runs") / f"{stamp}-{'+'.join(spec.plugins)}-s{spec.seed}.db")
