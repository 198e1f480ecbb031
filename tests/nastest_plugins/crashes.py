"""A strategy with a bug: its first proposal raises an exception nas knows nothing about."""

from nas_core import hookimpl


@hookimpl
def nas_propose(study, space, n):
    raise RuntimeError("the [bold]strategy[/bold] tripped over its own feet")
