"""One rule of "the best trial": the study while searching, nas show/export and best-so-far curves agree."""

from nas_core.report import best_row, best_so_far
from nas_core.storage import TrialRow
from nas_core.types import Result, Status

RESULTS = [
    Result.failed("boom"),
    Result(Status.PREDICTED, 99.0, {}, 0.0, {}),
    Result.complete(0.0, {}, 1.0, {}),
    Result.complete(50.0, {}, 1.0, {"first": True}),
    Result.complete(float("nan"), {}, 1.0, {}),
    Result.complete(50.0, {}, 1.0, {"first": False}),
    Result.complete(40.0, {}, 1.0, {}),
]


def test_only_completed_finite_results_count_higher_wins_and_the_earlier_keeps_a_tie() -> None:
    assert not RESULTS[0].beats(None) and not RESULTS[1].beats(None) and not RESULTS[4].beats(None)
    assert RESULTS[2].beats(None) and RESULTS[3].beats(RESULTS[2])
    assert not RESULTS[5].beats(RESULTS[3]) and not RESULTS[6].beats(RESULTS[3])
    assert not Result.complete(-1.0, {}, 1.0, {}).beats(RESULTS[2])  # a best of 0.0 is a best like any other


def test_the_report_and_the_curve_follow_the_rule() -> None:
    rows = [TrialRow(i, {}, r.to_dict(), 0.0, 0.0, 0.0) for i, r in enumerate(RESULTS)]
    best = best_row(rows)
    assert best is not None and best.trial_id == 3
    assert [r.info.get("first") for _, r in best_so_far(RESULTS)] == [None, True, True, True, True]
