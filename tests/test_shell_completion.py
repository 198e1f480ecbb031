"""Shell completion (README: ``eval "$(_NAS_COMPLETE=bash_source nas)"``): ``--plugin`` completes
to the installed plugins' names, through click's completion API as the shell scripts call it."""

from click.shell_completion import ShellComplete

from nas_cli.main import cli
from nas_core.plugin_manager import installed_plugins


def complete(args: list[str], incomplete: str) -> list[str]:
    return [item.value for item in ShellComplete(cli, {}, "nas", "_NAS_COMPLETE").get_completions(args, incomplete)]


def test_plugin_names_complete_for_search() -> None:
    assert complete(["search", "--plugin"], "") == sorted(installed_plugins())
    assert complete(["search", "--plugin"], "ev") == ["evolution"]
    assert complete(["search", "--plugin", "evolution", "--plugin"], "gpnas-p") == ["gpnas-predictor"]


def test_a_bench_plugin_set_completes_its_last_name() -> None:
    assert complete(["bench", "--plugin"], "evolution+gpnas-pr") == ["evolution+gpnas-predictor"]
    assert complete(["bench", "--plugin"], "rand") == ["random"]


def test_commands_and_options_complete() -> None:
    assert "search" in complete([], "se")
    assert "--plugin" in complete(["search"], "--pl")
