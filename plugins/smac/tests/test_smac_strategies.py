"""What ``bohb`` and ``hyperband`` do beyond the kit's contract: fidelities, crashes, resuming in
another process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from smac import Scenario
from smac.runhistory.enumerations import StatusType

from nas_core import Budget, ConfigError, FidelityBudgets, RunSpec, load_benchmark, open_session
from nas_core.testing import TINY_TABLE

from nas_smac.facades import SMACOptimizer, hyperband_facade
from nas_smac.settings import HyperbandSettings

NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))
TINY_TRAINING = {"nb201_channels": 4, "nb201_cells": 1, "train_epochs": 3}


def trained_search(plugin: str, trials: int, **options):
    spec = RunSpec((plugin,), Budget(trials=trials), seed=0, dataset="digits", space="nb201",
                   options={**TINY_TRAINING, **options}, device="cpu")  # fmt: skip
    session = open_session(spec)
    try:
        session.run()
        return list(session.study.trials)
    finally:
        session.close()


def test_hyperband_trains_a_bracket_at_one_epoch_and_its_best_third_at_three() -> None:
    """--train-epochs 3, eta 3: budgets of 1 and 3 epochs; a bracket of three, then its best."""
    trials = trained_search("hyperband", 4)
    assert [t.candidate.fidelity for t in trials] == [1, 1, 1, 3]
    best_at_one = max(trials[:3], key=lambda t: t.result.objective)
    assert trials[3].candidate.arch == best_at_one.candidate.arch


def test_the_smallest_budget_cannot_exceed_the_training_epochs() -> None:
    with pytest.raises(ConfigError, match=r"--bohb-min-epochs must be at most --train-epochs \(3\), got 4"):
        trained_search("bohb", 1, bohb_min_epochs=4)


def test_a_budget_becomes_the_smallest_recorded_fidelity_at_least_as_large() -> None:
    table = FidelityBudgets(1.0, 9.0, (1, 4, 9))
    assert [table.fidelity(b) for b in (1.0, 1.5, 3.0, 4.0, 8.5, 9.0)] == [1, 4, 4, 4, 9, 9]
    trained = FidelityBudgets(1.0, 20.0, epochs=True)
    assert [trained.fidelity(b) for b in (1.0, 2.22, 6.67, 20.0)] == [1, 2, 7, 20]
    assert FidelityBudgets(1.0, 1.0).fidelity(1.0) is None  # a table of one fidelity


def test_a_failure_is_told_as_a_crash_with_the_worst_cost_told(tmp_path: Path) -> None:
    space = load_benchmark(str(TINY_TABLE), None, None).space.to_configspace(seed=0)
    scenario = Scenario(space, output_directory=tmp_path, deterministic=True, min_budget=1.0, max_budget=1.0, seed=0)
    optimizer = SMACOptimizer(hyperband_facade(scenario, HyperbandSettings()))
    for _ in range(4):
        optimizer.ask()
    optimizer.tell(0, None)  # nothing told yet: cost 0, an objective of 0
    optimizer.tell(1, 80.0)
    optimizer.tell(2, 70.0)
    optimizer.tell(3, None)
    told = [optimizer.facade.runhistory[key] for key in optimizer.facade.runhistory]
    assert [(value.cost, value.status) for value in told] == [
        (0.0, StatusType.CRASHED), (-80.0, StatusType.SUCCESS), (-70.0, StatusType.SUCCESS), (-70.0, StatusType.CRASHED),
    ]  # fmt: skip


@pytest.mark.parametrize("plugin", ["bohb", "hyperband"])
def test_a_study_resumes_in_another_process_as_the_uninterrupted_run(plugin: str, tmp_path: Path) -> None:
    """String hashing is salted per process; SMAC's proposals must not depend on it."""
    common = ["--plugin", plugin, "--benchmark", str(TINY_TABLE), "--seed", "5", "--quiet"]
    if plugin == "bohb":
        common += ["--bohb-initial", "3"]

    def nas(salt: str, *args: str) -> None:
        env = {**os.environ, "PYTHONHASHSEED": salt}
        subprocess.run([NAS, *args], check=True, env=env, capture_output=True)

    def trials(study: Path) -> list:
        shown = subprocess.run([NAS, "trials", str(study), "--format", "json"],
                               check=True, capture_output=True, text=True).stdout  # fmt: skip
        return [(t["arch"], t["objective"]) for t in json.loads(shown)]

    nas("1", "search", *common, "--budget", "10", "--storage", str(tmp_path / "resumed.db"))
    nas("2", "search", "--resume", "--budget", "20", "--storage", str(tmp_path / "resumed.db"), "--quiet")
    nas("3", "search", *common, "--budget", "20", "--storage", str(tmp_path / "straight.db"))
    assert trials(tmp_path / "resumed.db") == trials(tmp_path / "straight.db")
    assert len(trials(tmp_path / "straight.db")) == 20


@pytest.mark.parametrize("plugin", ["bohb", "hyperband"])
def test_a_small_space_smac_calls_exhausted_ends_the_search_with_what_was_found(plugin: str) -> None:
    spec = RunSpec((plugin,), Budget(trials=125), seed=0, benchmark=str(TINY_TABLE), dataset="cifar10", device="cpu")
    session = open_session(spec)
    try:
        stopped = session.run()
        trials = list(session.study.trials)
    finally:
        session.close()
    assert stopped == "the strategy has no more candidates"
    assert 50 < len(trials) < 125 and len({t.candidate.arch for t in trials}) == len(trials)
