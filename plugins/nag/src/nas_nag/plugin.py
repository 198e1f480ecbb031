"""RS-NAG, random search with the neural architecture generator (paper Algorithm 1), plugin ``nag``.

1. **NAS dataset.** With ``--nag-dataset evaluate`` (default) the first proposals are
   ``--nag-dataset-size`` distinct, uniformly sampled architectures (origin ``nag:dataset``),
   evaluated through the run's estimator like any trial (table lookup, or training), so their
   cost is in the study. With ``--nag-dataset supernet`` they are trained together in the
   one-shot supernet instead (open-domain space, real data), which is not a trial: its measured
   seconds are charged to the run's time budget unless ``--nag-charge-dataset false``.
2. **Training.** Once every dataset answer is in, NAG is trained on it, conditioned on the
   indicators of ``--nag-labels`` (tertiles of the NAS dataset).
3. **Random search.** Then ``--nag-samples`` (N_s) generated architectures with the requested
   labels, each new to the study (origin ``nag:generated``), are evaluated, and the run ends.
   The study's best is the top architecture; :func:`nas_nag.outcome.top_generated` lists the
   top N_need of the generated ones, as Algorithm 1 outputs them.

With ``--nag-rounds R`` > 1 (not in the paper) the N_s samples come in R rounds: after each
round's answers are in, they join the NAS dataset, the tertiles are recomputed over it and NAG
is trained ``--nag-refit-epochs`` more epochs. The dataset then holds more good architectures,
so its top third, what ``high-acc`` asks for, is a stricter class than a uniform sample's.

The paper leaves the NAS dataset's cost out of the search budget; here it is part of the run. One
run gives both protocols: the paper's uses the ``nag:generated`` trials, the honest one the first
trials up to the budget (:mod:`nas_nag.outcome`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nas_core import (
    Architecture, BudgetStatus, Candidate, Capability, Config, ConfigError, OptionGroup, Result,
    SearchSpace, Status, StudyView, from_options, hookimpl,
)
from nas_nag.dataset import NASRecord, draw_distinct
from nas_nag.grammar import grammar_for
from nas_nag.labels import LabelRequest, parse_labels
from nas_nag.model import TrainedNAG
from nas_nag.settings import NAGSettings
from nas_nag.source import NonTrialSource, charged_status, supernet_source

NAS_REQUIRES = frozenset({Capability.SAMPLE, Capability.GRAPH})
DATASET = "nag:dataset"
GENERATED = "nag:generated"
GENERATION_BATCH = 64
MAX_FRUITLESS = 20  # generation rounds in a row without a new architecture before giving up


class RSNAG:
    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        model: TrainedNAG,
        samples: int,
        size: int,
        source: NonTrialSource | None,
        charge: bool,
        rounds: int,
        refit_epochs: int,
    ) -> None:
        self.space = space
        self.rng = rng
        self.model = model
        self.samples = samples
        self.size = size
        self.source = source
        self.charge = charge
        self.rounds = rounds
        self.refit_epochs = refit_epochs
        self.round = 0
        self.fresh: list[NASRecord] = []  # generated results not yet in the NAS dataset
        self.phase = "dataset"  # -> "generate" -> "done"
        self.seen: set[str] = set()  # keys proposed by this strategy
        self.proposed = {DATASET: 0, GENERATED: 0}
        self.pending = {DATASET: 0, GENERATED: 0}  # proposed, answer not in yet (parallel runs)
        self.queue: list[Architecture] = []
        self.fruitless = 0
        self.charged_seconds = 0.0

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        if self.phase == "dataset":
            if self.source is None and self.proposed[DATASET] < self.size:
                drawn = self._dataset_candidates(n)
                if drawn:
                    return drawn
            if self.pending[DATASET]:
                return []  # the last dataset answers are still running
            self._train()
        if self.phase == "generate":
            return self._generated_candidates(study, n)
        return []

    def _dataset_candidates(self, n: int) -> list[Candidate]:
        out = []
        for _ in range(min(n, self.size - self.proposed[DATASET])):
            arch = draw_distinct(self.space, self.rng, self.seen)
            if arch is None:  # a space smaller than the dataset asked for: take what there is
                self.size = self.proposed[DATASET]
                break
            self.proposed[DATASET] += 1
            self.pending[DATASET] += 1
            out.append(Candidate(arch, origin=DATASET))
        return out

    def _train(self) -> None:
        if self.source is not None:
            built = self.source.build(self.rng, self.size)
            self.model.records = built.records
            self.charged_seconds += built.seconds
        self.model.train(int(self.rng.integers(2**31)))
        self.phase = "generate"

    def _generated_candidates(self, study: StudyView, n: int) -> list[Candidate]:
        out: list[Candidate] = []
        while len(out) < n and self.proposed[GENERATED] < self.samples:
            if self.proposed[GENERATED] >= self._round_cap():
                if self.pending[GENERATED]:
                    break  # the round's last answers are still running
                self._next_round()
                continue
            if not self.queue:
                if self.fruitless >= MAX_FRUITLESS:
                    self.samples = self.proposed[GENERATED]  # the generator has nothing new left
                    break
                self._refill(study)
                continue
            arch = self.queue.pop(0)
            self.proposed[GENERATED] += 1
            self.pending[GENERATED] += 1
            out.append(Candidate(arch, origin=GENERATED, meta={"labels": self.model.request.names}))
        if not out and not self.pending[GENERATED] and self.proposed[GENERATED] >= self.samples:
            self.phase = "done"
        return out

    def _round_cap(self) -> int:
        """Generated proposals allowed by the end of the current round."""
        return -(-self.samples * (self.round + 1) // self.rounds)

    def _next_round(self) -> None:
        self.model.records.extend(self.fresh)
        self.fresh = []
        self.model.refit(self.refit_epochs, int(self.rng.integers(2**31)))
        self.round += 1
        self.queue = []  # drawn from the previous generator
        self.fruitless = 0

    def _refill(self, study: StudyView) -> None:
        fresh = []
        for arch in self.model.generate(GENERATION_BATCH, self.rng):
            if arch.key not in self.seen and study.find(arch, None) is None:
                self.seen.add(arch.key)
                fresh.append(arch)
        self.queue = fresh
        self.fruitless = 0 if fresh else self.fruitless + 1

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        origin = candidate.origin
        if origin not in self.pending or self.pending[origin] == 0:
            return
        self.pending[origin] -= 1
        if result.status in (Status.PREDICTED, Status.REJECTED):
            # A filter beside RS-NAG answered instead of an evaluation, or a constraint rejected
            # the architecture before one: no measurement to label NAG's data with, and not one
            # of the evaluations the dataset size and N_s count.
            self.proposed[origin] -= 1
            return
        if not result.ok or (origin == GENERATED and self.rounds == 1):
            return
        assert result.objective is not None
        record = NASRecord(candidate.arch, result.objective, dict(result.metrics))
        (self.model.records if origin == DATASET else self.fresh).append(record)

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus | None:
        return charged_status(study, 0, self.charged_seconds) if self.charge else None

    def state_dict(self) -> dict[str, Any]:
        return {
            "rng": self.rng.bit_generator.state,
            "phase": self.phase,
            "size": self.size,
            "samples": self.samples,
            "seen": sorted(self.seen),
            "proposed": dict(self.proposed),
            "pending": dict(self.pending),
            "queue": [arch.to_dict() for arch in self.queue],
            "fruitless": self.fruitless,
            "charged_seconds": self.charged_seconds,
            "round": self.round,
            "fresh": [r.to_dict() for r in self.fresh],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.phase = state["phase"]
        self.size = state["size"]
        self.samples = state["samples"]
        self.seen = set(state["seen"])
        # Answers still running when the study was saved are lost: they were never recorded.
        self.proposed = {k: v - state["pending"][k] for k, v in state["proposed"].items()}
        self.pending = {k: 0 for k in state["pending"]}
        self.queue = [self.space.decode(arch) for arch in state["queue"]]
        self.fruitless = state["fruitless"]
        self.charged_seconds = state["charged_seconds"]
        self.round = state.get("round", 0)
        self.fresh = [NASRecord.from_dict(r, self.space) for r in state.get("fresh", [])]


NAS_PLUGINS = ("nag-gan",)  # the GAN, NAS-dataset and supernet options, shared with nag-generator


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--nag-labels", default="high-acc", help="requested labels, e.g. high-acc,few-params")
    group.addoption("--nag-samples", type=int, default=10, help="N_s: generated architectures to evaluate (paper 4.1.3: 10)")
    group.addoption("--nag-rounds", type=int, default=1, help="rounds the N_s samples come in, NAG refit on all results between them (1: the paper)")
    group.addoption("--nag-refit-epochs", type=int, default=50, help="training epochs of each refit between rounds (not in the paper)")


@hookimpl
def nas_configure(config: Config) -> None:
    space = config.space
    request: LabelRequest = parse_labels(config.option("nag_labels"), "--nag-labels")
    samples = config.option("nag_samples")
    if samples < 1:
        raise ConfigError(f"--nag-samples must be at least 1, got {samples}")
    rounds, refit_epochs = config.option("nag_rounds"), config.option("nag_refit_epochs")
    if not 1 <= rounds <= samples:
        raise ConfigError(f"--nag-rounds must be between 1 and --nag-samples ({samples}), got {rounds}")
    if refit_epochs < 1:
        raise ConfigError(f"--nag-refit-epochs must be at least 1, got {refit_epochs}")
    shared = from_options(NAGSettings, config.options)
    model = TrainedNAG(space, grammar_for(space), request, shared.gan)
    source = None
    if shared.data.dataset == "supernet":
        with_flops = any(ind.name == "flops" for ind in request.indicators)
        source = supernet_source(config, shared.supernet, with_flops)
    size = shared.data.size(space)
    config.register(model, "model")
    charge = shared.data.charge_dataset
    config.register(RSNAG(space, config.rng("nag"), model, samples, size, source, charge, rounds, refit_epochs))
