"""Plugin states as data: JSON for the structure, binary blobs for bytes, arrays and tensors.

Study files are shared to compare and continue runs, so reading one must never run code: a
pickled state executes whatever its bytes say when loaded. This codec writes only what it can
read back without executing anything (``json``, ``np.load(allow_pickle=False)``,
``torch.load(weights_only=True)``), and refuses anything else when saving, naming where in the
state it sits, so a plugin author learns it from the first saved trial.

It decodes exactly what it encoded, type for type, because a resumed run must continue bit for
bit: a tuple stays a tuple, ``np.float64`` stays ``np.float64``, a float keeps its bits (NaN
payloads included), ints of any size, numpy arrays and scalars and tensors their dtype and shape
(tensors come back on the CPU). Only these exact types are data: a subclass (an ``IntEnum``, a ``Parameter``,
a ``defaultdict``) would come back as its base, so it is refused. Shared references are not
kept: an object met twice comes back as two equal copies.

Layout: an 8-byte little-endian length, that many bytes of UTF-8 JSON
``{"value": ..., "blobs": [size, ...]}``, then the blobs back to back. In ``value``, JSON's own
null, booleans, strings, lists, objects (string keys, none of them ``"$"``), ints up to 64 bits
and finite floats stand for themselves; every other value is an object tagged by its ``"$"`` key.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import sys
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

import numpy as np

from nas_core.append_log import AppendLog

_LENGTH = struct.Struct("<Q")
_TAG = "$"


class NotData(ValueError):
    """A value the codec refuses to store; the message says what it is and where (``['a'][3]``)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} at {where or 'the top'}")


class Malformed(ValueError):
    """Bytes that are not an encoded state (corrupt, or crafted)."""


def encode(value: Any, logs: dict[str, tuple[AppendLog, str]] | None = None, at: str = "") -> bytes:
    """``value`` as bytes that :func:`decode` reads back exactly.

    With ``logs``, each :class:`AppendLog` is stored as a reference to its key and collected in
    ``logs`` (key -> the log and where it sits), for the caller to store its entries apart;
    without, an append log is refused. ``at`` prefixes the places named in errors.
    """
    blobs: list[bytes] = []
    tree = _Encoder(blobs, logs).value(value, at, set())
    header = json.dumps({"value": tree, "blobs": [len(b) for b in blobs]}, separators=(",", ":")).encode()
    return b"".join([_LENGTH.pack(len(header)), header, *blobs])


