"""The one-hot expansion of a CSV file's codes, inside exported models.

A model exported from a search on a CSV file takes one number per feature column (a value, or a
category's index, -1 for an unknown category) and expands them here exactly as
:meth:`nas_core.datasets.encoding.TabularEncoding.features` did for training.
"""

from __future__ import annotations

import torch
from torch import nn

from nas_core.datasets.encoding import TabularEncoding


class ExpandCodes(nn.Module):
    def __init__(self, encoding: TabularEncoding) -> None:
        super().__init__()
        self.widths = [None if column.categories is None else len(column.categories) for column in encoding.columns]
        for j, width in enumerate(self.widths):
            if width is not None:
                self.register_buffer(f"categories_{j}", torch.arange(width, dtype=torch.float32), persistent=False)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        parts = []
        for j, width in enumerate(self.widths):
            column = codes[:, j : j + 1]
            if width is None:
                parts.append(column)
            else:
                parts.append((column == getattr(self, f"categories_{j}")).to(codes.dtype))
        return torch.cat(parts, dim=1)
