"""Small real pieces shared by the tests: digits on the CPU, tiny supernets, one torch thread."""

from __future__ import annotations

import pytest
import torch

from nas_core import DeviceData
from nas_core.testing import digits_data, torch_on_one_thread  # noqa: F401 (fixtures)


@pytest.fixture
def fresh_digits(digits_data: DeviceData) -> DeviceData:  # noqa: F811 (the fixture above)
    """A private copy (tests may poison it)."""
    return DeviceData(digits_data.dataset, torch.device("cpu"))
