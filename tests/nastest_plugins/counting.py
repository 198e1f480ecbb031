"""Requires the counter plugin (and declares none of its options)."""

NAS_PLUGINS = ("nastest_plugins.counter",)
