"""Errors a user can act on.

Every error that reaches the user derives from :class:`NasError`; the CLI prints its message as a
single line and exits non-zero. Messages therefore name the thing that is wrong and, where there is
one, the way to fix it.
"""


class NasError(Exception):
    """An error with a message meant for the user (one line, no traceback)."""


class ConfigError(NasError):
    """A wrong option, option value or combination of plugins, spaces and benchmarks."""


class PluginError(NasError):
    """A plugin that cannot be found, imported, or that breaks the hook contract."""


class DataError(NasError):
    """A data file that is missing or malformed."""


class StorageError(NasError):
    """A study file that cannot be created, opened, locked or read."""


class TrialError(NasError):
    """A failure that belongs to one candidate: the trial is recorded as failed, the search goes on."""


class ArchitectureError(TrialError, ValueError):
    """An architecture that is not a valid member of its search space."""


class PluginChoiceError(PluginError, ConfigError):
    """Plugins named on the command line that cannot make a run: unknown, or two strategies.

    A usage error (the CLI exits 2), unlike a plugin that fails to import or breaks the hooks.
    """
