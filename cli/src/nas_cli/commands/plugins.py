"""``nas plugins``: every installed plugin, its version, the plugins it requires and its hooks."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from nas_cli.render import plain
from nas_core.errors import PluginError
from nas_core.plugin_manager import ESSENTIALS, implemented_hooks, import_plugin, installed_plugins, requirements


def describe_installed() -> list[dict[str, Any]]:
    rows = []
    for name, ep in sorted(installed_plugins().items()):
        row: dict[str, Any] = {"name": name, "module": ep.value, "requires": [], "hooks": [], "error": None}
        row["distribution"] = ep.dist.name if ep.dist else None
        row["version"] = ep.dist.version if ep.dist else None
        try:
            module, _ = import_plugin(name, ep)
            row["requires"] = list(requirements(name, module))
            row["hooks"] = implemented_hooks(module)
        except PluginError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def plugins(as_json: bool) -> None:
    """List installed plugins (entry-point group nas.plugins)."""
    rows = describe_installed()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="installed nas plugins")
    for column in ("name", "distribution", "version", "requires", "hooks"):
        table.add_column(column)
    for row in rows:
        hooks = ", ".join(row["hooks"]) if row["error"] is None else f"[red]{plain(row['error'])}[/]"
        requires = plain(", ".join(row["requires"]))
        table.add_row(plain(row["name"]), plain(row["distribution"] or "?"), plain(row["version"] or "?"), requires, hooks)
    console = Console()
    console.print(table)
    console.print(f"always active: {', '.join(name for name, _ in ESSENTIALS)}")
