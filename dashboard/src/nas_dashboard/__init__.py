"""``nas dashboard``: a read-only web view of study files and ``nas bench`` results.

A client of nas_core's public API only: studies are read with ``load_study`` and
``Study.refresh`` (without the writer's lock, only the trials recorded since the last read),
bench files as ``nas plot`` reads them (``regret_bands``).
"""

__version__ = "0.1.0"
