"""v3 array ``zarr.json``: parse what zarr-python 3 writes, emit it back byte for byte, and
reject malformed documents (spec "Array metadata", "Extension definition") naming the field."""

from __future__ import annotations

import json

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
    parse_array_metadata_v3,
    parse_codecs,
)

zarr = pytest.importorskip("zarr")

CASES = [
    dict(shape=(10, 4), chunks=(5, 2), dtype="<f4", fill_value=np.nan,
         dimension_names=["y", None], attributes={"u": 1}),
    dict(shape=(10, 6), chunks=(4, 3), dtype=">i2", compressors=None,
         chunk_key_encoding={"name": "v2", "separator": "."}, dimension_names=["x", "y"]),
    dict(shape=(10, 6), chunks=(4, 3), dtype="<u4", shards=(8, 6)),
    dict(shape=(), chunks=(), dtype="|b1", fill_value=True),
    dict(shape=(0, 7), chunks=(3, 3), dtype="<c8", fill_value=complex(-np.inf, 2.5),
         chunk_key_encoding={"name": "default", "separator": "."}),
    dict(shape=(9,), chunks=(4,), dtype="<f2", fill_value=-np.inf),
    dict(shape=(9,), chunks=(4,), dtype="<u8", fill_value=2**64 - 1),
    dict(shape=(9,), chunks=(4,), dtype="<f8", fill_value=0.1, attributes={"n": float("nan")}),
]
IDS = [f"{c['dtype']}-{i}" for i, c in enumerate(CASES)]


def _filters(kwargs):
    if kwargs.get("dtype") == ">i2":  # exercise an array -> array codec as well
        return dict(kwargs, filters=[zarr.codecs.TransposeCodec(order=(1, 0))])
    return kwargs


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_parse_matches_zarr_python(zarr_python_array, kwargs):
    arr, docs, _ = zarr_python_array(zarr_format=3, **_filters(kwargs))
    doc = docs["zarr.json"]
    meta = parse_array_metadata_v3(doc, "a/zarr.json")
    assert meta.zarr_format == 3 and meta.order == "C"
    assert meta.shape == arr.shape
    assert meta.chunk_grid.chunk_shape == tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
    # zarr-python keeps the requested byte order in memory; v3 metadata has none
    assert meta.dtype == arr.dtype.newbyteorder("=") and meta.dtype.isnative
    expected = np.array(arr.fill_value, dtype=meta.dtype).tobytes()
    assert np.array(meta.fill_value, dtype=meta.dtype).tobytes() == expected
    enc = arr.metadata.chunk_key_encoding
    assert meta.chunk_key_encoding == ChunkKeyEncoding(enc.name, enc.separator)
    assert meta.chunk_key((1,) * meta.ndim) == enc.encode_chunk_key((1,) * meta.ndim)
    assert meta.codecs == tuple(doc["codecs"])
    assert meta.dimension_names == arr.metadata.dimension_names
    assert json.dumps(meta.attributes) == json.dumps(dict(arr.attrs))
    assert meta.filters is None and meta.compressor is None and meta.extra_fields == {}


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_emit_is_byte_identical_to_zarr_python(zarr_python_array, kwargs):
    _, docs, raw = zarr_python_array(zarr_format=3, **_filters(kwargs))
    meta = parse_array_metadata_v3(docs["zarr.json"], "zarr.json")
    assert json.dumps(meta.to_json()) == json.dumps(json.loads(raw["zarr.json"]))
    assert dump_json(meta.to_json()) == raw["zarr.json"]
    assert list(meta.to_documents()) == ["zarr.json"]


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_built_from_user_input_matches_zarr_python_field_by_field(zarr_python_array, kwargs):
    arr, docs, _ = zarr_python_array(zarr_format=3, **_filters(kwargs))
    doc = docs["zarr.json"]
    dtype = normalize_dtype(kwargs["dtype"], 3)
    enc = kwargs.get("chunk_key_encoding", {"name": "default", "separator": "/"})
    meta = ArrayMetadata(
        zarr_format=3,
        shape=kwargs["shape"],
        chunk_grid=RegularChunkGrid(kwargs.get("shards") or kwargs["chunks"]),
        dtype=dtype,
        fill_value=normalize_fill_value(kwargs.get("fill_value"), dtype, 3),
        chunk_key_encoding=ChunkKeyEncoding(enc["name"], enc["separator"]),
        codecs=doc["codecs"],  # codec choice is the codec layer's; carried as configuration
        dimension_names=kwargs.get("dimension_names"),
        attributes=kwargs.get("attributes", {}),
    )
    ours = json.loads(dump_json(meta.to_json()))
    assert list(ours) == list(doc)
    for name in doc:
        assert json.dumps(ours[name]) == json.dumps(doc[name]), name


def _valid() -> dict:
    return {
        "zarr_format": 3, "node_type": "array", "shape": [10, 10], "data_type": "float64",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5, 5]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": "NaN", "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    }


def test_spec_example_parses():
    doc = _valid()
    doc.update(dimension_names=["rows", "columns"], attributes={"foo": 42, "baz": [1, 2]})
    meta = parse_array_metadata_v3(doc, "zarr.json")
    assert meta.grid_shape == (2, 2) and meta.nchunks == 4 and meta.size == 100
    assert np.isnan(meta.fill_value) and meta.dtype == np.float64
    assert meta.chunk_key((1, 0)) == "c/1/0"


