"""Shared test set-up: small settings beside the tests, and one torch thread.

The tests' tensors are tiny, and on a busy machine torch's thread pool waits for cores far longer
than the work takes (measured: a 24-trial RS-NAG search 7.6 s with 2 threads, 2.0 s with 1).
The thread count is restored after each test, so the rest of a shared test run is unaffected.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nas_core import one_torch_thread

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # --import-mode=importlib does not add it
    sys.path.insert(0, HERE)


@pytest.fixture(autouse=True)
def _torch_on_one_thread() -> Iterator[None]:
    with one_torch_thread():
        yield
