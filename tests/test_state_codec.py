"""Plugin states as data: every supported type comes back exactly, anything else is refused."""

import enum
import io
import math
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from nas_core.append_log import AppendLog
from nas_core.state_codec import Malformed, NotData, decode, encode
from planted import Planted


def assert_identical(got: Any, want: Any, at: str = "") -> None:
    """Equal, of the same exact types all the way down, floats to the bit."""
    assert type(got) is type(want), f"{at}: {type(got)} != {type(want)}"
    if isinstance(want, float):
        assert struct.pack("<d", got) == struct.pack("<d", want), at
    elif isinstance(want, np.ndarray | np.generic):
        assert got.dtype == want.dtype and got.shape == want.shape, at
        assert got.tobytes() == want.tobytes(), at
    elif isinstance(want, torch.Tensor):
        assert (got.dtype, got.shape, got.device, got.requires_grad) == (want.dtype, want.shape, want.device, want.requires_grad), at
        torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)
    elif isinstance(want, dict):
        assert list(got) == list(want), at  # same keys in the same order
        for key in want:
            assert_identical(got[key], want[key], f"{at}[{key!r}]")
    elif isinstance(want, list | tuple):
        assert len(got) == len(want), at
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            assert_identical(a, b, f"{at}[{i}]")
    else:
        assert got == want, at


def round_trip(value: Any) -> Any:
    data = encode(value)
    assert encode(value) == data  # the same state encodes to the same bytes: unchanged states are not rewritten
    return decode(data)


NAN_WITH_PAYLOAD = struct.unpack("<d", bytes.fromhex("0100000000f8ffff"))[0]  # a negative NaN, payload 1

PLAIN = {
    "none": None, "true": True, "false": False, "str": "τ\ud800 $x", "empty": "",
    "int": -7, "int64 edges": [2**63 - 1, -(2**63)], "big ints": [2**63, -(2**200), 10**5000],
    "floats": [0.1, -0.0, 1e-310, 1.7976931348623157e308, math.inf, -math.inf, math.nan, NAN_WITH_PAYLOAD],
    "list": [1, [2, [3]]], "tuple": (1, ("a", None), ()), "empty list": [], "empty dict": {},
    "bytes": [b"", b"\x00\xff" * 1000],
}  # fmt: skip


@pytest.mark.parametrize("name", PLAIN)
def test_python_values_come_back_exactly(name: str) -> None:
    assert_identical(round_trip(PLAIN[name]), PLAIN[name])


def test_dicts_keep_their_keys_order_and_types() -> None:
    value = {
        "b": 1, "a": 2,  # insertion order, not sorted
        "keys": {3: "int", (1, "x"): "tuple", None: "none", 2.5: "float", b"k": "bytes", False: "bool"},
        "dollar": {"$": "tuple", "items": [1]},  # looks like a tag: must stay a dict
        "nested": [{"$": 1}, {0: {"x": (1,)}}],
    }  # fmt: skip
    assert_identical(round_trip(value), value)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.int64).reshape(2, 3), np.array([0.1, np.nan, -0.0], dtype=np.float32),
        np.zeros((0, 4), dtype=np.float64), np.array([True, False]), np.array(3, dtype=np.uint8),
        np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)), np.array([1 + 2j], dtype=np.complex128),
        np.array(["ab", "c"]), np.array(["2020-01-01"], dtype="datetime64[D]"),
        np.array([2**64 - 1], dtype=np.uint64),
    ],
    ids=lambda a: f"{a.dtype}{list(a.shape)}",
)  # fmt: skip
def test_numpy_arrays_keep_dtype_shape_and_bytes(array: np.ndarray) -> None:
    got = round_trip(array)
    assert_identical(got, array)
    assert got.flags.f_contiguous == array.flags.f_contiguous


@pytest.mark.parametrize(
    "scalar",
    [np.float64(0.1), np.float32(-0.0), np.float16(np.nan), np.int64(-(2**63)), np.uint64(2**64 - 1), np.int8(-1),
     np.bool_(True), np.complex64(1j), np.str_(""), np.str_("ab"), np.bytes_(b"x"), np.datetime64(1, "s"),
     np.longdouble(1) / 3],
    ids=lambda s: type(s).__name__,
)  # fmt: skip
def test_numpy_scalars_stay_numpy_scalars(scalar: np.generic) -> None:
    assert_identical(round_trip(scalar), scalar)


def test_a_numpy_generators_state_continues_the_same_stream() -> None:
    for generator in (np.random.PCG64(7), np.random.MT19937(7), np.random.Philox(7), np.random.SFC64(7)):
        rng = np.random.Generator(generator)
        rng.random(5)
        state = rng.bit_generator.state
        restored = np.random.Generator(type(generator)())
        restored.bit_generator.state = round_trip(state)
        assert_identical(restored.bit_generator.state, state)
        assert restored.random(8).tobytes() == rng.random(8).tobytes()


