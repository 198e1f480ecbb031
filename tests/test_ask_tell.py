"""``AskTellStrategy``: an ask/tell optimizer as a strategy, resumed by replaying its log."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nas_core import PluginError, Result, load_benchmark
from nas_core.testing import TINY_TABLE, PluginConformance

from nastest_plugins.ask_tell_probe import probe_strategy


class TestAskTellProbe(PluginConformance):
    plugins = ("nastest_plugins.ask_tell_probe",)


def tiny_space():
    return load_benchmark(str(TINY_TABLE), None, None).space


def test_a_configuration_the_space_lacks_is_told_as_a_failure_and_not_proposed(tmp_path: Path) -> None:
    with TINY_TABLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = rows[::2]  # 63 of the 125 combinations of the decisions are rows
    table = tmp_path / "sparse.csv"
    with table.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    space = load_benchmark(str(table), None, None).space
    strategy = probe_strategy(space, seed=0)
    for _ in range(5):
        [candidate] = strategy.nas_propose(None, space, 1)
        space.validate(candidate.arch)
        strategy.nas_update(candidate, Result.complete(50.0), None)
    probe = strategy.optimizer
    failed = [n for n, objective in probe.told.items() if objective is None]
    assert failed and len(probe.told) == len(failed) + 5
    assert all(strategy.log[2 * n + 1] == {"tell": n, "objective": None} for n in failed)


def test_asks_in_flight_at_a_save_are_proposed_again_first_after_a_resume() -> None:
    space = tiny_space()
    strategy = probe_strategy(space, seed=1)
    first = [strategy.nas_propose(None, space, 1)[0] for _ in range(3)]
    strategy.nas_update(first[1], Result.complete(80.0), None)
    state = strategy.state_dict()
    straight_next = strategy.nas_propose(None, space, 1)[0]

    resumed = probe_strategy(space, seed=1)
    resumed.load_state_dict({"log": list(state["log"])})
    again = [resumed.nas_propose(None, space, 1)[0] for _ in range(2)]
    assert [(c.arch, c.meta["ask"]) for c in again] == [(first[0].arch, 0), (first[2].arch, 2)]
    new = resumed.nas_propose(None, space, 1)[0]
    assert (new.arch, new.meta["ask"]) == (straight_next.arch, 3)
    for candidate in again:
        resumed.nas_update(candidate, Result.failed("never recorded"), None)
    assert resumed.optimizer.told == {1: 80.0, 0: None, 2: None}


def test_a_log_the_optimizer_does_not_replay_is_refused_with_one_line() -> None:
    space = tiny_space()
    strategy = probe_strategy(space, seed=2)
    for _ in range(4):
        candidate = strategy.nas_propose(None, space, 1)[0]
        strategy.nas_update(candidate, Result.complete(60.0), None)
    other = probe_strategy(space, seed=3)  # another seed: another first ask
    with pytest.raises(PluginError, match="probe does not replay its saved history: ask 0 gave") as refused:
        other.load_state_dict(strategy.state_dict())
    assert "\n" not in str(refused.value)
