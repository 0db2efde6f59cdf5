"""parse_json / dump_json against the stdlib and the bytes zarr-python writes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from zarrc.errors import MetadataError
from zarrc.metadata import dump_json, parse_json


def test_parse_json_accepts_nan_tokens_written_by_zarr_python():
    doc = parse_json(b'{"a": NaN, "b": Infinity, "c": -Infinity}', "g/.zattrs")
    assert math.isnan(doc["a"]) and doc["b"] == math.inf and doc["c"] == -math.inf


@pytest.mark.parametrize("data", [b"{", b"", b"\xff\xfe\x00", b"[1, 2]", b'"s"', b"3"])
def test_parse_json_rejects_invalid_or_non_object(data):
    with pytest.raises(MetadataError, match="arr/zarr.json"):
        parse_json(data, "arr/zarr.json")


def test_parse_json_accepts_str_and_memoryview():
    assert parse_json('{"x": 1}', "k") == {"x": 1}
    assert parse_json(memoryview(b'{"x": 1}'), "k") == {"x": 1}


def test_dump_json_matches_stdlib_with_zarr_python_settings():
    doc = {"b": [1, 2], "a": {"é": None}, "nan": math.nan}
    expected = json.dumps(doc, indent=2, allow_nan=True).encode()
    assert dump_json(doc) == expected
    assert dump_json(doc).isascii()


def test_dump_json_numpy_values_become_plain_json():
    doc = {"i": np.int64(3), "f": np.float32(0.5), "arr": np.arange(3), "t": (1, 2)}
    assert json.loads(dump_json(doc)) == {"i": 3, "f": 0.5, "arr": [0, 1, 2], "t": [1, 2]}


def test_dump_json_rejects_unknown_objects():
    with pytest.raises(TypeError):
        dump_json({"x": object()})


def test_dump_json_single_line():
    assert dump_json({"a": 1}, indent=None) == b'{"a": 1}'
