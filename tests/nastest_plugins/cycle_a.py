"""Requires cycle_b, which requires this one."""

NAS_PLUGINS = ("nastest_plugins.cycle_b",)
