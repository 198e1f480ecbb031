"""Small real pieces shared by the tests: digits on the CPU, tiny supernets, one torch thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from nas_core.testing import digits
from nas_core import DatasetRequest, DeviceData, one_torch_thread


@pytest.fixture(autouse=True)
def _torch_on_one_thread() -> Iterator[None]:
    """Tiny supernets gain nothing from threads, and CI shares its cores; restored afterwards."""
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def digits_data() -> DeviceData:
    return DeviceData(digits(DatasetRequest(None, 0)), torch.device("cpu"))


@pytest.fixture
def fresh_digits(digits_data: DeviceData) -> DeviceData:
    """A private copy (tests may poison it)."""
    return DeviceData(digits_data.dataset, torch.device("cpu"))
