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
  smaller ``--budget`` (trials = epochs, or time) stops it earlier.

- ``nas_answer``: the architecture derived after the last epoch, which ``nas show``, ``nas export``,
  ``nas retrain`` and ``nas draw`` use; the study's best trial is the epoch whose supernet
  validated best, which need not derive the same cell.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping

from nas_core import (
    Architecture, BudgetStatus, Candidate, Config, ConfigError, OptionGroup, PluginError, Registry,
    Result, SearchSpace, Status, StudyView, hookimpl,
)

from nas_darts.names import METHODS
from nas_darts.space_plugin import add_space_options, register_space

if TYPE_CHECKING:  # torch is imported only by runs that search
    from nas_darts.search import SearchSettings, SupernetSearch

log = logging.getLogger("nas_darts")


class DifferentiableSearch:
    """The ``darts`` strategy and estimator: owns the supernet search of one run."""

    def __init__(self, search: SupernetSearch) -> None:
        self.search = search
        self.collapsed_at: int | None = None

    @property
    def method(self) -> str:
        return self.search.settings.method

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        arch = self.search.supernet.derive()
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
            raise PluginError(
                f"darts' candidates are supernet epochs that only its own estimator can run, but epoch "
                f"{candidate.fidelity} was answered by another plugin ({result.status.value}); "
                "do not combine darts with predictors or filters"
            )
        if result.status is Status.COMPLETE and result.metrics.get("collapsed") and self.collapsed_at is None:
            self.collapsed_at = candidate.fidelity
            log.warning(
                "darts (%s): the derived normal cell collapsed (parameter-free or cut off) at epoch %d: %s",
                self.method, candidate.fidelity, result.info.get("derived"),
            )  # fmt: skip

    @hookimpl
    def nas_answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        """DARTS' result: the cell derived from the alphas after the last epoch, not the epoch
        whose supernet validated best."""
        return self.search.supernet.derive() if self.search.epoch > 0 else None

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus:
        epochs = self.search.settings.epochs
        return BudgetStatus(max(0.0, 1 - self.search.epoch / epochs), f"{self.search.epoch}/{epochs} supernet epochs")

    def state_dict(self) -> dict[str, Any]:
        return {"search": self.search.state_dict(), "collapsed_at": self.collapsed_at}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.search.load_state_dict(state["search"])
        self.collapsed_at = state["collapsed_at"]


def settings_from(options: Mapping[str, Any]) -> SearchSettings:
    """Search settings from the ``--darts-*`` options; a bad value is a one-line ConfigError."""
    from nas_darts.search import SearchSettings

    positive = ("epochs", "batch_size", "w_lr", "alpha_lr", "grad_clip")
    for name in positive:
        if options[f"darts_{name}"] <= 0:
            raise ConfigError(f"--darts-{name.replace('_', '-')} must be positive, got {options[f'darts_{name}']}")
    for name in ("w_lr_min", "w_weight_decay", "alpha_weight_decay", "milenas_lambda"):
        if options[f"darts_{name}"] < 0:
            raise ConfigError(f"--darts-{name.replace('_', '-')} must not be negative, got {options[f'darts_{name}']}")
    if not 0 <= options["darts_w_momentum"] < 1:
        raise ConfigError(f"--darts-w-momentum must be in [0, 1), got {options['darts_w_momentum']}")
    if not 0 < options["darts_train_portion"] < 1:
        raise ConfigError(f"--darts-train-portion must be in (0, 1), got {options['darts_train_portion']}")
    return SearchSettings(
        method=options["darts_method"],
        epochs=options["darts_epochs"],
        batch_size=options["darts_batch_size"],
        w_lr=options["darts_w_lr"],
        w_lr_min=options["darts_w_lr_min"],
        w_momentum=options["darts_w_momentum"],
        w_weight_decay=options["darts_w_weight_decay"],
        grad_clip=options["darts_grad_clip"],
        alpha_lr=options["darts_alpha_lr"],
        alpha_weight_decay=options["darts_alpha_weight_decay"],
        train_portion=options["darts_train_portion"],
        milenas_lambda=options["darts_milenas_lambda"],
    )


@hookimpl
def nas_register(registry: Registry) -> None:
    register_space(registry)


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    add_space_options(group)
    add = group.addoption
    add("--darts-method", default="second-order", choices=METHODS, help="architecture gradient: DARTS first/second order, or MiLeNAS mixed-level")
    add("--darts-epochs", type=int, default=50, help="supernet epochs: the cosine schedule's length and the search's end (DARTS: 50)")
    add("--darts-batch-size", type=int, default=64, help="mini-batch of weight and of alpha data (DARTS: 64)")
    add("--darts-w-lr", type=float, default=0.025, help="initial SGD learning rate of the weights (DARTS: 0.025)")
    add("--darts-w-lr-min", type=float, default=0.001, help="cosine-annealed down to this (DARTS: 0.001)")
    add("--darts-w-momentum", type=float, default=0.9, help="SGD momentum of the weights (DARTS: 0.9)")
    add("--darts-w-weight-decay", type=float, default=3e-4, help="weight decay of the weights (DARTS: 3e-4)")
    add("--darts-grad-clip", type=float, default=5.0, help="gradient norm clipping of the weights (DARTS: 5)")
    add("--darts-alpha-lr", type=float, default=3e-4, help="Adam learning rate of the alphas (DARTS: 3e-4)")
    add("--darts-alpha-weight-decay", type=float, default=1e-3, help="weight decay of the alphas (DARTS: 1e-3)")
    add("--darts-train-portion", type=float, default=0.5, help="share of the training split that trains weights; the rest trains alphas (DARTS: 0.5)")
    add("--darts-milenas-lambda", type=float, default=1.0, help="MiLeNAS: alpha descends L_train + lambda * L_val (MiLeNAS: 1)")


@hookimpl
def nas_configure(config: Config) -> None:
    if config.benchmark is not None or config.dataset is None:
        raise ConfigError("darts trains a supernet on data: give --space nb201 or darts with --dataset, not --benchmark")
    shape = config.dataset.input_shape
    if len(shape) not in (2, 3):
        raise ConfigError(
            f"darts searches cells for images or 1-D signals; --dataset {config.dataset.name} has inputs of shape {shape}"
        )
    settings = settings_from(config.options)
    from nas_core import DeviceData, resolve_device

    from nas_darts.search import SupernetSearch

    data = DeviceData(config.dataset, resolve_device(config.device))
    config.register(DifferentiableSearch(SupernetSearch.create(config.space, data, settings, config.seed)))
