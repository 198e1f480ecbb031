"""The CLI's one error path: exit codes by kind, one line each, a bug's traceback kept in a file,
user text shown literally, stored paths that work from any folder."""

import os
import re
from pathlib import Path

import pytest

from cli_helpers import nas, nas_json
from nas_core.export import StudyBest
from nas_core.testing import require_data_dir

NB201 = ("--benchmark", "nb201", "--dataset", "cifar10")


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_bare_nas_prints_its_help_and_succeeds() -> None:
    done = nas()
    assert done.returncode == 0 and done.stderr == ""
    assert "Usage: nas [OPTIONS] COMMAND" in done.stdout and "search" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("search", "--plugin", "random", *NB201, "--bogus"),
        ("search", "--plugin", "random", *NB201, "--budget", "12x"),
        ("search", "--plugin", "random", *NB201, "--seed", "one"),
        ("search", "--plugin", "gpnass", *NB201),
        ("search", "--plugin", "random", "--plugin", "evolution", *NB201),
        ("search", "--plugin", "evolution", *NB201, "--evolution-population", "1"),
    ],
)
def test_usage_errors_exit_2_with_the_help_hint(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = nas(*args, "--storage", str(tmp_path / "s.db"))
    assert done.returncode == 2
    assert one_error_line(done.stderr).endswith("(try 'nas search -h' for help)")
    assert not (tmp_path / "s.db").exists()


def test_run_time_errors_exit_1(tmp_path: Path) -> None:
    done = nas("show", str(tmp_path / "nowhere.db"))
    assert done.returncode == 1 and "no study file" in one_error_line(done.stderr)


def test_a_bug_is_one_line_naming_where_with_the_traceback_in_a_file(tmp_path: Path) -> None:
    args = ("search", "--plugin", "nastest_plugins.crashes", *NB201, "--storage", str(tmp_path / "s.db"), "--quiet")
    done = nas(*args)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "unexpected RuntimeError in nastest_plugins/crashes.py:8 (nas_propose)" in line
    report = Path(re.search(r"full traceback in (\S+\.txt)", line).group(1))
    assert "Traceback (most recent call last)" in report.read_text() and "tripped over" in report.read_text()
    report.unlink()
    os.environ["NAS_DEBUG"] = "1"
    try:
        debugged = nas(*args[:-3], "--storage", str(tmp_path / "t.db"))
    finally:
        del os.environ["NAS_DEBUG"]
    assert debugged.returncode == 1 and "Traceback (most recent call last)" in debugged.stderr


def test_user_text_is_shown_literally(tmp_path: Path) -> None:
    db = tmp_path / "[bold]study[/bold].db"
    nas_json("search", "--plugin", "random", *NB201, "--budget", "2", "--storage", str(db), "--json")
    shown = nas("show", str(db))
    assert shown.returncode == 0 and "[bold]study[/bold].db" in shown.stdout.replace("\n", "")  # rich wraps


def test_a_relative_data_folder_is_stored_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A study made with NAS_DATA_DIR relative to one folder draws from any other folder."""
    (tmp_path / "work").mkdir()
    os.symlink(require_data_dir(), tmp_path / "work" / "data")
    study = tmp_path / "work" / "s.db"
    monkeypatch.setenv("NAS_DATA_DIR", "data")
    created = nas("search", "--plugin", "random", *NB201, "--budget", "2", "--storage", "s.db", "--quiet", cwd=tmp_path / "work")
    monkeypatch.undo()
    assert created.returncode == 0, created.stderr
    assert StudyBest.read(study).spec.data_dir == str(tmp_path / "work" / "data")
    drawn = nas("draw", str(study), "-o", str(tmp_path / "cell.png"), cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr


def test_commands_other_distributions_add_are_loaded_when_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The entry-point group nas.commands: a command that fails to import is one line naming its
    distribution; nas dashboard, not installed, says where it comes from."""
    from importlib.metadata import EntryPoint

    from nas_cli import main as cli_main

    broken = EntryPoint("broken", "nas_no_such_module:command", cli_main.COMMANDS_GROUP)
    monkeypatch.setattr(cli_main, "_added_commands", lambda: {"broken": broken})
    assert cli_main.main(["broken"]) == 1
    assert one_error_line(capsys.readouterr().err).startswith(
        "error: the command 'nas broken' of nas_no_such_module:command fails to import: ModuleNotFoundError")
    assert cli_main.main(["dashboard", "runs"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(
        "error: 'nas dashboard' comes with the nas-dashboard distribution, which is not installed: pip install nas-dashboard")
