"""What an exported model takes and what its outputs mean: JSON saved inside the model file.

``nas export`` and ``nas retrain --save`` write it into every model: a torch program carries it as
its extra file ``nas-model.json`` (``torch.export.load(path, extra_files={"nas-model.json": ""})``
fills the dict in), an ONNX model as its metadata property ``nas-model``. The card::

    {"nas_model": 1,
     "input": {"shape": [3], "columns": [{"name": "age", "categories": null},
                                        {"name": "city", "categories": ["Lyon", "Nice"]}, ...]},
     "labels": ["no", "yes"],
     "logits": 1}

``input.shape`` is one sample's shape. ``columns`` is there for a model searched on a CSV file:
the model then takes one number per column, in this order: the value of a numeric column
(``categories`` null), the index of the value among a categorical column's ``categories`` (-1,
all zeros after the model's one-hot encoding, for a category the training split did not have).
The model returns ``logits`` numbers per sample: one per label, or, for two labels, one logit
that is positive for ``labels[1]``.
"""

from __future__ import annotations

from typing import Any

from nas_core.datasets.provenance import DataFile

CARD_FILE = "nas-model.json"
ONNX_KEY = "nas-model"
VERSION = 1


def model_card(input_shape: tuple[int, ...], num_classes: int, data: DataFile | None) -> dict[str, Any]:
    """The card of a model taking ``input_shape`` samples (codes for a CSV file's columns)."""
    labels = list(data.labels) if data is not None else list(range(num_classes))
    shape: dict[str, Any] = {"shape": list(input_shape)}
    if data is not None and data.encoding is not None:
        shape["columns"] = data.encoding.to_dict()
    return {"nas_model": VERSION, "input": shape, "labels": labels, "logits": 1 if num_classes == 2 else num_classes}
