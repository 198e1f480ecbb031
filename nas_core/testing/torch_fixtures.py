"""Pytest fixtures for plugins' tests that train supernets: digits on the CPU, one torch thread.

A plugin's ``conftest.py`` makes them its own by importing them::

    from nas_core.testing import digits_data, torch_on_one_thread  # noqa: F401 (fixtures)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from nas_core.datasets.builtin import digits
from nas_core.registry import DatasetRequest

if TYPE_CHECKING:
    from nas_core.training.fit import DeviceData


@pytest.fixture(autouse=True)
def torch_on_one_thread() -> Iterator[None]:
    """Tiny supernets gain nothing from threads, and CI shares its cores; restored afterwards."""
    from nas_core.training.device import one_torch_thread

    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def digits_data() -> DeviceData:
    import torch

    from nas_core.training.fit import DeviceData

    return DeviceData(digits(DatasetRequest(None, 0)), torch.device("cpu"))