def test_short_hand_forms_are_normalised():
    doc = _valid()
    doc.update(codecs=["bytes", {"name": "crc32c"}], chunk_key_encoding="default",
               data_type={"name": "int16"}, fill_value=3)
    meta = parse_array_metadata_v3(doc, "zarr.json")
    assert meta.codecs == ({"name": "bytes"}, {"name": "crc32c"})
    assert meta.dtype == np.int16 and meta.fill_value == 3
    out = meta.to_json()
    assert out["codecs"] == [{"name": "bytes"}, {"name": "crc32c"}]
    assert out["data_type"] == "int16"
    assert out["chunk_key_encoding"] == {"name": "default", "configuration": {"separator": "/"}}


def test_must_understand_false_fields_are_kept_and_round_trip():
    doc = _valid()
    doc["my_ext"] = {"must_understand": False, "value": [1, 2]}
    meta = parse_array_metadata_v3(doc, "zarr.json")
    assert meta.extra_fields == {"my_ext": {"must_understand": False, "value": [1, 2]}}
    assert meta.to_json()["my_ext"] == doc["my_ext"]
    assert parse_array_metadata_v3(meta.to_json(), "zarr.json") == meta


def test_zarr_python_also_accepts_our_output_with_extensions():
    doc = _valid()
    doc["my_ext"] = {"must_understand": False}
    ours = parse_array_metadata_v3(doc, "zarr.json").to_json()
    from zarr.core.metadata.v3 import ArrayV3Metadata

    theirs = ArrayV3Metadata.from_dict(json.loads(dump_json(ours)))
    assert theirs.to_dict()["my_ext"] == {"must_understand": False}


@pytest.mark.parametrize("name, value", [
    ("my_ext", {"must_understand": True}),
    ("my_ext", {"value": 1}),
    ("my_ext", 5),
    ("my_ext", {"must_understand": "false"}),
    ("dtype", "<f8"),  # a v2 field name in a v3 document
])
def test_unknown_fields_must_be_must_understand_false(name, value):
    doc = _valid()
    doc[name] = value
    with pytest.raises(MetadataError, match="unknown field") as info:
        parse_array_metadata_v3(doc, "g/a/zarr.json")
    assert "g/a/zarr.json" in str(info.value) and repr(name) in str(info.value)


@pytest.mark.parametrize("field", ["zarr_format", "node_type", "shape", "data_type",
                                   "chunk_grid", "chunk_key_encoding", "fill_value", "codecs"])
def test_missing_required_field(field):
    doc = _valid()
    del doc[field]
    with pytest.raises(MetadataError, match="required") as info:
        parse_array_metadata_v3(doc, "g/a/zarr.json")
    assert "g/a/zarr.json" in str(info.value) and repr(field) in str(info.value)


@pytest.mark.parametrize("field, value", [
    ("zarr_format", 2), ("zarr_format", "3"), ("node_type", "group"), ("node_type", "arr"),
    ("shape", [10, -1]), ("shape", [10, 1.5]), ("shape", [2**62, 8]), ("shape", {"a": 1}),
    ("data_type", "<f8"), ("data_type", "struct"), ("data_type", None),
    ("chunk_grid", {"name": "regular", "configuration": {"chunk_shape": [0, 5]}}),
    ("chunk_grid", {"name": "regular", "configuration": {"chunk_shape": [5]}}),
    ("chunk_grid", {"name": "rectilinear", "configuration": {}}),
    ("chunk_key_encoding", {"name": "default", "configuration": {"separator": "|"}}),
    ("chunk_key_encoding", {"name": "v3"}),
    ("chunk_key_encoding", {"name": "default", "must_understand": False}),
    ("fill_value", None), ("fill_value", "nan"), ("fill_value", [1, 2]),
    ("codecs", []), ("codecs", {"name": "bytes"}), ("codecs", [{"configuration": {}}]),
    ("codecs", [{"name": "bytes", "configuration": []}]), ("codecs", [5]),
    ("codecs", [{"name": "bytes", "extra": 1}]),
    ("storage_transformers", [{"name": "sharding"}]), ("storage_transformers", {}),
    ("dimension_names", ["x"]), ("dimension_names", ["x", 5]), ("dimension_names", "xy"),
    ("attributes", [1, 2]), ("attributes", "a"),
])
def test_malformed_field_is_named(field, value):
    doc = _valid()
    doc[field] = value
    with pytest.raises(MetadataError) as info:
        parse_array_metadata_v3(doc, "g/a/zarr.json")
    assert "g/a/zarr.json" in str(info.value) and field in str(info.value)


def test_optional_fields_may_be_null_or_absent():
    doc = _valid()
    doc.update(attributes=None, dimension_names=None, storage_transformers=[])
    meta = parse_array_metadata_v3(doc, "zarr.json")
    assert meta.attributes == {} and meta.dimension_names is None
    assert "dimension_names" not in meta.to_json()


def test_codec_must_understand_is_kept():
    codecs = parse_codecs([{"name": "bytes"}, {"name": "x", "must_understand": False}], "k")
    assert codecs[1] == {"name": "x", "must_understand": False}
    with pytest.raises(MetadataError, match=r"codecs\[0\].must_understand"):
        parse_codecs([{"name": "x", "must_understand": "no"}], "k")
