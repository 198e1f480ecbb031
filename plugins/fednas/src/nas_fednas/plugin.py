"""Plugin ``fednas``: federated architecture search (FedNAS), one communication round per trial.

How the method maps onto the hooks:

- ``nas_propose``: the cell the global alphas derive before the round (with
  ``--fednas-fixed-arch``: that architecture), at fidelity = the attempt number, so every round
  is a new trial and a failed round's retry is not answered from the study.
- ``nas_estimate``: one round: every client process runs its local epochs on its own data, the
  clients all-reduce their sample-weighted models, each measures the aggregate on its own
  validation split, and the server measures it on the test split. The objective is the clients'
  validation accuracy weighted by their validation samples; the cost is the round's wall clock.
  A client that dies, hangs or fails fails the round (one line naming it); the next round
  restarts the clients from the last completed round.
- ``nas_update``: refuses a result for its round that another plugin produced (a predictor or
  filter would otherwise skip the round).
- ``nas_budget``: ``--fednas-rounds`` completed rounds end the search.
- ``nas_answer``: the cell derived from the global alphas after the last round (or the fixed
  architecture); the clients are stopped here.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Mapping

from nas_core import (
    Architecture, BudgetStatus, Candidate, Config, ConfigError, OptionGroup, Result, SearchSpace,
    StudyView, declare, from_options, hookimpl, answered_by_another_plugin,
)

from nas_fednas.fixed_arch import fixed_architecture
from nas_fednas.partition import Partition, deal
from nas_fednas.plan import ClientPlan, ModelPlan, space_to_dict
from nas_fednas.settings import FedNASSettings, parse_address

if TYPE_CHECKING:  # torch is imported only by runs that search
    from nas_core import Dataset

    from nas_fednas.federation import Federation, RoundOutcome
    from nas_fednas.server import GlobalModel

# The DARTS cell space (--space darts) and its options belong to darts-space.
NAS_PLUGINS = ("darts-space",)



class FederatedSearch:
    """The ``fednas`` strategy and estimator: the server of one federated run."""

    def __init__(
        self, settings: FedNASSettings, server: GlobalModel, federation: Federation, fixed: Architecture | None, table: dict[str, Any]
    ) -> None:
        self.settings = settings
        self.server = server
        self.federation = federation
        self.fixed = fixed
        self.table = table  # the partition's client x class counts, shown with every round
        self.rounds = 0  # completed
        self.attempts = 0  # rounds started, failed ones included: the fidelity of the next is one more
        self.model = server.state()  # the global model after the last completed round
        self.private_states: list[bytes] | None = None  # every client's optimizers and batch generator

    @property
    def origin(self) -> str:
        return "fednas:fedavg" if self.fixed is not None else f"fednas:{self.settings.search.method}"

    def architecture(self) -> Architecture:
        return self.fixed if self.fixed is not None else self.server.derive()

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        return [Candidate(self.architecture(), fidelity=self.attempts + 1, origin=self.origin)]

    @hookimpl
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result | None:
        if candidate.fidelity != self.attempts + 1:
            return None
        self.attempts += 1
        outcome = self.federation.run_round(self.rounds + 1, self.model, self.private_states)
        self.rounds += 1
        self.model, self.private_states = outcome.model, list(outcome.private_states)
        self.server.load(outcome.model)
        metrics, info = self._measure(outcome)
        return Result.complete(metrics["valid_acc"], metrics, outcome.seconds, info)

    def _measure(self, outcome: RoundOutcome) -> tuple[dict[str, float], dict[str, Any]]:
        clients = outcome.clients
        validated = [c for c in clients if c.valid_acc is not None]
        valid_samples = sum(c.valid_samples for c in validated)
        train_samples = sum(c.train_samples for c in clients)
        payload = self.server.payload_bytes
        metrics = {
            "valid_acc": sum(c.valid_acc * c.valid_samples for c in validated) / valid_samples,  # type: ignore[operator]
            "test_acc": self.server.test_accuracy(),
            "worst_client_valid_acc": min(c.valid_acc for c in validated),  # type: ignore[type-var]
            "train_loss": sum(c.train_loss * c.train_samples for c in clients) / train_samples,
            "train_acc": sum(c.train_acc * c.train_samples for c in clients) / train_samples,
            "round": float(self.rounds),
            "lr": clients[0].lr,
            "slowest_client_seconds": max(c.seconds for c in clients),
            "start_seconds": outcome.start_seconds,
            "model_bytes": float(payload),
            "bytes_per_round": float(2 * len(clients) * payload),  # each client sends its model and receives the aggregate
            "client_peak_rss_mb": max(c.peak_rss_mb for c in clients),
        }
        info: dict[str, Any] = {"clients": [dataclasses.asdict(c) for c in clients], "tables": [self.table]}
        if self.fixed is None:
            derived, health, alphas = self.server.search_view()
            metrics.update(health)
            info.update(derived=derived.to_dict(), alphas=alphas, ops=list(self.server.supernet.alphas.ops))  # type: ignore[union-attr]
        return metrics, info

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if candidate.fidelity == self.attempts + 1:
            raise answered_by_another_plugin(
                "fednas", "communication rounds", "round attempt", candidate.fidelity, result.status.value
            )

    @hookimpl
    def nas_answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        """The cell the global alphas derive after the last round (FedAvg: the fixed architecture).
        The search is over: the clients are stopped."""
        self.federation.close()
        return self.architecture() if self.rounds or self.fixed is not None else None

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus:
        rounds = self.settings.rounds
        return BudgetStatus(max(0.0, 1 - self.rounds / rounds), f"{self.rounds}/{rounds} rounds")

    def state_dict(self) -> dict[str, Any]:
        return {"rounds": self.rounds, "attempts": self.attempts, "model": self.model, "private_states": self.private_states}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.rounds, self.attempts = state["rounds"], state["attempts"]
        self.model, self.private_states = state["model"], state["private_states"]
        self.server.load(self.model)


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, FedNASSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.benchmark is not None or config.dataset is None:
        raise ConfigError("fednas trains on data held by its clients: give --space nb201 or darts with --dataset, not --benchmark")
    dataset = config.dataset
    if len(dataset.input_shape) not in (2, 3):
        raise ConfigError(f"fednas searches cells for images or 1-D signals; --dataset {dataset.name} has inputs of shape {dataset.input_shape}")
    if config.device.startswith("cuda"):
        raise ConfigError(f"fednas' clients train on the CPU and aggregate over gloo; --device {config.device} is not supported")
    settings = from_options(FedNASSettings, config.options)
    space_to_dict(config.space)  # a cell space the clients can build
    partition = deal(
        settings.partition, settings.clients, dataset.y_train, dataset.y_valid, config.rng("fednas-partition"),
        alpha=settings.alpha, min_samples=settings.min_samples,
    )  # fmt: skip
    fixed = fixed_architecture(settings.fixed_arch, config.space) if settings.fixed_arch else None
    if fixed is None:
        partition.require_split_room(settings.search.train_portion)
    config.register(_federated_search(config, settings, dataset, partition, fixed))


def _federated_search(config: Config, settings: FedNASSettings, dataset: Dataset, partition: Partition, fixed: Architecture | None) -> FederatedSearch:
    import torch

    from nas_core import DeviceData

    from nas_fednas.federation import Federation
    from nas_fednas.server import GlobalModel
    from nas_fednas.share import pack_share

    model = ModelPlan.of(config.space, settings.local_search(), None if fixed is None else fixed.to_dict(), dataset.input_shape, dataset.num_classes)
    sizes = partition.train_sizes()
    plan = ClientPlan(model, tuple(n / sum(sizes) for n in sizes), settings.local_epochs, config.seed, settings.timeout)
    server = GlobalModel(model, DeviceData(dataset, torch.device("cpu")), config.seed)
    federation = Federation(plan, lambda k: pack_share(dataset, partition, k), parse_address(settings.listen) if settings.listen else None)
    return FederatedSearch(settings, server, federation, fixed, partition.table(dataset.y_train, dataset.num_classes))
