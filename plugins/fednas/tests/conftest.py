"""Every test that runs a search starts real client processes; ``no_clients_left`` fails a test
that leaves any of them behind (and kills them). The server's own torch (its test accuracy each
round) runs on one thread, the kit's fixture, as the clients do."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # fednas_testing and reduce_worker, for the tests here

from fednas_testing import client_processes  # noqa: E402
from nas_core.testing import torch_on_one_thread  # noqa: E402, F401 (an autouse fixture)


@pytest.fixture(autouse=True)
def no_clients_left() -> Iterator[None]:
    yield
    left = client_processes()
    for process in left:
        process.kill()
    assert not left, f"client processes left behind: {[p.pid for p in left]}"