def decode(data: bytes, logs: Mapping[str, AppendLog] | None = None) -> Any:
    """The value :func:`encode` wrote, its append logs taken from ``logs`` by key (a log without
    stored entries is empty); without ``logs``, a reference to an append log is malformed."""
    try:
        (size,) = _LENGTH.unpack_from(data)
        end = _LENGTH.size + size
        header = json.loads(data[_LENGTH.size : end])
        sizes = header["blobs"]
        if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
            raise Malformed("bad blob sizes")
        offsets = list(accumulate(sizes, initial=end))
        if offsets[-1] != len(data):
            raise Malformed(f"{len(data)} bytes where {offsets[-1]} were announced")
        blobs = [data[a:b] for a, b in zip(offsets, offsets[1:])]
        return _Decoder(blobs, logs).value(header["value"])
    except Malformed:
        raise
    # torch.load refuses with UnpicklingError, a broken archive is a RuntimeError (as RecursionError is)
    except (ValueError, TypeError, KeyError, IndexError, EOFError, OverflowError, RuntimeError, struct.error,
            pickle.UnpicklingError) as exc:  # fmt: skip
        raise Malformed(f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None


def _a_type(value: Any) -> str:
    """``value``'s type as an English noun phrase: ``a pathlib.PosixPath``, ``an object``."""
    kind = type(value)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


class _Encoder:
    def __init__(self, blobs: list[bytes], logs: dict[str, tuple[AppendLog, str]] | None) -> None:
        self.blobs = blobs
        self.logs = logs

    def blob(self, data: bytes) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def value(self, value: Any, at: str, inside: set[int]) -> Any:
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if -(2**63) <= value < 2**63 else {_TAG: "int", "hex": hex(value)}  # no digit limit
        if kind is float:
            if value - value == 0:  # finite: repr round-trips exactly, -0.0 included
                return value
            return {_TAG: "float", "bits": struct.pack("<d", value).hex()}
        if kind is bytes:
            return {_TAG: "bytes", "blob": self.blob(value)}
        if kind is np.ndarray or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
            if value.dtype.hasobject:
                raise NotData(f"{_a_type(value)} of dtype {value.dtype}", at)
            buffer = io.BytesIO()
            np.save(buffer, np.asarray(value), allow_pickle=False)  # a scalar as a 0-d array
            return {_TAG: "ndarray" if kind is np.ndarray else "numpy", "blob": self.blob(buffer.getvalue())}
        if _is_tensor(value):
            return {_TAG: "tensor", "blob": self.blob(_save_tensor(value))}
        if kind is AppendLog and self.logs is not None:
            seen = self.logs.setdefault(value.key, (value, at))
            if seen[0] is not value:
                raise NotData(f"a second append log with the key {value.key!r}", at)
            return {_TAG: "log", "key": value.key}
        if kind not in (list, tuple, dict):
            raise NotData(_a_type(value), at)
        if id(value) in inside:
            raise NotData(f"a {kind.__name__} that contains itself", at)
        inside.add(id(value))
        try:
            if kind is list:
                return [self.value(v, f"{at}[{i}]", inside) for i, v in enumerate(value)]
            if kind is tuple:
                return {_TAG: "tuple", "items": [self.value(v, f"{at}[{i}]", inside) for i, v in enumerate(value)]}
            if all(type(k) is str for k in value) and _TAG not in value:
                return {k: self.value(v, f"{at}[{k!r}]", inside) for k, v in value.items()}
            pairs = [[self.value(k, f"{at}<key>", inside), self.value(v, f"{at}[{k!r}]", inside)] for k, v in value.items()]
            return {_TAG: "dict", "items": pairs}
        finally:
            inside.discard(id(value))


class _Decoder:
    def __init__(self, blobs: list[bytes], logs: Mapping[str, AppendLog] | None) -> None:
        self.blobs = blobs
        self.logs = logs

    def value(self, tree: Any) -> Any:
        if isinstance(tree, list):
            return [self.value(v) for v in tree]
        if not isinstance(tree, dict):
            return tree  # None, bool, str, int, float: as JSON read them
        tag = tree.get(_TAG)
        if tag is None:
            return {k: self.value(v) for k, v in tree.items()}
        if tag == "tuple":
            return tuple(self.value(v) for v in tree["items"])
        if tag == "dict":
            return {self.value(k): self.value(v) for k, v in tree["items"]}
        if tag == "int":
            return int(tree["hex"], 16)
        if tag == "float":
            return struct.unpack("<d", bytes.fromhex(tree["bits"]))[0]
        if tag == "bytes":
            return self.blobs[tree["blob"]]
        if tag in ("ndarray", "numpy"):
            array = np.load(io.BytesIO(self.blobs[tree["blob"]]), allow_pickle=False)
            if tag == "ndarray":
                return array
            if array.ndim != 0:
                raise Malformed(f"a numpy scalar of shape {array.shape}")
            return array[()]
        if tag == "tensor":
            return _load_tensor(self.blobs[tree["blob"]])
        if tag == "log" and self.logs is not None:
            key = tree["key"]
            return self.logs[key] if key in self.logs else AppendLog(key)
        raise Malformed(f"unknown tag {tag!r}")


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")  # no tensor can exist before torch is imported
    return torch is not None and type(value) is torch.Tensor


def _save_tensor(tensor: Any) -> bytes:
    import torch

    buffer = io.BytesIO()
    # A view would save the whole storage it looks into; its own copy saves just its elements.
    torch.save(tensor.detach().cpu().clone().requires_grad_(tensor.requires_grad), buffer)
    return buffer.getvalue()


def _load_tensor(data: bytes) -> Any:
    import torch

    tensor = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    if type(tensor) is not torch.Tensor:
        raise Malformed(f"a tensor blob holds {_a_type(tensor)}")
    return tensor
