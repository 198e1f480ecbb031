"""The search loop's accounting: budgets, duplicates, failures, and what survives an abort."""

import sqlite3
from pathlib import Path

import pytest

from nas_core.budget import Budget, budget_status, parse_duration, Usage
from nas_core.config import RunSpec
from nas_core.errors import ConfigError
from nas_core.loop import SearchAborted
from nas_core.report import summarize
from nas_core.session import open_session
from nas_core.testing import require_data_dir
from nas_core.types import Status


def spec(*plugins: str, budget: Budget, seed: int = 0, **options) -> RunSpec:
    return RunSpec(plugins, budget, seed, "nb201", "cifar10", options=options, data_dir=require_data_dir())


@pytest.mark.parametrize("text", ["", "abc", "12x", "0", "-5", "10 m s", "0s"])
def test_malformed_budgets(text: str) -> None:
    with pytest.raises(ConfigError, match="budget"):
        Budget.parse([text])


def test_budget_units() -> None:
    assert Budget.parse(["150"]) == Budget(trials=150)
    assert Budget.parse(["12000s", "150"], "1h") == Budget(150, 12000.0, 3600.0)
    assert parse_duration("10m") == 600 and parse_duration("1.5h") == 5400
    status = budget_status(Budget(100, 1000.0), Usage(trials=10, cost_seconds=500.0, wall_seconds=0.0))
    assert status.remaining == pytest.approx(0.5) and "search time" in status.reason


def test_a_time_budget_stops_at_the_first_trial_that_crosses_it() -> None:
    session = open_session(spec("random", budget=Budget(seconds=12000.0)))
    session.run()
    costs = [t.result.cost_seconds for t in session.study.trials]
    assert sum(costs) >= 12000 > sum(costs[:-1])
    assert 80 < len(costs) < 140  # the NB201 protocol: about 110 queries
    session.close()


def test_duplicates_are_answered_free_and_not_recorded() -> None:
    session = open_session(spec("evolution", budget=Budget(trials=150)))
    session.run()
    study = session.study
    keys = [t.candidate.arch.key for t in study.trials]
    assert len(keys) == len(set(keys)) == 150
    assert study.duplicates > 0
    session.close()


def test_failed_estimates_are_recorded_and_the_search_goes_on(tmp_path: Path) -> None:
    session = open_session(spec("random", "nastest_plugins.flaky", budget=Budget(trials=60)), tmp_path / "s.db")
    session.run()
    failed = [t for t in session.study.trials if t.result.status is Status.FAILED]
    assert failed and all(t.candidate.arch.ops[0] == "nor_conv_3x3" for t in failed)
    assert all(t.result.info["error"] == "diverged: loss is NaN" for t in failed)
    assert session.study.usage.trials == 60  # failures spend budget
    session.close()
    assert summarize(tmp_path / "s.db")["status_counts"]["failed"] == len(failed)


def test_a_run_where_everything_fails_stops_and_keeps_its_trials(tmp_path: Path) -> None:
    session = open_session(spec("random", "nastest_plugins.flaky", budget=Budget(trials=60), flaky_all=True), tmp_path / "s.db")
    with pytest.raises(SearchAborted, match="10 trials in a row failed; last: RuntimeError: the estimator crashed"):
        session.run()
    session.close()
    assert summarize(tmp_path / "s.db")["trials"] == 10


def test_a_resumed_run_first_reuses_the_ids_an_interrupted_parallel_run_never_recorded(tmp_path: Path) -> None:
    """Killed with trials 3 and 6 still on workers, a parallel study holds 0..9 without them;
    the resumed run gives those ids to its first trials, so the finished study is numbered 0..n-1."""
    path = tmp_path / "s.db"
    run = spec("random", budget=Budget(trials=10))
    session = open_session(run, path)
    session.run()
    session.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM trials WHERE trial_id IN (3, 6)")
    session = open_session(run, path, resume=True)
    session.run()
    ids = [t.trial_id for t in session.study.trials]
    session.close()
    assert ids == [0, 1, 2, 4, 5, 7, 8, 9, 3, 6]
