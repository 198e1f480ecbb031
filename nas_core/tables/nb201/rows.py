"""One NB201 dataset's table after the joins, whichever files it was read from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nas_core.spaces.nb201 import NB201Cell


@dataclass(frozen=True)
class NB201Rows:
    """A row per cell, in the order of the accuracy table; ``columns`` keeps its insertion order,
    which is the order a query reports its metrics in."""

    cells: list[NB201Cell]
    index: np.ndarray  # the official NB201 index of each row
    columns: dict[str, np.ndarray]
