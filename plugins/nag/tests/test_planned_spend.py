"""nag-generator says what its NAS dataset will cost before it looks it up, and the core refuses a
budget that would leave the strategy nothing (the real ``nas`` executable, the real NB201 table).

The combination below once ran 10.5 minutes to record a single trial: 156 lookups of cifar100
cells cost more simulated time than the whole budget, and nothing said so.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nagtest_tiny import TINY_OPTIONS

from nas_core import Budget, ConfigError, RunSpec, open_session

NAS = str(Path(sys.executable).with_name("nas"))
TINY = [arg for name, value in TINY_OPTIONS.items() for arg in (f"--{name.replace('_', '-')}", str(value))]
TABLE = ("--benchmark", "nb201", "--dataset", "cifar100", "--seed", "3")


def nas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([NAS, *args], capture_output=True, text=True, timeout=600, env=os.environ.copy())


def test_a_dataset_that_costs_more_than_the_budget_is_refused_before_anything_runs(tmp_path: Path) -> None:
    study = tmp_path / "s.db"
    started = time.monotonic()
    done = nas("search", "--plugin", "evolution", "--plugin", "gpnas-predictor", "--plugin", "nag-generator",
               *TABLE, "--budget", "12000s", "--storage", str(study))  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: nag-generator's NAS dataset (156 table lookups, about ")
    assert "s of simulated time) leaves nothing of --budget 12000s for the search: raise the budget, " in line
    assert "shrink --nag-dataset-size, or --nag-charge-dataset false" in line
    assert not study.exists()
    # Only imports and reading the table, no GAN and no lookup: the run it replaces took minutes.
    assert elapsed < 120, elapsed


def test_a_trial_budget_counts_the_lookups_as_trials(tmp_path: Path) -> None:
    done = nas("search", "--plugin", "random", "--plugin", "nag-generator", *TABLE, *TINY,
               "--nag-dataset-size", "20", "--budget", "21", "--storage", str(tmp_path / "s.db"))  # fmt: skip
    assert done.returncode == 2 and not (tmp_path / "s.db").exists()
    assert "(20 table lookups, about " in done.stderr and "leaves only 5% of --budget 21 for the search" in done.stderr


def test_a_budget_the_dataset_takes_most_of_runs_with_a_warning(tmp_path: Path) -> None:
    study = tmp_path / "s.db"
    done = nas("search", "--plugin", "random", "--plugin", "nag-generator", *TABLE, *TINY,
               "--nag-dataset-size", "20", "--budget", "30", "--storage", str(study), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("warning: nag-generator's NAS dataset (20 table lookups, about ")
    assert "takes 67% of --budget 30 before the search starts" in line
    shown = nas("show", str(study), "--json")
    assert 0 < json.loads(shown.stdout)["trials"] <= 10  # the lookups took 20 of the 30 trials
    resumed = nas("search", "--resume", "--storage", str(study), "--budget", "40", "--quiet")
    assert resumed.returncode == 0 and resumed.stderr == ""  # the dataset is built: nothing more planned


def test_a_generous_budget_or_a_free_dataset_says_nothing(tmp_path: Path) -> None:
    for extra, name in ((("--budget", "200"), "a.db"), (("--budget", "25", "--nag-charge-dataset", "false"), "b.db")):
        done = nas("search", "--plugin", "random", "--plugin", "nag-generator", *TABLE, *TINY,
                   "--nag-dataset-size", "20", *extra, "--storage", str(tmp_path / name), "--quiet")  # fmt: skip
        assert done.returncode == 0 and done.stderr == "", done.stderr



def test_the_refusal_comes_before_any_lookup_or_training() -> None:
    """In process, once the table is read: refusing costs the planning, not the 156 lookups and
    the GAN's training the run would have spent before its first trial."""
    spec = RunSpec(("evolution", "nag-generator"), Budget(seconds=12000), seed=3, benchmark="nb201", dataset="cifar100")
    with pytest.raises(ConfigError):
        open_session(spec)  # reads the table (cached in this process)
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="leaves nothing of --budget 12000s"):
        open_session(spec)
    assert time.perf_counter() - started < 2.0


def test_nas_bench_warns_once_per_plugin_set(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = nas("bench", "--plugin", "random+nag-generator", "--benchmark", "nb201", "--dataset", "cifar100", *TINY,
               "--nag-dataset-size", "20", "--budget", "30", "--seeds", "2", "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 1 and "random+nag-generator: nag-generator's NAS dataset (20 table lookups" in warned[0]
    runs = json.loads(out.read_text())["runs"]["random+nag-generator"]
    assert all("takes 67% of --budget 30" in run["warnings"][0] for run in runs)
