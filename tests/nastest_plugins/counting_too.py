"""A second plugin requiring the counter, through the first one as well."""

NAS_PLUGINS = ("nastest_plugins.counter", "nastest_plugins.counting")
