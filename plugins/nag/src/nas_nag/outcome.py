"""Reading an RS-NAG run under both protocols, and Algorithm 1's output (the top N_need).

- **paper**: the NAS dataset is free; the search is the first ``evaluated`` generated
  architectures (origin ``nag:generated``), and it returns the best of them.
- **honest**: the NAS dataset's queries count; the search is the first ``evaluated`` trials of the
  run, dataset included, and it returns the best of those.

"Best" is the highest objective (what the search observed; for NB201 the noisy single-seed
accuracy), the earliest on ties, as the core picks a study's best.
"""

from __future__ import annotations

from collections.abc import Sequence

from nas_core import Status, Trial
from nas_nag.plugin import GENERATED


def _evaluated(trials: Sequence[Trial]) -> list[Trial]:
    return [t for t in trials if t.result.status.consumes_budget]


def best_of(trials: Sequence[Trial]) -> Trial | None:
    best = None
    for trial in trials:
        if trial.result.status is Status.COMPLETE and trial.result.ok:
            if best is None or trial.result.objective > best.result.objective:  # type: ignore[operator]
                best = trial
    return best


def paper_choice(trials: Sequence[Trial], evaluated: int) -> Trial | None:
    return best_of([t for t in _evaluated(trials) if t.candidate.origin == GENERATED][:evaluated])


def honest_choice(trials: Sequence[Trial], evaluated: int) -> Trial | None:
    return best_of(_evaluated(trials)[:evaluated])


def top_generated(trials: Sequence[Trial], n_need: int) -> list[Trial]:
    """Algorithm 1's output: the ``n_need`` best generated architectures, best first."""
    generated = [t for t in trials if t.candidate.origin == GENERATED and t.result.status is Status.COMPLETE and t.result.ok]
    return sorted(generated, key=lambda t: -t.result.objective)[:n_need]  # type: ignore[operator]
