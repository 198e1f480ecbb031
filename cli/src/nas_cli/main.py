"""``nas``: the command group, and the one place errors become one line and an exit code.

Exit codes follow click's convention: 0 done, 1 a run-time error (a missing file, a plugin that
fails, a bug), 2 a usage error (an unknown option, a malformed or out-of-range value, plugins
that do not make a run), 130 interrupted. Every error is one line on stderr; an unexpected
exception also names where it was raised and the file its full traceback went to
(``nas --debug ...`` or ``NAS_DEBUG=1`` shows it instead).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click

from nas_cli.commands import bench, draw, export, plot, plugins, retrain, retrain_bench, search, show, trials
from nas_core.errors import ConfigError, NasError, PluginError

DEBUG_ENV = "NAS_DEBUG"
# Distributions add sub-commands through this entry-point group (a click command each), so that
# what needs heavy dependencies of its own (a web server) stays out of the core and this CLI.
COMMANDS_GROUP = "nas.commands"
# sub-commands of nas's own distributions that are installed separately, and where they come from
OPTIONAL_COMMANDS = {"dashboard": "nas-dashboard"}


@cache
def _added_commands() -> dict[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=COMMANDS_GROUP)}


class CommandGroup(click.Group):
    """The built-in commands, and those installed distributions add (loaded when named)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_added_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        point = _added_commands().get(cmd_name) if command is None else None
        if point is None:
            return command
        try:
            loaded = point.load()
        except Exception as exc:  # noqa: BLE001 - any import failure of a third party's command
            where = point.dist.name if point.dist is not None else point.value
            raise PluginError(f"the command 'nas {cmd_name}' of {where} fails to import: {type(exc).__name__}: {exc}") from None
        if not isinstance(loaded, click.Command):
            raise PluginError(f"the entry point 'nas {cmd_name}' ({point.value}) is not a click command")
        return loaded

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0]) if args else None
        if name in OPTIONAL_COMMANDS and self.get_command(ctx, name) is None:
            raise click.UsageError(f"'nas {name}' comes with the {OPTIONAL_COMMANDS[name]} distribution, which is not installed: "
                                   f"pip install {OPTIONAL_COMMANDS[name]}")  # fmt: skip
        return super().resolve_command(ctx, args)


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nas-cli", prog_name="nas")
@click.option("--debug", is_flag=True, help=f"Show the full traceback of an unexpected error (or set {DEBUG_ENV}=1).")
def cli(debug: bool) -> None:
    """Plugin-based neural architecture search."""


for command in (search.search, show.show, trials.trials, plugins.plugins, bench.bench, retrain_bench.retrain_bench, plot.plot, export.export,
                retrain.retrain, draw.draw):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        result = cli.main(args=args, prog_name="nas", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `nas`: the help is the answer
        click.echo(exc.ctx.get_help() if exc.ctx is not None else cli.get_help(click.Context(cli)))
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        _error(exc.format_message() + _help_hint(args))
        return 2
    except click.ClickException as exc:
        _error(exc.format_message())
        return exc.exit_code
    except ConfigError as exc:
        _error(str(exc) + _help_hint(args))
        return 2
    except NasError as exc:
        _error(str(exc))
        return 1
    except (KeyboardInterrupt, click.Abort):
        _error("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in a file
        if "--debug" in args[:1] or os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        _error(_crash_line(exc))
        return 1
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    click.echo("error: " + " ".join(message.split()), err=True)


def _help_hint(args: Sequence[str]) -> str:
    """click's hint, naming the subcommand the user ran (``nas search -h``)."""
    command = next((arg for arg in args if not arg.startswith("-")), None)
    path = f"nas {command}" if command in cli.commands else "nas"
    return f" (try '{path} -h' for help)"


def _crash_line(exc: Exception) -> str:
    """What failed and where, and the file that holds the full traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" in {_short_path(frames[-1].filename)}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    report = Path(tempfile.gettempdir()) / f"nas-traceback-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    try:
        report.write_text("".join(traceback.format_exception(exc)))
        kept = f"full traceback in {report}"
    except OSError:
        kept = f"run with --debug or {DEBUG_ENV}=1 for the traceback"
    return f"unexpected {type(exc).__name__}{where}: {exc}; {kept}"


def _short_path(filename: str) -> str:
    """A source file as package/module.py: the part of its path a bug report needs."""
    parts = Path(filename).parts
    return "/".join(parts[-2:])


def run() -> None:
    # A polite kill (SIGTERM) stops like Ctrl-C: the recorded trials are already safe.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
