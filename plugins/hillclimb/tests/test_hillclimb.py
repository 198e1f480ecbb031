from nas_core.testing import PluginConformance


class TestHillClimbing(PluginConformance):
    plugins = ("hillclimb",)
