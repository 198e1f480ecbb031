"""Commands whose options grow with the plugins named on the command line (like pytest's -p).

Before click parses, the values of ``--plugin`` are read from the raw arguments, those plugins'
``nas_addoption`` hooks declare their options, and the options become click options of the
command, so ``nas search --plugin evolution --help`` lists ``--evolution-population``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from nas_core.options import Option, OptionGroup
from nas_core.plugin_manager import installed_plugins

PLUGIN_FLAG = "--plugin"


def plugin_values(args: Sequence[str]) -> list[str]:
    """The values given to ``--plugin`` in raw arguments (``--plugin x`` and ``--plugin=x``)."""
    values = []
    for i, arg in enumerate(args):
        if arg == PLUGIN_FLAG and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(PLUGIN_FLAG + "="):
            values.append(arg.split("=", 1)[1])
    return values


def complete_plugin(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of ``--plugin``: the installed plugins' names (in a plugin set such as
    ``evolution+gpnas-predictor``, the name after the last ``+``)."""
    done, plus, last = incomplete.rpartition("+")
    return [CompletionItem(done + plus + name) for name in sorted(installed_plugins()) if name.startswith(last)]


def to_click(option: Option) -> click.Option:
    kind: Any = click.Choice(option.choices) if option.choices else {bool: click.BOOL}.get(option.type, option.type)
    shown = f" [default: {option.default}]" if option.default is not None else ""
    return click.Option([option.flag], type=kind, default=None, help=option.help + shown)


class PluginCommand(click.Command):
    """A click command that adds the options of the plugins named with ``--plugin``."""

    def __init__(self, *args: Any, options_for: Callable[[list[str]], OptionGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._options_for = options_for
        self._own = list(self.params)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group = self._options_for(plugin_values(args))
        self.params = self._own + [to_click(o) for o in group]
        ctx.meta["plugin_options"] = [o.name for o in group]
        return super().parse_args(ctx, args)


def given_plugin_options(ctx: click.Context) -> dict[str, Any]:
    """Plugin options that were given on the command line (defaults are the plugins' own)."""
    return {name: ctx.params[name] for name in ctx.meta.get("plugin_options", []) if ctx.params.get(name) is not None}


def given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
