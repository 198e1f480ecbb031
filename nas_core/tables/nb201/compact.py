"""The compact copy of the NB201 tables: one ``nb201/<dataset>.npz`` per dataset.

An ``.npz`` is a zip of ``.npy`` arrays, read with ``allow_pickle=False`` (data, never code):

- ``ops``: uint8, a row per cell, the index in ``op_names`` of the operation on each edge
  (``NB201Cell.ops`` order); ``op_names`` says which operations those are;
- ``nb201_index``: the official NB201 index of each row;
- ``column_names`` and ``values``: the float64 metric columns, one row of ``values`` per column
  (columnar), in the order queries report them; NaN where the source has no value.

The values are the raw tables' after the joins of :mod:`.raw`, bit for bit. The writer fixes
every zip timestamp, so rebuilding from the same raw tables gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from nas_core.errors import DataError
from nas_core.spaces.nb201 import OPS, NB201Cell
from nas_core.tables.nb201.rows import NB201Rows

MEMBERS = ("ops", "op_names", "nb201_index", "column_names", "values")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest zip timestamp: no build time in the file


def compact_path(root: Path, dataset: str) -> Path:
    return root / "nb201" / f"{dataset}.npz"


def read_compact(path: Path) -> NB201Rows:
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in MEMBERS if name not in archive.files]
            if missing:
                raise DataError(f"{path} is not a compact NB201 table: it lacks {', '.join(missing)}")
            arrays = {name: archive[name] for name in MEMBERS}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    names = tuple(str(op) for op in arrays["op_names"])
    ops, values, columns = arrays["ops"], arrays["values"], [str(c) for c in arrays["column_names"]]
    if set(names) != set(OPS) or ops.ndim != 2 or values.shape != (len(columns), len(ops)) or len(arrays["nb201_index"]) != len(ops):
        raise DataError(f"{path} is not a compact NB201 table: its arrays do not fit together")
    by_code = [names[code] for code in range(len(names))]
    cells = [NB201Cell(tuple(by_code[code] for code in row)) for row in ops.tolist()]
    return NB201Rows(cells, arrays["nb201_index"], dict(zip(columns, values)))


def write_compact(path: Path, rows: NB201Rows) -> None:
    """Write ``rows`` to ``path``, byte for byte the same for the same rows."""
    code = {op: i for i, op in enumerate(OPS)}
    arrays = {
        "ops": np.array([[code[op] for op in cell.ops] for cell in rows.cells], dtype=np.uint8),
        "op_names": np.array(OPS),
        "nb201_index": np.asarray(rows.index, dtype=np.int32),
        "column_names": np.array(list(rows.columns)),
        "values": np.stack([np.asarray(v, dtype=np.float64) for v in rows.columns.values()]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            member = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            archive.writestr(member, buffer.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
