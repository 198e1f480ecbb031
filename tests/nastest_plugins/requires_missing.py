"""Requires a plugin that is not installed."""

NAS_PLUGINS = ("no-such-plugin",)
