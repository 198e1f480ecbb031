"""Coordinate search for nas (see plugin.py)."""
