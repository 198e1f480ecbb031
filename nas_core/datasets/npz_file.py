"""``--dataset file.npz``: arrays saved with ``numpy.savez``, for images, signals and features.

``x`` holds the inputs, (N, C, H, W) images, (N, C, L) signals or (N, F) features; ``y`` their N
class labels (integers or names). With ``x_test`` and ``y_test`` too, those are the test split
and validation is 20% of x; otherwise the splits are 60/20/20, as for the bundled datasets.
Arrays of Python objects are refused: loading them would mean unpickling.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from nas_core.datasets.base import Dataset, split_and_standardize
from nas_core.datasets.labels import class_ids
from nas_core.datasets.provenance import DataFile, sha256_of
from nas_core.errors import DataError

SHAPES = "(N, C, H, W) images, (N, C, L) signals or (N, F) features"


def load_npz(path: Path, content: bytes, seed: int) -> Dataset:
    arrays = _read_arrays(path, content)
    x = _inputs(path, arrays, "x")
    has_test = "x_test" in arrays
    x_test = _inputs(path, arrays, "x_test") if has_test else x[:0]
    if x_test.shape[1:] != x.shape[1:]:
        raise DataError(f"{path}: x_test holds samples of shape {x_test.shape[1:]}, x of {x.shape[1:]}")
    y, y_test = arrays["y"], arrays["y_test"] if has_test else arrays["y"][:0]
    for inputs, labels, name in ((x, y, "y"), (x_test, y_test, "y_test")):
        if labels.ndim == 1 and len(labels) != len(inputs):
            raise DataError(f"{path}: {name} has {len(labels)} labels for {len(inputs)} samples of x{name[1:]}")
    n = len(y)

    def where(i: int) -> str:
        return f"sample {i}" if i < n else f"sample {i - n} of y_test"

    ids, labels = class_ids(np.concatenate([y, y_test]) if has_test else y, f"{path}: y", where)
    source = DataFile(str(path), sha256_of(content), "npz", labels)
    test = (x_test, ids[n:]) if has_test else None
    return split_and_standardize(str(path), x, ids[:n], seed=seed, valid_fraction=0.2, test=test, source=source)


def _read_arrays(path: Path, content: bytes) -> dict[str, np.ndarray]:
    try:
        archive = np.load(io.BytesIO(content), allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path} is not a NumPy .npz archive ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"{path} holds a single array: save x and y with numpy.savez(path, x=..., y=...)")
    with archive:
        names = set(archive.files)
        for needed in ("x", "y"):
            if needed not in names:
                held = ", ".join(sorted(names)) or "nothing"
                raise DataError(
                    f"{path} has no array '{needed}' (it holds: {held}): save the inputs as x and the class labels "
                    "as y (x_test and y_test optional)"
                )
        if ("x_test" in names) != ("y_test" in names):
            given, missing = ("x_test", "y_test") if "x_test" in names else ("y_test", "x_test")
            raise DataError(f"{path} has {given} but no {missing}: save both or neither")
        return {name: _array(path, archive, name) for name in ("x", "y", "x_test", "y_test") if name in names}


def _array(path: Path, archive: np.lib.npyio.NpzFile, name: str) -> np.ndarray:
    try:
        return archive[name]
    except ValueError:
        raise DataError(
            f"{path}: array '{name}' holds Python objects, which nas does not load (that would unpickle them): "
            "save numbers or strings"
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: array '{name}' cannot be read ({exc})") from None


def _inputs(path: Path, arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    x = arrays[name]
    if x.ndim not in (2, 3, 4):
        raise DataError(f"{path}: {name} has shape {x.shape}: give {SHAPES}")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{path}: {name} holds {x.dtype} values, not numbers")
    if len(x) == 0 and name == "x":
        raise DataError(f"{path}: x holds no samples")
    bad = np.flatnonzero(~np.isfinite(x.reshape(len(x), -1)).all(axis=1))
    if len(bad):
        raise DataError(f"{path}: {name} has a missing or infinite value (NaN or inf) in sample {bad[0]}")
    return x.astype(np.float32)
