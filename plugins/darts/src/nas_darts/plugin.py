"""Plugin ``darts``: DARTS (first and second order) and MiLeNAS, one supernet epoch per trial.

How the method maps onto the hooks:

- ``nas_propose``: the architecture derived from the current alphas, at fidelity = the epoch the
  supernet is about to finish (1, 2, ...), so the same architecture in a later epoch is a new
  trial, never a cached one. (DARTS' own log prints the genotype at the start of each epoch, too.)
- ``nas_estimate``: one epoch of the bi-level search (alpha and weight steps alternate every
  mini-batch, Algorithm 1), then the supernet is measured; the objective is its accuracy on the
  dataset's validation split, which the search never trains on. The cost is the epoch's time.
- ``nas_update``: the collapse watch (reports the first epoch at which the derived cell
  collapsed: parameter-free, or computing zero). The architecture steps themselves run inside
  the epoch: DARTS alternates them with weight steps per mini-batch, and one alpha step per
  epoch would not be DARTS.
- ``nas_budget``: ``--darts-epochs`` (the length of the cosine schedule) ends the search; a
  smaller ``--budget`` (trials = epochs, or time) stops it earlier, and so does MiLeNAS' early
  stopping (``--darts-size-stop``) once the derived cells reach ``--darts-size-ops``.

- ``nas_answer``: the architecture derived after the last epoch (or, with ``--darts-select
  perturbation``, selected from the last supernet by what removing each op costs it), which
  ``nas show``, ``nas export``, ``nas retrain`` and ``nas draw`` use; the study's best trial is
  the epoch whose supernet validated best, which need not derive the same cell. With
  ``--darts-size-ops N`` (MiLeNAS' model-size-based search) it is the cell derived after the
  best-validated epoch of size N.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping

from nas_core import (
    Architecture, BudgetStatus, Candidate, Config, ConfigError, NB201Space, OptionGroup, Result,
    SearchSpace, Status, StudyView, declare, from_options, hookimpl, answered_by_another_plugin,
)

from nas_darts.settings import SearchSettings
from nas_darts.sizes import best_per_size, reached

if TYPE_CHECKING:  # torch is imported only by runs that search
    from nas_darts.search import SupernetSearch

# The DARTS cell space (--space darts) and its options belong to darts-space.
NAS_PLUGINS = ("darts-space",)

log = logging.getLogger("nas_darts")


class DifferentiableSearch:
    """The ``darts`` strategy and estimator: owns the supernet search of one run."""

    def __init__(self, search: SupernetSearch) -> None:
        self.search = search
        self.collapsed_at: int | None = None
        self.stopped_at: int | None = None  # MiLeNAS early stopping: the epoch that reached the size

    @property
    def method(self) -> str:
        return self.search.settings.method

    @property
    def settings(self) -> SearchSettings:
        return self.search.settings

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        arch = self.search.derive()
        return [Candidate(arch, fidelity=self.search.epoch + 1, origin=f"darts:{self.method}")]

    @hookimpl
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result | None:
        if candidate.fidelity != self.search.epoch + 1:
            return None
        report = self.search.run_epoch()
        info: dict[str, Any] = {
            "derived": report.derived.to_dict(),
            "alphas": report.probabilities,
            "ops": list(self.search.supernet.alphas.ops),
            "method": self.method,
        }
        return Result.complete(report.valid_acc, report.metrics(), report.seconds, info)

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if candidate.fidelity == self.search.epoch + 1:
            raise answered_by_another_plugin("darts", "supernet epochs", "epoch", candidate.fidelity, result.status.value)
        if result.status is Status.COMPLETE and result.metrics.get("collapsed") and self.collapsed_at is None:
            self.collapsed_at = candidate.fidelity
            log.warning(
                "darts (%s): the derived normal cell collapsed (parameter-free or cut off) at epoch %d: %s",
                self.method, candidate.fidelity, result.info.get("derived"),
            )  # fmt: skip
        if self.settings.size_stop and self.stopped_at is None and reached(result, self.settings.size_ops):
            self.stopped_at = candidate.fidelity

    @hookimpl
    def nas_answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        """DARTS' result: the cell derived from the alphas after the last epoch, not the epoch
        whose supernet validated best; MiLeNAS' size-based search: the best epoch of the size."""
        if self.search.epoch == 0:
            return None
        size = self.settings.size_ops
        if size:
            best = best_per_size(study.trials).get(size)
            if best is not None:
                return space.decode(best.result.info["derived"])
            log.warning("darts: no epoch derived cells of %d parametric ops; the answer is the last epoch's cell", size)
        return self.search.select()

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus:
        epochs = self.settings.epochs
        if self.stopped_at is not None:
            return BudgetStatus(0.0, f"stopped early at epoch {self.stopped_at}: the derived cells reached {self.settings.size_ops} parametric ops")
        return BudgetStatus(max(0.0, 1 - self.search.epoch / epochs), f"{self.search.epoch}/{epochs} supernet epochs")

    def state_dict(self) -> dict[str, Any]:
        return {"search": self.search.state_dict(), "collapsed_at": self.collapsed_at, "stopped_at": self.stopped_at}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.search.load_state_dict(state["search"])
        self.collapsed_at = state["collapsed_at"]
        self.stopped_at = state.get("stopped_at")


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, SearchSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.benchmark is not None or config.dataset is None:
        raise ConfigError("darts trains a supernet on data: give --space nb201 or darts with --dataset, not --benchmark")
    shape = config.dataset.input_shape
    if len(shape) not in (2, 3):
        raise ConfigError(
            f"darts searches cells for images or 1-D signals; --dataset {config.dataset.name} has inputs of shape {shape}"
        )
    settings = from_options(SearchSettings, config.options)
    if settings.select == "perturbation" and not isinstance(config.space, NB201Space):
        raise ConfigError(f"--darts-select perturbation chooses NB201 cells (--space nb201); --space {config.space.name} is selected by its alphas")
    from nas_core import device_data

    from nas_darts.search import SupernetSearch

    data = device_data(config.dataset, config.device)
    config.register(DifferentiableSearch(SupernetSearch.create(config.space, data, settings, config.seed)))
