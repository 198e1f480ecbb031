"""Requires cycle_a, which requires this one."""

NAS_PLUGINS = ("nastest_plugins.cycle_a",)
