"""Plugins that exist only to test the core: loaded with --plugin nastest_plugins.<name>."""
