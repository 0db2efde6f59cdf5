"""Rectilinear (irregular) chunk grids end to end: metadata, reads and writes against NumPy."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.errors import MetadataError
from zarrc.storage import MemoryStore
from zarrc.testing.strategies import basic_selections, orthogonal_selections, selections


def spec_example_doc():
    """The zarr-extensions example: five ways to write chunks of a (6, 6, 6, 6, 6) array."""
    return {
        "zarr_format": 3, "node_type": "array", "shape": [6, 6, 6, 6, 6], "data_type": "uint8",
        "chunk_grid": {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": [
            [[2, 3]], [[1, 6]], [1, [2, 1], 3], [[1, 3], 3], [6]]}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 7,
        "codecs": [{"name": "bytes"}], "attributes": {},
    }


def test_spec_example_parses_and_round_trips():
    store = MemoryStore({"zarr.json": json.dumps(spec_example_doc()).encode()})
    a = zarrc.open_array(store, mode="r+")
    assert a.chunks == ((2, 2, 2), (1,) * 6, (1, 2, 3), (1, 1, 1, 3), (6,))
    assert a.cdata_shape == (3, 6, 3, 4, 1)
    x = np.arange(6 ** 5, dtype="u1").reshape((6,) * 5)
    a[...] = x
    np.testing.assert_array_equal(zarrc.open_array(store, mode="r")[...], x)
    assert store.exists("c/2/5/2/3/0")  # the last chunk of every dimension


def test_written_metadata_is_run_length_encoded():
    a = zarrc.create_array(None, shape=(10, 7), dtype="i2", chunks=[[2, 2, 2, 4], 3])
    grid = a.metadata.to_dict()["chunk_grid"]
    assert grid == {"name": "rectilinear", "configuration": {
        "kind": "inline", "chunk_shapes": [[[2, 3], 4], 3]}}
    assert a.chunks == ((2, 2, 2, 4), (3, 3, 3))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_reads_and_writes_match_numpy(data):
    ndim = data.draw(st.integers(1, 3))
    edges = [data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)) for _ in range(ndim)]
    shape = tuple(sum(e) for e in edges)
    chunks = [e if data.draw(st.booleans()) or len(set(e)) > 1 else e[0] for e in edges]
    x = (np.arange(int(np.prod(shape)), dtype=np.int32) + 1).reshape(shape)
    a = zarrc.create_array(None, shape=shape, dtype="i4", chunks=chunks, fill_value=0)
    a[...] = x
    sel = data.draw(selections(shape) | basic_selections(shape), label="sel")
    try:
        expected = x[sel]
    except (IndexError, TypeError, ValueError):
        return
    np.testing.assert_array_equal(a[sel], expected)
    osel = data.draw(orthogonal_selections(shape), label="osel")
    a.oindex[osel] = -1
    ix = [np.arange(n)[s] if not isinstance(s, (int, np.integer)) else np.array([s])
          for s, n in zip(osel, shape)]
    ix = [np.flatnonzero(s) if isinstance(s, np.ndarray) and s.dtype == bool else i
          for s, i in zip(osel, ix)]
    x[np.ix_(*ix)] = -1
    np.testing.assert_array_equal(a[...], x)


def test_iter_chunks_and_blocks_follow_the_edges():
    x = np.arange(9 * 5).reshape(9, 5)
    a = zarrc.create_array(None, shape=x.shape, dtype=x.dtype, chunks=[[1, 3, 5], [4, 1]])
    a[...] = x
    regions = [r for r, _ in a.iter_chunks()]
    assert regions[:3] == [(slice(0, 1), slice(0, 4)), (slice(0, 1), slice(4, 5)),
                           (slice(1, 4), slice(0, 4))]
    np.testing.assert_array_equal(a.blocks[1, 0], x[1:4, 0:4])
    np.testing.assert_array_equal(a.blocks[1:, -1], x[1:9, 4:5])


def test_resize_within_the_edges_and_beyond():
    a = zarrc.create_array(None, shape=(6,), dtype="u1", chunks=[[2, 4]], fill_value=9)
    a[...] = np.arange(6)
    a.resize(3)
    a.resize(6)
    np.testing.assert_array_equal(a[...], [0, 1, 2, 9, 9, 9])
    with pytest.raises(MetadataError):
        a.resize(7)  # the edges cover 6 elements


@pytest.mark.parametrize("shapes, match", [
    ([[2, 2]], "cover"),
    ([[2, [0, 3]]], "edge lengths >= 1"),
    ([[2, [1, 2, 3]]], "run-length"),
    ([[2, "x"]], "run-length"),
    ([[[1, 10 ** 12]]], "edges"),
])
def test_bad_stored_grids_name_the_field(shapes, match):
    doc = {"zarr_format": 3, "node_type": "array", "shape": [6], "data_type": "uint8",
           "chunk_grid": {"name": "rectilinear",
                          "configuration": {"kind": "inline", "chunk_shapes": shapes}},
           "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
           "codecs": [{"name": "bytes"}], "attributes": {}}
    store = MemoryStore({"zarr.json": json.dumps(doc).encode()})
    with pytest.raises(MetadataError, match=match) as info:
        zarrc.open_array(store)
    assert "chunk_grid" in str(info.value)


@pytest.mark.parametrize("kwargs", [
    {"zarr_format": 2},
    {"shards": (4, 4)},
])
def test_rectilinear_needs_v3_and_no_shards(kwargs):
    with pytest.raises(ValueError):
        zarrc.create_array(None, shape=(6, 4), dtype="u1", chunks=[[2, 4], 4], **kwargs)


def test_v2_conversion_is_refused():
    a = zarrc.create_array(None, shape=(6,), dtype="u1", chunks=[[2, 4]])
    with pytest.raises(MetadataError, match="rectilinear"):
        zarrc.convert(a, None, zarr_format=2)


def test_v3_conversion_with_new_codecs_keeps_the_rectilinear_grid():
    # normalize_codecs was handed the per-dimension edge lengths as a chunk shape (TypeError);
    # like create_array, a rectilinear grid's codecs are checked when the copy's pipeline is built
    x = np.arange(70, dtype="i2").reshape(10, 7)
    a = zarrc.create_array(None, shape=x.shape, dtype=x.dtype, chunks=[[2, 2, 2, 4], 3])
    a[...] = x
    codecs = [{"name": "transpose", "configuration": {"order": [1, 0]}}, {"name": "bytes"},
              {"name": "zstd", "configuration": {"level": 3, "checksum": False}}]
    b = zarrc.convert(a, None, zarr_format=3, codecs=codecs)
    np.testing.assert_array_equal(b[...], x)
    assert b.metadata.chunk_grid == a.metadata.chunk_grid
    assert [c["name"] for c in b.metadata.to_dict()["codecs"]] == ["transpose", "bytes", "zstd"]
    with pytest.raises(MetadataError, match="codecs"):  # a transpose of the wrong rank
        zarrc.convert(a, None, zarr_format=3,
                      codecs=[{"name": "transpose", "configuration": {"order": [0]}}, "bytes"])
