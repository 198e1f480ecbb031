"""Shared helpers of the mlpnas tests."""

from collections.abc import Callable

import pytest
import torch

from nas_core import TableArch, TableSpace, tokenize_table_encodings

@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread() -> None:
    """Tiny networks train fastest on one thread, and the machine is shared."""
    torch.set_num_threads(1)


ROWS = ("0121", "0122", "013", "2", "21", "2100")  # ragged, and "2" is a prefix of two other rows


@pytest.fixture
def make_table() -> Callable[..., TableSpace]:
    """A table space from encodings (one token per character)."""

    def make(*encodings: str) -> TableSpace:
        return TableSpace("toy", [TableArch(e, t) for e, t in zip(encodings, tokenize_table_encodings(list(encodings)))])

    return make


@pytest.fixture
def toy_table(make_table: Callable[..., TableSpace]) -> TableSpace:
    return make_table(*ROWS)
