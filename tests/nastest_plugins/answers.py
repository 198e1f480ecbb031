"""Names an answer other than the best trial: the worst completed trial's architecture, with
``--answers-unevaluated`` one the search never evaluated (as a one-shot search's final cell), or
with ``--answers-infeasible`` the last trial that violated a constraint."""

from nas_core import hookimpl
from nas_core.types import Status


@hookimpl
def nas_addoption(group):
    group.addoption("--answers-unevaluated", type=bool, default=False, help="name an architecture no trial evaluated")
    group.addoption("--answers-infeasible", type=bool, default=False, help="name the last infeasible trial")


class WorstAsAnswer:
    def __init__(self, unevaluated, infeasible, rng):
        self.unevaluated = unevaluated
        self.infeasible = infeasible
        self.rng = rng

    @hookimpl
    def nas_answer(self, study, space):
        if self.infeasible:
            return [t for t in study.trials if t.result.status.infeasible][-1].candidate.arch
        if self.unevaluated:
            seen = {t.candidate.arch.key for t in study.trials}
            return next(a for a in iter(lambda: space.sample(self.rng), None) if a.key not in seen)
        completed = [t for t in study.trials if t.result.status == Status.COMPLETE]
        return min(completed, key=lambda t: t.result.objective).candidate.arch


@hookimpl
def nas_configure(config):
    config.register(WorstAsAnswer(config.option("answers_unevaluated"), config.option("answers_infeasible"), config.rng("answers")))
