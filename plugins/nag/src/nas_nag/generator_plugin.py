"""NAG as any strategy's source of random architectures, plugin ``nag-generator``.

``--plugin evolution --plugin nag-generator`` (or random, hillclimb, ...): whenever the strategy
draws random architectures (``study.sample``), the ``nas_sample`` hook answers with generated
ones carrying ``--nag-generator-labels`` (default ``high-acc``), each new to the study when the
generator can find one.

The generator trains itself at the first draw, so it needs its NAS dataset before the strategy
has evaluated anything. Not being the strategy, it cannot propose trials; it builds the dataset
itself: with ``--nag-dataset evaluate`` by looking up ``--nag-dataset-size`` sampled architectures
in the run's benchmark table, with ``--nag-dataset supernet`` with the one-shot supernet on the
run's data. That work is charged to the run's budget through ``nas_budget`` (the lookups as
trials and their simulated seconds, the supernet's measured seconds), the honest protocol; with
``--nag-charge-dataset false`` it is free, the paper's. Looked up in a table, its cost is said
beforehand (``nas_planned_spend``), so the core refuses a budget it would leave no search in. The noise, the dataset's sample and the
training seed come from the strategy's own random generator, so a seed still fixes the run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import (
    Architecture, BudgetStatus, Candidate, Capability, Config, ConfigError, OptionGroup,
    PlannedSpend, Result, SearchSpace, StudyView, from_options, hookimpl,
)
from nas_nag.grammar import grammar_for
from nas_nag.labels import parse_labels
from nas_nag.model import TrainedNAG
from nas_nag.settings import NAGSettings
from nas_nag.source import NonTrialSource, TableSource, charged_status, supernet_source

NAS_REQUIRES = frozenset({Capability.GRAPH})
MAX_ROUNDS = 20  # generation rounds looking for architectures the study has not seen


class NAGSampler:
    def __init__(self, space: SearchSpace, model: TrainedNAG, source: NonTrialSource, size: int, charge: bool) -> None:
        self.space = space
        self.model = model
        self.source = source
        self.size = size
        self.charge = charge
        self.seen: set[str] = set()  # keys handed out or evaluated
        self.charged_queries = 0
        self.charged_seconds = 0.0

    @hookimpl
    def nas_sample(self, space: SearchSpace, rng: np.random.Generator, n: int) -> list[Architecture] | None:
        if space is not self.space:
            return None
        if not self.model.trained:
            built = self.source.build(rng, self.size)
            self.model.records = built.records
            self.charged_queries += built.queries
            self.charged_seconds += built.seconds
            self.model.train(int(rng.integers(2**31)))
        fresh: list[Architecture] = []
        last: list[Architecture] = []
        for _ in range(MAX_ROUNDS):
            last = self.model.generate(max(2 * n, 16), rng)
            for arch in last:
                if arch.key not in self.seen and len(fresh) < n:
                    self.seen.add(arch.key)
                    fresh.append(arch)
            if len(fresh) == n:
                return fresh
        return fresh + last[: n - len(fresh)]  # the generator repeats itself: seen ones will do

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        self.seen.add(candidate.arch.key)

    @hookimpl
    def nas_planned_spend(self, config: Config) -> PlannedSpend | None:
        if not self.charge or self.model.trained:
            return None
        return self.source.planned(self.size)

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus | None:
        return charged_status(study, self.charged_queries, self.charged_seconds) if self.charge else None

    def state_dict(self) -> dict[str, Any]:
        return {"seen": sorted(self.seen), "queries": self.charged_queries, "seconds": self.charged_seconds}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.seen = set(state["seen"])
        self.charged_queries = state["queries"]
        self.charged_seconds = state["seconds"]


NAS_PLUGINS = ("nag-gan",)  # the GAN, NAS-dataset and supernet options, shared with nag


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--nag-generator-labels", default="high-acc", help="labels of the generated architectures")


@hookimpl
def nas_configure(config: Config) -> None:
    space = config.space
    request = parse_labels(config.option("nag_generator_labels"), "--nag-generator-labels")
    shared = from_options(NAGSettings, config.options)
    source: NonTrialSource
    if shared.data.dataset == "supernet":
        source = supernet_source(config, shared.supernet, any(i.name == "flops" for i in request.indicators))
    elif config.benchmark is None:
        raise ConfigError("--nag-dataset evaluate: nag-generator looks its NAS dataset up in --benchmark; on real data use --nag-dataset supernet")
    else:
        source = TableSource(config.benchmark)
    model = TrainedNAG(space, grammar_for(space), request, shared.gan)
    config.register(model, "model")
    config.register(NAGSampler(space, model, source, shared.data.size(space), shared.data.charge_dataset))
