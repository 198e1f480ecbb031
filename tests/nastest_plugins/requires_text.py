"""Names its requirement as a bare string instead of a tuple of names."""

NAS_PLUGINS = "nastest_plugins.counter"
