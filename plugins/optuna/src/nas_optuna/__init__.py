"""Optuna's samplers as a nas strategy (plugin ``optuna``; see plugin.py)."""
