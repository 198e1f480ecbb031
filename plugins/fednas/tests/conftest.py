"""Every test that runs a search starts real client processes; ``no_clients_left`` fails a test
that leaves any of them behind (and kills them)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # fednas_testing and reduce_worker, for the tests here

from fednas_testing import client_processes  # noqa: E402


@pytest.fixture(autouse=True)
def no_clients_left() -> Iterator[None]:
    yield
    left = client_processes()
    for process in left:
        process.kill()
    assert not left, f"client processes left behind: {[p.pid for p in left]}"
