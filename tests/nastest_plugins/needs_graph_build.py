"""A plugin that needs a buildable space (and so cannot run on a table)."""

from nas_core import Capability, hookimpl

NAS_REQUIRES = frozenset({Capability.BUILD})


@hookimpl
def nas_update(candidate, result, study):
    pass
