"""``nas``: the command group, and the one place errors become one line and an exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

import click

from nas_cli.commands import bench, draw, export, plot, plugins, retrain, search, show
from nas_core.errors import NasError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nas-cli", prog_name="nas")
def cli() -> None:
    """Plugin-based neural architecture search."""


for command in (search.search, show.show, plugins.plugins, bench.bench, plot.plot, export.export, retrain.retrain, draw.draw):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; user errors print ``error: ...`` on one line and return non-zero."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="nas", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        _error(exc.format_message())
        return exc.exit_code
    except NasError as exc:
        _error(str(exc))
        return 1
    except (KeyboardInterrupt, click.Abort):
        _error("interrupted")
        return 130
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    click.echo("error: " + " ".join(message.split()), err=True)


def run() -> None:
    # A polite kill (SIGTERM) stops like Ctrl-C: the recorded trials are already safe.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
