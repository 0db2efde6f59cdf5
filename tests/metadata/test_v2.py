"""v2 ``.zarray``/``.zattrs``: parse what zarr-python 3 writes, emit it back byte for byte,
and reject malformed documents naming key and field."""

from __future__ import annotations

import copy
import json

import numcodecs
import numpy as np
import pytest

from zarrc.errors import MetadataError
from zarrc.metadata import (
    ArrayMetadata,
    ChunkKeyEncoding,
    RegularChunkGrid,
    dump_json,
    normalize_dtype,
    normalize_fill_value,
    parse_array_metadata_v2,
)

CASES = [
    dict(shape=(10, 6), chunks=(4, 3), dtype="<f8", fill_value=np.nan),
    dict(shape=(10, 6), chunks=(4, 3), dtype="<f8", order="F",
         filters=[numcodecs.Delta(dtype="<f8")], compressors=numcodecs.Zstd(level=1),
         chunk_key_encoding={"name": "v2", "separator": "/"}, attributes={"a": [1, 2]}),
    dict(shape=(7,), chunks=(7,), dtype=">i8", fill_value=-5, compressors=None),
    dict(shape=(), chunks=(), dtype="|b1", fill_value=True),
    dict(shape=(0, 3), chunks=(2, 2), dtype="<c16", fill_value=complex(1, -np.inf)),
    dict(shape=(5,), chunks=(2,), dtype="|S4", fill_value=b"xy"),
    dict(shape=(5,), chunks=(2,), dtype="<U3", fill_value="héé"),
    dict(shape=(5,), chunks=(2,), dtype="<M8[ns]", fill_value=np.datetime64("NaT")),
    dict(shape=(5,), chunks=(2,), dtype="<m8[s]", fill_value=12),
    dict(shape=(5,), chunks=(2,), dtype="|V3", fill_value=b"\x00\x01\x02"),
    dict(shape=(5,), chunks=(2,), dtype="<f4", fill_value=None, attributes={"x": float("nan")}),
    dict(shape=(0,), chunks=False, dtype="<f2"),  # zarr-python writes chunks [0] here
]
IDS = [f"{c['dtype']}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_parse_matches_zarr_python(zarr_python_array, kwargs):
    arr, docs, _ = zarr_python_array(zarr_format=2, **kwargs)
    meta = parse_array_metadata_v2(docs[".zarray"], docs.get(".zattrs"), "a/.zarray")
    assert meta.zarr_format == 2
    assert meta.shape == arr.shape and meta.chunks == arr.chunks
    assert meta.dtype == arr.dtype and meta.dtype.str == arr.dtype.str
    assert meta.order == arr.order
    assert meta.chunk_key_encoding == ChunkKeyEncoding("v2",
                                                      arr.metadata.dimension_separator)
    assert meta.compressor == docs[".zarray"]["compressor"]
    assert meta.filters == (None if docs[".zarray"]["filters"] is None
                            else tuple(docs[".zarray"]["filters"]))
    assert meta.codecs == () and meta.dimension_names is None
    if arr.fill_value is None:
        assert meta.fill_value is None
    else:
        # same bits (NaN and NaT included)
        expected = np.array(arr.fill_value, dtype=arr.dtype).tobytes()
        assert np.array(meta.fill_value, dtype=arr.dtype).tobytes() == expected
    assert json.dumps(meta.attributes) == json.dumps(dict(arr.attrs))  # NaN-safe comparison


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_emit_is_byte_identical_to_zarr_python(zarr_python_array, kwargs):
    _, docs, raw = zarr_python_array(zarr_format=2, **kwargs)
    meta = parse_array_metadata_v2(docs[".zarray"], docs.get(".zattrs"), ".zarray")
    assert meta.to_json() == docs[".zarray"]
    assert dump_json(meta.to_json()) == raw[".zarray"]
    out = meta.to_documents()
    assert dump_json(out[".zattrs"]) == raw[".zattrs"]


@pytest.mark.parametrize("kwargs", CASES[:10], ids=IDS[:10])
def test_built_from_user_input_matches_zarr_python_field_by_field(zarr_python_array, kwargs):
    _, docs, _ = zarr_python_array(zarr_format=2, **kwargs)
    doc = docs[".zarray"]
    dtype = normalize_dtype(kwargs["dtype"], 2)
    meta = ArrayMetadata(
        zarr_format=2,
        shape=kwargs["shape"],
        chunk_grid=RegularChunkGrid(kwargs["chunks"]),
        dtype=dtype,
        fill_value=normalize_fill_value(kwargs.get("fill_value", 0), dtype, 2),
        order=kwargs.get("order", "C"),
        chunk_key_encoding=ChunkKeyEncoding("v2", doc["dimension_separator"]),
        filters=doc["filters"],
        compressor=doc["compressor"],
    )
    ours = meta.to_json()
    assert list(ours) == list(doc)  # same fields in the same order
    for name in doc:
        assert ours[name] == doc[name], name


def test_unknown_keys_are_ignored_and_optional_ones_default():
    doc = {"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "fill_value": 0,
           "order": "C", "extra": {"anything": 1}}
    meta = parse_array_metadata_v2(doc, None, ".zarray")
    assert meta.compressor is None and meta.filters is None
    assert meta.chunk_key_encoding.separator == "." and meta.attributes == {}
    assert "extra" not in meta.to_json()


def test_empty_filter_list_means_none():
    doc = _valid()
    doc["filters"] = []
    assert parse_array_metadata_v2(doc, {}, ".zarray").filters is None


def _valid() -> dict:
    return {"zarr_format": 2, "shape": [10, 10], "chunks": [5, 5], "dtype": "<f4",
            "fill_value": "NaN", "order": "C", "filters": None, "compressor": {"id": "zstd"},
            "dimension_separator": "."}


@pytest.mark.parametrize("field", ["zarr_format", "shape", "chunks", "dtype", "fill_value",
                                   "order"])
def test_missing_required_field(field):
    doc = _valid()
    del doc[field]
    with pytest.raises(MetadataError, match="required") as info:
        parse_array_metadata_v2(doc, None, "g/a/.zarray")
    assert "g/a/.zarray" in str(info.value) and repr(field) in str(info.value)


@pytest.mark.parametrize("field, value", [
    ("zarr_format", 3), ("zarr_format", "2"), ("zarr_format", True),
    ("shape", [10, -1]), ("shape", [10.0, 10]), ("shape", 10), ("shape", [2**62, 2**62]),
    ("shape", [10, None]),
    ("chunks", [5, 0]), ("chunks", [5, -5]), ("chunks", [5]), ("chunks", [5, 5, 5]),
    ("chunks", [5, "5"]), ("chunks", [2**40, 2**40]), ("chunks", None),
    ("dtype", "|O"), ("dtype", "<q9"), ("dtype", [["a", "<f4", [2]]]),
    ("fill_value", [1, 2]), ("fill_value", "0x7fc00000"), ("fill_value", True),
    ("order", "K"), ("order", None),
    ("compressor", "zstd"), ("compressor", {"level": 1}), ("compressor", {"id": 5}),
    ("filters", {"id": "delta"}), ("filters", [{"id": "delta"}, "shuffle"]),
    ("dimension_separator", "-"), ("dimension_separator", 1),
])
def test_malformed_field_is_named(field, value):
    doc = _valid()
    doc[field] = value
    with pytest.raises(MetadataError) as info:
        parse_array_metadata_v2(doc, None, "g/a/.zarray")
    assert "g/a/.zarray" in str(info.value) and field in str(info.value)


@pytest.mark.parametrize("doc", [None, [], "x", 3])
def test_document_must_be_an_object(doc):
    with pytest.raises(MetadataError, match="g/.zarray"):
        parse_array_metadata_v2(doc, None, "g/.zarray")


@pytest.mark.parametrize("zattrs", [[], "x", 3, {1: 2}])
def test_zattrs_must_be_an_object(zattrs):
    with pytest.raises(MetadataError, match="g/a/.zattrs"):
        parse_array_metadata_v2(_valid(), zattrs, "g/a/.zarray")


def test_zero_chunk_only_for_zero_length_dimension():
    doc = _valid()
    doc["shape"], doc["chunks"] = [0, 10], [0, 5]
    assert parse_array_metadata_v2(doc, None, ".zarray").grid_shape == (0, 2)
    doc["shape"] = [1, 10]
    with pytest.raises(MetadataError, match="chunks"):
        parse_array_metadata_v2(doc, None, ".zarray")


def test_parsing_does_not_alias_the_input():
    doc, attrs = _valid(), {"k": [1]}
    meta = parse_array_metadata_v2(doc, attrs, ".zarray")
    attrs["k"].append(2)
    doc["compressor"]["id"] = "gzip"
    assert meta.attributes == {"k": [1]} and meta.compressor == {"id": "zstd"}
    emitted = meta.to_json()
    emitted["compressor"]["level"] = 9
    assert meta.compressor == {"id": "zstd"}
    assert copy.deepcopy(meta) == meta
