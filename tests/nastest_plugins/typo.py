"""A plugin that misspells a hook name."""

from nas_core import hookimpl


@hookimpl
def nas_propse(study, space, n):
    return []
