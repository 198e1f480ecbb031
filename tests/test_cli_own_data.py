"""``nas`` on the user's own files: the README's walk-through runs as written (on a small budget),
and a file nas cannot use is one line on stderr, a non-zero exit and no study file."""

import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import nas
from nas_cli.main import main
from test_own_data import GOOD_HEADER, GOOD_ROWS

ROOT = Path(__file__).resolve().parents[1]
SMALLER = {"--budget": "3", "--train-epochs": "3"}  # the walk-through's budget, cut to seconds


def walk_through() -> tuple[list[str], str]:
    """The shell commands and the Python of the README's "Your own data" section."""
    section = ROOT.joinpath("README.md").read_text().split("### Your own data", 1)[1]
    shell = section.split("```bash\n", 1)[1].split("```", 1)[0]
    python = section.split("```python\n", 1)[1].split("```", 1)[0]
    lines = shell.replace("\\\n", " ").splitlines()
    return [line.split("  #", 1)[0].strip() for line in lines if line.strip()], python


def smaller(args: list[str]) -> list[str]:
    return [SMALLER.get(args[i - 1], arg) if i else arg for i, arg in enumerate(args)]


def test_the_readme_walk_through_runs_as_written(tmp_path: Path, monkeypatch, capsys) -> None:
    commands, python = walk_through()
    assert [c.split()[:2] for c in commands] == [["python", "examples/make_tabular_csv.py"], ["nas", "search"], ["nas", "show"], ["nas", "export"]]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")  # rich wraps nothing
    script = shlex.split(commands[0])
    subprocess.run([sys.executable, str(ROOT / script[1]), *script[2:]], check=True, capture_output=True)
    for command in commands[1:]:
        args = smaller(shlex.split(command)[1:])
        assert main([*args, "--quiet"] if args[0] == "search" else args) == 0, capsys.readouterr().err
    shown = capsys.readouterr().out
    assert f"data: {tmp_path / 'customers.csv'} (target churn: 2 classes (leaves, stays); 5 feature columns, one-hot: plan, region; sha256" in shown
    done = subprocess.run([sys.executable, "-c", python], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    first, one = done.stdout.splitlines()
    assert len(eval(first)) == 5 and set(eval(first)) <= {"leaves", "stays"} and eval(one)[0] in ("leaves", "stays")


def bad_files(folder: Path) -> dict[str, tuple[list[str], str, int]]:
    """Name -> (search arguments, the error line's start, exit code)."""
    good = folder / "good.csv"
    good.write_text(GOOD_HEADER + "\n" + "\n".join(GOOD_ROWS) + "\n")
    missing = folder / "missing.csv"
    missing.write_text(GOOD_HEADER + "\n" + "\n".join(GOOD_ROWS[:5] + ["25,,no"] + GOOD_ROWS[5:]) + "\n")
    single = folder / "single.csv"
    single.write_text(GOOD_HEADER + "\n" + "\n".join(r.rsplit(",", 1)[0] + ",yes" for r in GOOD_ROWS) + "\n")
    parquet = folder / "t.parquet"
    parquet.write_bytes(b"PAR1")
    no_y = folder / "no_y.npz"
    np.savez(no_y, x=np.zeros((20, 1, 4)))
    return {
        "no target": ([str(good)], f"error: --dataset {good} needs --target COLUMN, its column of class labels", 2),
        "missing value": ([str(missing), "--target", "label"], f"error: {missing}: column 'city' has a missing value on line 7", 1),
        "one class": ([str(single), "--target", "label"], f"error: {single}: target column 'label' has one class ('yes')", 1),
        "parquet": ([str(parquet), "--target", "label"], f"error: {parquet}: Parquet files are not read", 1),
        "npz without y": ([str(no_y)], f"error: {no_y} has no array 'y' (it holds: x)", 1),
        "target of a bundled dataset": (["wine", "--target", "label"], "error: --target names the label column of a CSV --dataset; wine has its own labels", 2),
    }


@pytest.mark.parametrize("case", ["no target", "missing value", "one class", "parquet", "npz without y", "target of a bundled dataset"])
def test_a_file_nas_cannot_use_is_one_line_and_a_failed_exit(tmp_path: Path, case: str) -> None:
    args, message, code = bad_files(tmp_path)[case]
    study = tmp_path / "s.db"
    done = nas("search", "--plugin", "random", "--space", "mlp", "--dataset", *args, "--budget", "2", "--storage", str(study))
    assert done.returncode == code and done.stderr.startswith(message), done.stderr
    assert done.stderr.count("\n") == 1 and not study.exists()
