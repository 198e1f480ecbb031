"""SMAC3's BOHB and Hyperband for nas (plugins ``bohb`` and ``hyperband``; see facades.py)."""
