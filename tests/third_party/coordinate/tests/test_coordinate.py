"""The core's conformance kit on its shipped tiny table (no data to download)."""

from nas_core.testing import PluginConformance


class TestCoordinateSearch(PluginConformance):
    plugins = ("coordinate",)
    bad_options = {"coordinate_patience": 0}


class TestCoordinateSearchRestartingOften(PluginConformance):
    """Restarts after every unproductive position, so the resume test cuts through restarts."""

    plugins = ("coordinate",)
    options = {"coordinate_patience": 1}
    bad_options = {"coordinate_patience": -1}
