"""What ``optuna`` does beyond the kit's contract: every sampler resumes in another process as the
uninterrupted run, TPE's multivariate switch, and how samplers see the decisions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nas_core import NB201Space
from nas_core.testing import TINY_TABLE

from nas_optuna.plugin import OptunaOptimizer
from nas_optuna.samplers import make_sampler
from nas_optuna.settings import SAMPLERS, OptunaSettings

NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))


def nas(*args: str, salt: str = "0") -> str:
    env = {**os.environ, "PYTHONHASHSEED": salt}
    return subprocess.run([NAS, *args], check=True, env=env, capture_output=True, text=True).stdout


def trials(study: Path) -> list:
    return [(t["arch"], t["objective"]) for t in json.loads(nas("trials", str(study), "--format", "json"))]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_study_resumes_in_another_process_as_the_uninterrupted_run(sampler: str, tmp_path: Path) -> None:
    """String hashing is salted per process; no sampler's asks may depend on it."""
    run = ["--plugin", "optuna", "--optuna-sampler", sampler, "--optuna-startup-trials", "4",
           "--optuna-population", "6", "--benchmark", str(TINY_TABLE), "--seed", "7", "--quiet"]  # fmt: skip
    nas("search", *run, "--budget", "9", "--storage", str(tmp_path / "resumed.db"), salt="1")
    nas("search", "--resume", "--budget", "18", "--storage", str(tmp_path / "resumed.db"), "--quiet", salt="2")
    nas("search", *run, "--budget", "18", "--storage", str(tmp_path / "straight.db"), salt="3")
    assert trials(tmp_path / "resumed.db") == trials(tmp_path / "straight.db")
    assert len(trials(tmp_path / "straight.db")) == 18


def asked(optimizer: OptunaOptimizer, n: int) -> list[dict]:
    values = []
    for number in range(n):
        values.append(dict(optimizer.ask().values))
        optimizer.tell(number, float(sum(v == "nor_conv_3x3" for v in values[-1].values())))
    return values


def test_multivariate_tpe_models_the_decisions_jointly_and_proposes_otherwise() -> None:
    decisions = NB201Space().decisions()
    joint = OptunaOptimizer(decisions, make_sampler(OptunaSettings(startup_trials=3), 0), by_index=False)
    apart = OptunaOptimizer(decisions, make_sampler(OptunaSettings(startup_trials=3, multivariate=False), 0), by_index=False)
    first, second = asked(joint, 12), asked(apart, 12)
    assert first[:3] == second[:3]  # the random start is the same
    assert first[3:] != second[3:]


@pytest.mark.parametrize(("sampler", "by_index"), [("cmaes", True), ("qmc", True), ("tpe", False), ("gp", False)])
def test_every_sampler_models_every_decision(sampler: str, by_index: bool) -> None:
    """CMA-ES and QMC model numbers: they get each choice's index, which they sample jointly
    (as categories, Optuna would draw them at random, apart from the model)."""
    space = NB201Space()
    optimizer = OptunaOptimizer(space.decisions(), make_sampler(OptunaSettings(sampler=sampler, startup_trials=2), 0), by_index)
    for values in asked(optimizer, 4):
        space.from_decisions([values[d.name] for d in space.decisions()])  # members of the space
    study = optimizer.study
    relative = study.sampler.infer_relative_search_space(study, study.trials[-1])
    assert set(relative) == {d.name for d in space.decisions()}
