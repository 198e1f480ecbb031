"""Plugin ``nasib``: NASIB's budget-aware search over superkernels, one supernet epoch per trial.

How the method maps onto the hooks (the ``darts`` plugin's mapping, with NASIB's budget):

- ``nas_propose``: the architecture derived from the current alphas (each layer's highest-alpha
  kernel), at fidelity = the epoch the supernet is about to finish, so a later epoch is a new trial.
- ``nas_estimate``: one epoch of the search (:mod:`nas_nasib.search`); the objective is the
  derived network's accuracy on the validation split inside the supernet's weights, the cost the
  epoch's time. After the first epoch of a time-budgeted search, n is calibrated from that time.
- ``nas_budget``: n epochs. ``--nasib-epochs 12`` gives n = 12, and so does ``--budget 12``
  without it; ``--budget 2h`` gives n = floor(2 h / the first epoch's time) (with an epoch count
  beside it: the smaller). n, beta and the calibration are in the saved state, so a resumed
  search keeps its schedule whatever the machine's speed or the budget it is resumed with.
- ``nas_answer``: the architecture derived after the last epoch, which ``nas retrain``,
  ``nas export`` and ``nas draw`` use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from nas_core import (
    Architecture, Budget, BudgetStatus, Candidate, Config, ConfigError, OptionGroup, Result, SearchSpace,
    StudyView, declare, from_options, hookimpl, answered_by_another_plugin,
)

from nas_nasib.priors import prior_weights, read_prior
from nas_nasib.settings import NasibSettings
from nas_nasib.space import KernelChain, NasibSpace

if TYPE_CHECKING:  # torch is imported only by runs that search
    from nas_nasib.search import NasibSearch

# The superkernel space (--space nasib) and its options belong to nasib-space.
NAS_PLUGINS = ("nasib-space",)


def given_epochs(settings: NasibSettings, budget: Budget) -> int | None:
    """n when it is given (``--nasib-epochs``, or an epoch budget without a time budget); None
    when the first epoch's time calibrates it."""
    if settings.epochs:
        return settings.epochs
    if budget.seconds is None and budget.trials is None:
        raise ConfigError("nasib turns its budget into epochs: give --budget as epochs (30) or search time (2h), or --nasib-epochs, not --timeout alone")
    return budget.trials if budget.seconds is None else None


class BudgetedSearch:
    """The ``nasib`` strategy and estimator: owns the supernet search of one run."""

    def __init__(self, search: NasibSearch, budget: Budget) -> None:
        self.search = search
        self.budget = budget

    def _derived(self) -> KernelChain:
        return KernelChain(self.search.supernet.derive())

    @hookimpl
    def nas_propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        return [Candidate(self._derived(), fidelity=self.search.epoch + 1, origin="nasib")]

    @hookimpl
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result | None:
        if candidate.fidelity != self.search.epoch + 1:
            return None
        report = self.search.run_epoch()
        if self.search.epochs is None:
            assert self.budget.seconds is not None
            self.search.calibrate(self.budget.seconds, report.seconds, self.budget.trials)
        schedule = self.search.schedule
        assert schedule is not None
        info: dict[str, Any] = {
            "derived": KernelChain(report.derived).to_dict(),
            "alphas": report.probabilities,
            "candidates": list(self.search.supernet.candidates),
            "frequencies": self.search.sampler.frequencies.tolist(),
            "epochs": schedule.epochs,
            "beta": schedule.beta,
            "calibration_seconds": self.search.calibration_seconds,
        }
        return Result.complete(report.valid_acc, report.metrics(), report.seconds, info)

    @hookimpl
    def nas_update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        if candidate.fidelity == self.search.epoch + 1:
            raise answered_by_another_plugin("nasib", "supernet epochs", "epoch", candidate.fidelity, result.status.value)

    @hookimpl
    def nas_answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        """NASIB's result: the highest-alpha kernel of every layer after the last epoch."""
        return None if self.search.epoch == 0 else self._derived()

    @hookimpl
    def nas_budget(self, study: StudyView) -> BudgetStatus:
        done, n = self.search.epoch, self.search.epochs
        if n is None:
            return BudgetStatus(1.0, "timing the first epoch to fit the budget")
        return BudgetStatus(max(0.0, 1 - done / n), f"{done}/{n} NASIB epochs (beta {self.search.schedule.beta:.4f})")

    def state_dict(self) -> dict[str, Any]:
        return self.search.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.search.load_state_dict(dict(state))


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, NasibSettings)


@hookimpl
def nas_configure(config: Config) -> None:
    if config.benchmark is not None or config.dataset is None or not isinstance(config.space, NasibSpace):
        raise ConfigError("nasib trains a supernet of the superkernel space on data: give --space nasib with --dataset")
    settings = from_options(NasibSettings, config.options)
    prior = prior_weights(read_prior(settings.prior), config.space.candidates)
    epochs = given_epochs(settings, config.spec.budget)
    from nas_core import device_data

    from nas_nasib.search import NasibSearch

    data = device_data(config.dataset, config.device)
    search = NasibSearch(config.space, data, settings, config.seed, prior, epochs)
    config.register(BudgetedSearch(search, config.spec.budget))
