"""Datasets searches can train on (registered by name in ``nas_core.builtin.catalog``)."""

from nas_core.datasets.base import Dataset, split_and_standardize

__all__ = ["Dataset", "split_and_standardize"]
