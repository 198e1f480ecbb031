"""Plugins that ship with the core: the essentials every run has, and the baseline strategies."""
