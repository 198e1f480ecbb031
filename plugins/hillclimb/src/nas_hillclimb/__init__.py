"""Local search for nas (see plugin.py)."""