@pytest.mark.parametrize(
    "tensor",
    [torch.arange(6, dtype=torch.int64).reshape(3, 2), torch.tensor([0.1, float("nan")], dtype=torch.float64),
     torch.zeros(2, 0), torch.tensor([1.5], dtype=torch.bfloat16), torch.tensor(True),
     torch.ones(3, requires_grad=True), torch.get_rng_state()],
    ids=lambda t: f"{t.dtype}{list(t.shape)}{'-grad' if t.requires_grad else ''}",
)  # fmt: skip
def test_tensors_keep_dtype_shape_and_values(tensor: torch.Tensor) -> None:
    assert_identical(round_trip(tensor), tensor)


def test_a_view_stores_its_elements_not_the_storage_it_looks_into() -> None:
    big = torch.arange(1_000_000, dtype=torch.float64)
    view = big[10:12]
    assert_identical(round_trip(view), view.clone())
    assert len(encode(view)) < 10_000


def test_a_torch_state_dict_round_trips() -> None:
    net = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(net.parameters())
    net(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    state = {"net": dict(net.state_dict()), "optimizer": optimizer.state_dict()}
    assert_identical(round_trip(state), state)


def test_append_logs_are_left_out_and_put_back_by_key() -> None:
    log = AppendLog("told", [(1, 2.0)])
    found: dict[str, tuple[AppendLog, str]] = {}
    data = encode({"searchers": [{"log": log}]}, found)
    assert found == {"told": (log, "['searchers'][0]['log']")} and found["told"][0] is log
    restored = AppendLog("told", [(1, 2.0), None])
    back = decode(data, {"told": restored})
    assert back["searchers"][0]["log"] is restored
    empty = decode(data, {})["searchers"][0]["log"]  # a log with no entries stored yet
    assert type(empty) is AppendLog and empty.key == "told" and empty == []


def test_two_append_logs_may_not_share_a_key() -> None:
    with pytest.raises(NotData, match=r"a second append log with the key 'k' at \[1\]"):
        encode([AppendLog("k"), AppendLog("k")], {})


class Colour(enum.IntEnum):
    RED = 1


class Thing:
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": [1, Thing()]}, r"a \S*test_state_codec.Thing at \['a'\]\[1\]$"),
        (Thing(), r"a \S*test_state_codec.Thing at the top$"),
        ({"c": Colour.RED}, r"a \S*test_state_codec.Colour at \['c'\]$"),  # would come back as an int
        ([{1, 2}], r"a set at \[0\]$"),
        ((np.array([None]),), r"a numpy.ndarray of dtype object at \[0\]$"),
        ({"p": torch.nn.Parameter(torch.ones(1))}, r"a torch.nn.parameter.Parameter at \['p'\]$"),
        ({"k": {(1, Thing()): 1}}, r"a \S*test_state_codec.Thing at \['k'\]<key>\[1\]$"),
        ([AppendLog("k")], r"a nas_core.append_log.AppendLog at \[0\]$"),  # no place for logs here
    ],
    ids=["object", "top", "enum", "set", "object array", "parameter", "key", "log"],
)  # fmt: skip
def test_anything_else_is_refused_with_where_it_sits(value: Any, message: str) -> None:
    with pytest.raises(NotData, match=message):
        encode(value)


def test_a_cycle_is_refused() -> None:
    cycle: list[Any] = [1]
    cycle.append({"again": cycle})
    with pytest.raises(NotData, match=r"a list that contains itself at \[1\]\['again'\]"):
        encode(cycle)


def tensor_blob_with(value: Any) -> bytes:
    """An encoded state whose tensor blob is ``value`` as torch.save writes it (a pickle inside)."""
    buffer = io.BytesIO()
    torch.save(value, buffer)
    blob = buffer.getvalue()
    good = encode(torch.zeros(1))
    header_end = 8 + int.from_bytes(good[:8], "little")
    header = good[8:header_end].replace(str(len(good) - header_end).encode(), str(len(blob)).encode())
    return len(header).to_bytes(8, "little") + header + blob


def test_bytes_that_are_not_an_encoded_state_are_malformed_and_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    crafted = [
        pickle.dumps(Planted(marker)),  # an old-style pickled state
        tensor_blob_with(Planted(marker)),  # a pickle where a tensor should be: torch.load refuses it
        tensor_blob_with({"not": "a tensor"}),
        b"",
        encode([1, 2])[:-1],
        len(b'{"value":{"$":"eval"},"blobs":[]}').to_bytes(8, "little") + b'{"value":{"$":"eval"},"blobs":[]}',
        len(b'{"value":[[[[1]]]],"blobs":[5]}').to_bytes(8, "little") + b'{"value":[[[[1]]]],"blobs":[5]}',
    ]
    for data in crafted:
        with pytest.raises(Malformed) as refused:
            decode(data)
        assert "\n" not in str(refused.value)
    assert not marker.exists()
