"""ArrayMetadata as a value: construction checks, canonicalisation, evolve, equality."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from zarrc.errors import MetadataError
from zarrc.metadata import (
    ArrayMetadata,
    ChunkKeyEncoding,
    RegularChunkGrid,
    parse_array_metadata_v2,
    parse_array_metadata_v3,
)

BYTES = ({"name": "bytes", "configuration": {"endian": "little"}},)


def v3(**kw) -> ArrayMetadata:
    args = dict(zarr_format=3, shape=(10, 10), chunk_grid=RegularChunkGrid((4, 4)),
                dtype=np.dtype("f8"), fill_value=0.0, codecs=BYTES)
    args.update(kw)
    return ArrayMetadata(**args)


def v2(**kw) -> ArrayMetadata:
    args = dict(zarr_format=2, shape=(10, 10), chunk_grid=RegularChunkGrid((4, 4)),
                dtype=np.dtype(">i4"), fill_value=None, compressor={"id": "zstd", "level": 1})
    args.update(kw)
    return ArrayMetadata(**args)


def test_defaults_per_format():
    m3, m2 = v3(), v2()
    assert m3.chunk_key_encoding == ChunkKeyEncoding("default", "/") and m3.order == "C"
    assert m2.chunk_key_encoding == ChunkKeyEncoding("v2", ".") and m2.codecs == ()
    assert m2.chunk_key((1, 2)) == "1.2" and m3.chunk_key((1, 2)) == "c/1/2"
    assert m3.chunks == (4, 4) and m3.ndim == 2 and m3.grid_shape == (3, 3)
    assert m2.fill_value is None


def test_python_values_are_canonicalised():
    m = v3(shape=[np.int64(10), 10], chunk_grid=(4, 4), fill_value=1, codecs=list(BYTES))
    assert m.shape == (10, 10) and isinstance(m.chunk_grid, RegularChunkGrid)
    assert isinstance(m.fill_value, np.float64) and m.fill_value == 1
    assert isinstance(m.codecs, tuple)
    assert v2(filters=[]).filters is None


@pytest.mark.parametrize("kw, field", [
    (dict(zarr_format=4), "zarr_format"),
    (dict(shape=(10, -1)), "shape"),
    (dict(shape=(2**40, 2**40)), "shape"),
    (dict(chunk_grid=RegularChunkGrid((4,))), "chunks"),
    (dict(chunk_grid=RegularChunkGrid((4, 0))), "chunks"),
    (dict(chunk_grid=RegularChunkGrid((2**40, 2**40))), "chunks"),
    (dict(dtype=np.dtype(">f8")), "data_type"),
    (dict(dtype=np.dtype("M8"), fill_value=np.datetime64("NaT")), "data_type"),
    (dict(fill_value=None), "fill_value"),
    (dict(fill_value="abc"), "fill_value"),
    (dict(order="F"), "order"),
    (dict(codecs=()), "codecs"),
    (dict(compressor={"id": "zstd"}), "codecs"),
    (dict(dimension_names=("x",)), "dimension_names"),
    (dict(dimension_names=("x", 3)), "dimension_names"),
    (dict(storage_transformers=({"name": "x"},)), "storage_transformers"),
])
def test_v3_invalid_combinations(kw, field):
    with pytest.raises(MetadataError, match=field):
        v3(**kw)


@pytest.mark.parametrize("kw, field", [
    (dict(codecs=BYTES), "codecs"),
    (dict(order="K"), "order"),
    (dict(chunk_key_encoding=ChunkKeyEncoding("default")), "dimension_separator"),
    (dict(dimension_names=("x", "y")), "dimension_names"),
    (dict(extra_fields={"a": {"must_understand": False}}), "extra_fields"),
    (dict(dtype=np.dtype("O")), "filters"),  # |O needs its object codec
])
def test_v2_invalid_combinations(kw, field):
    with pytest.raises(MetadataError, match=field):
        v2(**kw)


def test_evolve_revalidates_and_keeps_the_rest():
    m = v3(attributes={"a": 1}, dimension_names=("x", "y"))
    bigger = m.evolve(shape=(20, 30))
    assert bigger.shape == (20, 30) and bigger.grid_shape == (5, 8)
    assert bigger.attributes == {"a": 1} and bigger.dimension_names == ("x", "y")
    assert m.shape == (10, 10)
    with pytest.raises(MetadataError, match="shape"):
        m.evolve(shape=(-1, 5))
    with pytest.raises(MetadataError, match="chunks"):
        m.evolve(shape=(10,))


def test_with_attributes_copies():
    attrs = {"k": 1}
    m = v2().with_attributes(attrs)
    attrs["k"] = 2
    assert m.attributes == {"k": 1}
    assert m.to_documents()[".zattrs"] == {"k": 1}
    assert "attributes" not in m.to_json()


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        v3().shape = (1, 1)


def test_equality_by_documents_treats_nan_fill_values_alike():
    a, b = v3(fill_value=np.nan), v3(fill_value=float("nan"))
    assert a == b and a != v3(fill_value=1.0)
    assert v2() != v2(dtype=np.dtype("<i4"))  # byte order is part of a v2 document
    assert v2() != v3() and v3() != "x"
    with pytest.raises(TypeError):
        hash(a)


def test_round_trip_through_documents():
    for m in (v3(dimension_names=("x", None), attributes={"a": [1]}), v2(order="F")):
        docs = m.to_documents()
        if m.zarr_format == 3:
            assert parse_array_metadata_v3(docs["zarr.json"]) == m
        else:
            assert parse_array_metadata_v2(docs[".zarray"], docs[".zattrs"]) == m


def test_zero_length_dimension_with_zero_chunk():
    m = v2(shape=(0, 10), chunk_grid=RegularChunkGrid((0, 4)))
    assert m.grid_shape == (0, 3) and m.nchunks == 0
