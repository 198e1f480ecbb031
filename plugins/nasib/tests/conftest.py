"""Digits on the CPU and one torch thread, from the core's test fixtures."""

from nas_core.testing import digits_data, torch_on_one_thread  # noqa: F401 (fixtures)
