"""What a retrain-bench runs: each method's searches, the retraining protocol, random architectures."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nas_core.budget import Budget
from nas_core.config import RunSpec, stable_seed
from nas_core.constraints import Constraints, is_architecture_metric
from nas_core.errors import ConfigError, reading_study
from nas_core.estimators import Known, make_train_estimator
from nas_core.plugin_sets import Method, options_per_set
from nas_core.preparation import prepare
from nas_core.spaces.base import Capability, SearchSpace
from nas_core.storage import StudyStorage
from nas_core.types import Candidate

LOG_NAME = "log.jsonl"
DRAWS_PER_FEASIBLE = 50  # random draws allowed per feasible random architecture asked for


@dataclass(frozen=True)
class RetrainBenchPlan:
    """``seeds`` searches per method, each answer and each of ``random_architectures`` random
    members of the space retrained once per seed of ``retrain_seeds`` for ``retrain_epochs``.

    ``options`` are given once for every method that declares them (the core's training and space
    options among them: one protocol for all); a method's own options are in its :class:`Method`.
    Everything is kept in ``folder``: one study file per search and the log of what is done.

    ``constraints`` (``--constraint`` texts) bound what is known of a network before training it
    (params, FLOPs, latency): every search runs under them, and the random architectures are drawn
    from the members of the space that satisfy them, so answers are compared with random networks
    of the same allowance. Constraints on accuracies are refused: here architectures are judged
    by retraining them, not by a search's numbers.
    """

    methods: tuple[Method, ...]
    space: str
    dataset: str
    budget: Budget
    seeds: tuple[int, ...]
    retrain_epochs: int
    retrain_seeds: tuple[int, ...]
    random_architectures: int
    random_seed: int
    folder: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    device: str = "auto"
    data_dir: str | None = None
    constraints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        parsed = Constraints.parse(self.constraints)
        on_results = [str(c) for c in parsed.items if not is_architecture_metric(c.metric)]
        if on_results:
            raise ConfigError(
                f"--constraint {on_results[0]}: retrain-bench judges architectures by retraining them; "
                "constrain what is known before training (params, flops, latency_ms)"
            )
        object.__setattr__(self, "constraints", parsed.texts)
        if not self.methods:
            raise ConfigError("name at least one method with --plugin")
        for kind, values in (("label", [m.label for m in self.methods]), ("file name", [m.file_stem for m in self.methods])):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ConfigError(f"two methods have the {kind} {twice[0]!r}: label them (--plugin 'name=plugins ...')")
        if not self.seeds or not self.retrain_seeds:
            raise ConfigError("give at least one search seed and one retraining seed")
        if self.retrain_epochs < 1 or self.random_architectures < 0:
            raise ConfigError("retraining needs at least one epoch, and the number of random architectures cannot be negative")

    @property
    def log_path(self) -> Path:
        return self.folder / LOG_NAME

    def search_spec(self, method: Method, seed: int) -> RunSpec:
        shared = options_per_set([m.plugins for m in self.methods], self.options)[self.methods.index(method)]
        options = {**shared, **method.options}
        return RunSpec(method.plugins, self.budget, seed, None, self.dataset, self.space, options, self.device, self.data_dir,
                       constraints=self.constraints).with_absolute_paths()  # fmt: skip

    def study_path(self, method: Method, seed: int) -> Path:
        return (self.folder / f"{method.file_stem}_s{seed}.db").absolute()

    def reference_spec(self) -> RunSpec:
        """The run settings the random architectures are retrained under: the first method's.
        Its space and training options are every method's (they are given once for all)."""
        return self.search_spec(self.methods[0], self.seeds[0])

    def sample_random(self) -> list[dict[str, Any]]:
        """The random architectures (``to_dict()`` forms), uniform over the space (over its
        members that satisfy the constraints, when there are any), from ``random_seed``. Prepares
        the first method's run on the way, so that an unknown space, dataset or option is refused
        before anything is written."""
        spec = self.reference_spec()
        prepared = prepare(spec)
        space = prepared.space
        if not self.random_architectures:
            return []
        if Capability.SAMPLE not in space.capabilities or Capability.BUILD not in space.capabilities:
            raise ConfigError(f"space {space.name} cannot sample and build random architectures to compare with: use --random 0")
        rng = np.random.default_rng(stable_seed(self.random_seed, "retrain-bench random architectures"))
        if not self.constraints:
            return [space.sample(rng).to_dict() for _ in range(self.random_architectures)]
        measure = make_train_estimator(space, prepared.dataset, prepared.options, spec.seed, self.device).architecture_metrics
        return feasible_sample(space, rng, Constraints.parse(self.constraints), measure, self.random_architectures)

    def check_studies(self) -> None:
        """Refuse a folder whose study files hold other searches than this plan's (before anything runs)."""
        for method in self.methods:
            for seed in self.seeds:
                path = self.study_path(method, seed)
                if not path.exists():
                    continue
                storage = StudyStorage.open(path, writer=False)
                try:
                    with reading_study(path):
                        stored = RunSpec.from_dict(storage.meta()["spec"])
                finally:
                    storage.close()
                conflicts = self.search_spec(method, seed).conflicts_with(stored)
                if conflicts:
                    raise ConfigError(
                        f"{path} holds another search ({', '.join(conflicts)} differ): "
                        "give another --runs folder, or remove it to search again"
                    )

    def search_command(self, method: Method, seed: int) -> str:
        """The ``nas search`` that runs (or, with ``--resume``, continues) this search alone."""
        spec = self.search_spec(method, seed)
        words = ["nas", "search"]
        for plugin in spec.plugins:
            words += ["--plugin", plugin]
        words += ["--space", self.space, "--dataset", self.dataset]
        for budget in budget_words(self.budget):
            words += ["--budget", budget]
        words += ["--seed", str(seed), "--device", self.device]
        for name, value in spec.options.items():
            words += ["--" + name.replace("_", "-"), str(value)]
        if spec.data_dir:
            words += ["--data-dir", spec.data_dir]
        return shlex.join([*words, "--storage", str(self.study_path(method, seed))])

    def retrain_command(self, study: Path, retrain_seed: int) -> str:
        return shlex.join(["nas", "retrain", str(study), "--epochs", str(self.retrain_epochs), "--seed", str(retrain_seed), "--device", self.device])

    def to_dict(self) -> dict[str, Any]:
        return {
            "space": self.space,
            "dataset": self.dataset,
            "budget": self.budget.to_dict(),
            "seeds": list(self.seeds),
            "options": dict(self.options),
            "methods": {m.label: {"plugins": list(m.plugins), "options": dict(m.options)} for m in self.methods},
            "retrain": {"epochs": self.retrain_epochs, "seeds": list(self.retrain_seeds), "device": self.device},
            "random": {"architectures": self.random_architectures, "seed": self.random_seed},
            "constraints": list(self.constraints),
            "runs": str(self.folder.absolute()),
        }


def feasible_sample(
    space: SearchSpace, rng: np.random.Generator, constraints: Constraints, measure: Callable[[Candidate], Known], count: int
) -> list[dict[str, Any]]:
    """``count`` uniform draws from the members of ``space`` whose untrained network (``measure``)
    satisfies ``constraints``: rejection sampling, given up after ``DRAWS_PER_FEASIBLE`` draws per
    architecture asked for, with an error that says how many satisfied them."""
    found: list[dict[str, Any]] = []
    draws = 0
    while len(found) < count:
        if draws == DRAWS_PER_FEASIBLE * count:
            raise ConfigError(
                f"only {len(found)} of {draws} random architectures of {space.name} satisfy {constraints}, "
                f"{count} are needed: loosen --constraint or ask for fewer with --random"
            )
        arch = space.sample(rng)
        draws += 1
        if not constraints.violations(measure(Candidate(arch)).metrics):
            found.append(arch.to_dict())
    return found


def budget_words(budget: Budget) -> list[str]:
    """A budget as ``--budget`` values."""
    words = [] if budget.trials is None else [str(budget.trials)]
    return words + ([] if budget.seconds is None else [f"{budget.seconds:g}s"])
