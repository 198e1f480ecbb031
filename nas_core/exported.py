"""An exported model run on raw data: a CSV file's rows as read, or arrays of samples.

``load_exported("model.pt2")`` reads a torch program ``nas export`` wrote, with its card
(:mod:`nas_core.model_card`), and answers with labels: ``predict(csv.DictReader(open(f)))``
labels the rows of a CSV file like the one searched on (strings for every value; columns the
model does not take, the label column among them, are ignored). Without nas, the card says how
to make the model's inputs (``torch.export.load(path, extra_files={"nas-model.json": ""})``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nas_core.datasets.encoding import TabularEncoding
from nas_core.errors import DataError
from nas_core.model_card import CARD_FILE, VERSION


class ExportedModel:
    """A model with its card: ``labels`` by class, ``columns`` it takes (for CSV data)."""

    def __init__(self, module: Any, card: Mapping[str, Any]) -> None:
        self.module = module
        self.card = dict(card)
        self.labels: list[Any] = list(card["labels"])
        self.input_shape = tuple(card["input"]["shape"])
        columns = card["input"].get("columns")
        self.encoding = None if columns is None else TabularEncoding.from_dict(columns)

    @property
    def columns(self) -> tuple[str, ...] | None:
        return None if self.encoding is None else self.encoding.names

    def inputs(self, rows: Any) -> np.ndarray:
        """What the model takes, from raw data: for CSV data, rows as mappings from column name to
        value (one mapping is one row) or as sequences of values in :attr:`columns` order; else an
        array of samples (or one sample) of :attr:`input_shape`."""
        if self.encoding is None:
            x = np.asarray(rows, dtype=np.float32)
            x = x[None] if x.shape == self.input_shape else x
            if x.shape[1:] != self.input_shape:
                raise DataError(f"the model takes samples of shape {self.input_shape}, got an array of shape {x.shape}")
            return x
        if isinstance(rows, Mapping):
            rows = [rows]
        names = self.encoding.names
        return self.encoding.codes([_values(i, row, names) for i, row in enumerate(rows)])

    def logits(self, rows: Any) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.module(torch.from_numpy(self.inputs(rows))).numpy()

    def predict(self, rows: Any) -> list[Any]:
        """The label of each row (or sample)."""
        logits = self.logits(rows)
        classes = (logits[:, 0] > 0).astype(int) if logits.shape[1] == 1 else logits.argmax(axis=1)
        return [self.labels[k] for k in classes]


def _values(i: int, row: Mapping[str, Any] | Sequence[Any], names: tuple[str, ...]) -> Sequence[Any]:
    """Row i's values in the order of ``names``."""
    if isinstance(row, Mapping):
        missing = [name for name in names if name not in row]
        if missing:
            raise DataError(f"rows[{i}] has no column '{missing[0]}' (the model takes {', '.join(names)})")
        return [row[name] for name in names]
    if isinstance(row, str) or len(row) != len(names):
        raise DataError(f"rows[{i}] is not {len(names)} values, one per column the model takes ({', '.join(names)})")
    return row


def load_exported(path: str | os.PathLike[str]) -> ExportedModel:
    """The torch program (.pt2) at ``path`` that ``nas export --format torch`` wrote."""
    import torch

    extra = {CARD_FILE: ""}
    try:
        program = torch.export.load(str(path), extra_files=extra)
    except (OSError, RuntimeError, ValueError) as exc:
        raise DataError(f"cannot load {path} as a torch program ({Path(path).suffix or 'no suffix'}): {exc}") from None
    if not extra[CARD_FILE]:
        raise DataError(
            f"{path} carries no nas model card (exported by an older nas): call torch.export.load(path).module() on tensors"
        )
    card = json.loads(extra[CARD_FILE])
    if card.get("nas_model") != VERSION:
        raise DataError(f"{path} has a model card of version {card.get('nas_model')}; this nas reads version {VERSION}")
    return ExportedModel(program.module(), card)

