"""A nearest-neighbour predictor for nas (see plugin.py)."""
