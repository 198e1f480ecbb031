"""The conformance kit itself: its shipped tiny table, and what it refuses to pass."""

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nas_core.tables.nb201 import load_nb201
from nas_core.spaces.nb201 import OPS, NB201Cell
from nas_core.testing import TINY_TABLE, PluginConformance, require_data_dir

REPO = Path(__file__).resolve().parents[1]


def test_the_tiny_table_holds_nb201_values_for_125_cells_around_the_optimum() -> None:
    nb201 = load_nb201(Path(require_data_dir()), "cifar10")
    with TINY_TABLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [NB201Cell.from_str(row["nb201_arch"]) for row in rows]
    assert len(set(cells)) == len(rows) == len(OPS) ** 3
    assert nb201.optimum.keys <= {cell.key for cell in cells}
    for row, cell in zip(rows, cells):
        assert json.loads(row["arch"]) == list(cell.ops[3:]) and cell.ops[:3] == ("nor_conv_3x3",) * 3
        result = nb201.query(cell)
        expected = {name: result.metrics[name] for name in ("valid_acc", "test_acc", "params", "flops")}
        assert {name: float(row[name]) for name in expected} == pytest.approx(expected, abs=5e-7)
        assert float(row["cost_seconds"]) == pytest.approx(result.cost_seconds, abs=5e-7)


class TestRandomSearchOnTheTinyTable(PluginConformance):
    plugins = ("random",)


def test_the_kit_runs_on_the_tiny_table_without_a_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAS_DATA_DIR", raising=False)
    kit = TestRandomSearchOnTheTinyTable()
    kit.test_spends_exactly_the_trial_budget()
    kit.test_a_seed_makes_the_run_reproducible()


class EvolutionWithoutBadOptions(PluginConformance):
    plugins = ("evolution",)


def test_the_kit_fails_a_plugin_with_options_but_no_bad_options() -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        EvolutionWithoutBadOptions().test_bad_options_fail_with_one_clear_line()
    message = str(failed.value)
    assert "EvolutionWithoutBadOptions.bad_options is empty" in message
    assert "evolution_population, evolution_sample_size" in message and "train_epochs" not in message


class OneProposalInFlight(PluginConformance):
    plugins = ("nastest_plugins.one_in_flight",)


def test_the_kit_fails_a_strategy_that_breaks_on_workers_only() -> None:
    kit = OneProposalInFlight()
    kit.test_spends_exactly_the_trial_budget()
    with pytest.raises(RuntimeError, match="asked twice without an answer"):
        kit.test_spends_exactly_the_trial_budget_on_two_dask_workers()


class OptingOutOfTheKill(PluginConformance):
    plugins = ("random",)
    skip_engines = {"killed": "its runs end in a second"}


class OptingOutOfNoEngine(PluginConformance):
    plugins = ("random",)
    skip_engines = {"kiled": "a typo"}


def test_a_plugin_opts_out_of_an_engine_by_name_saying_why(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="OptingOutOfTheKill opts out of killed: its runs end in a second"):
        OptingOutOfTheKill().test_killed_mid_run_resumes_on_two_dask_workers(tmp_path)
    with pytest.raises(pytest.fail.Exception, match="skip_engines names no engine: kiled"):
        OptingOutOfNoEngine().test_spends_exactly_the_trial_budget_on_two_dask_workers()


def test_the_wheel_of_nas_core_ships_the_tiny_table_and_its_notices(tmp_path: Path) -> None:
    source = tmp_path / "nas-core"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source)
    shutil.copytree(REPO / "nas_core", source / "nas_core", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(source)],  # fmt: skip
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("nas_core-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = TINY_TABLE.parent
    expected = {f"nas_core/data/{path.relative_to(data).as_posix()}" for path in data.rglob("*") if path.is_file()}
    assert "nas_core/data/nb201_cifar10_tiny.csv" in expected and "nas_core/data/NOTICE.md" in expected
    assert expected <= names
