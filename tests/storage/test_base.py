"""Key validation, byte-range resolution and value conversion shared by every store."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc.storage.base import (
    as_buffer,
    as_bytes,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.testing.store import HOSTILE_KEYS, HOSTILE_PREFIXES


@pytest.mark.parametrize(
    "key", ["a", "a/b", ".zarray", "c/0.0.0", "c/0/0/0", "x y/z", "\u00e9", "...", "a..b", "key:1"]
)
def test_valid_keys(key):
    assert normalize_key(key) == key


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_name_themselves(key):
    with pytest.raises(ValueError) as info:
        normalize_key(key)
    assert repr(key) in str(info.value)


@pytest.mark.parametrize("prefix, expected", [("", ""), ("a", "a"), ("a/", "a"), ("a/b/", "a/b")])
def test_prefixes(prefix, expected):
    assert normalize_prefix(prefix) == expected


@pytest.mark.parametrize("prefix", [*HOSTILE_PREFIXES, "a//", "//"])
def test_hostile_prefixes(prefix):
    with pytest.raises(ValueError):
        normalize_prefix(prefix)


@given(
    size=st.integers(0, 50),
    start=st.none() | st.integers(-80, 80),
    stop=st.none() | st.integers(-80, 80),
)
def test_resolve_byte_range_is_python_slicing(size, start, stop):
    value = bytes(range(size))
    begin, end = resolve_byte_range((start, stop), size)
    assert 0 <= begin <= end <= size
    assert value[begin:end] == value[start:stop]


def test_resolve_whole_value():
    assert resolve_byte_range(None, 7) == (0, 7)


@given(st.binary(max_size=64))
def test_as_bytes_of_bytes_like(data):
    for value in (data, bytearray(data), memoryview(data), np.frombuffer(data, dtype="u1")):
        out = as_bytes(value)
        assert type(out) is bytes and out == data


def test_as_buffer_is_zero_copy_for_contiguous_arrays():
    arr = np.arange(6, dtype="<i8").reshape(2, 3)
    view = as_buffer(arr)
    assert view.nbytes == arr.nbytes and view.format == "B" and view.ndim == 1
    arr[0, 0] = 99
    assert view[:8].tobytes() == arr[0, :1].tobytes()


@pytest.mark.parametrize(
    "dtype", ["<f8", ">f8", ">i2", "|b1", "<c16", [("a", "<i2"), ("b", ">f4")], "S3", "<U2"]
)
def test_as_bytes_of_any_dtype_is_tobytes(dtype):
    arr = np.zeros(5, dtype=dtype)
    assert as_bytes(arr) == arr.tobytes()
    assert as_bytes(arr[2]) == np.asarray(arr[2]).tobytes() if arr.dtype.fields else True
