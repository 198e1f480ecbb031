"""A search space of 1-D convolution chains for nas (see space.py and plugin.py)."""
