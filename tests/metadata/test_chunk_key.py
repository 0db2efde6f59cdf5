"""Chunk key encodings against the v3 spec examples and zarr-python 3's encoders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc.errors import MetadataError
from zarrc.metadata import ChunkKeyEncoding, parse_chunk_key_encoding

cke = pytest.importorskip("zarr.core.chunk_key_encodings")


def test_spec_examples():
    assert ChunkKeyEncoding("default", "/").encode((1, 23, 45)) == "c/1/23/45"
    assert ChunkKeyEncoding("default", ".").encode((1, 23, 45)) == "c.1.23.45"
    assert ChunkKeyEncoding("default").encode(()) == "c"
    assert ChunkKeyEncoding("v2", ".").encode((1, 23, 45)) == "1.23.45"
    assert ChunkKeyEncoding("v2", "/").encode((1, 23, 45)) == "1/23/45"
    assert ChunkKeyEncoding("v2").encode(()) == "0"


def test_default_separators():
    assert ChunkKeyEncoding("default").separator == "/"
    assert ChunkKeyEncoding("v2").separator == "."


def _oracle(name, sep):
    cls = cke.DefaultChunkKeyEncoding if name == "default" else cke.V2ChunkKeyEncoding
    return cls(separator=sep)


@pytest.mark.parametrize("name", ["default", "v2"])
@pytest.mark.parametrize("sep", ["/", "."])
@given(coords=st.lists(st.integers(0, 10**6), max_size=5).map(tuple))
def test_encode_matches_zarr_python_and_decodes_back(name, sep, coords):
    enc = ChunkKeyEncoding(name, sep)
    key = enc.encode(coords)
    assert key == _oracle(name, sep).encode_chunk_key(coords)
    assert enc.decode(key, len(coords)) == coords


@pytest.mark.parametrize("enc, key, ndim", [
    (ChunkKeyEncoding("default"), "zarr.json", 2), (ChunkKeyEncoding("default"), "c/1", 2),
    (ChunkKeyEncoding("default"), "c/1/x", 2), (ChunkKeyEncoding("default"), "c.1.2", 2),
    (ChunkKeyEncoding("default"), "c", 1), (ChunkKeyEncoding("v2"), ".zarray", 1),
    (ChunkKeyEncoding("v2"), "1.2", 1), (ChunkKeyEncoding("v2"), "1", 0),
    (ChunkKeyEncoding("v2"), "-1", 1), (ChunkKeyEncoding("v2"), "１", 1),
])
def test_decode_rejects_foreign_keys(enc, key, ndim):
    assert enc.decode(key, ndim) is None


@pytest.mark.parametrize("obj, expected", [
    ({"name": "default", "configuration": {"separator": "/"}}, ChunkKeyEncoding("default", "/")),
    ({"name": "default", "configuration": {"separator": "."}}, ChunkKeyEncoding("default", ".")),
    ({"name": "default"}, ChunkKeyEncoding("default", "/")),
    ("default", ChunkKeyEncoding("default", "/")),
    ({"name": "v2"}, ChunkKeyEncoding("v2", ".")),
    ({"name": "v2", "configuration": {"separator": "/"}}, ChunkKeyEncoding("v2", "/")),
])
def test_parse(obj, expected):
    enc = parse_chunk_key_encoding(obj, "zarr.json")
    assert enc == expected
    assert parse_chunk_key_encoding(enc.to_json(), "zarr.json") == enc


@pytest.mark.parametrize("obj, match", [
    ({"name": "default", "configuration": {"separator": "-"}}, "separator"),
    ({"name": "default", "configuration": {"separator": None}}, "separator"),
    ({"name": "nested"}, "unknown chunk key encoding"),
    ({"name": "default", "configuration": {"sep": "/"}}, "unexpected"),
    ({"name": "default", "must_understand": False}, "unexpected"),
    (3, "expected a JSON object"),
])
def test_parse_rejects(obj, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_chunk_key_encoding(obj, "a/zarr.json")
    assert "a/zarr.json" in str(info.value) and "chunk_key_encoding" in str(info.value)


def test_constructor_validates():
    with pytest.raises(ValueError):
        ChunkKeyEncoding("nested", "/")
    with pytest.raises(ValueError):
        ChunkKeyEncoding("default", "-")
