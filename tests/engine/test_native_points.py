"""The native point reads (zarrc.engine.native.points) against the reference and NumPy."""

import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_arrays import CODECS, expected_of, make_array

import zarrc
from zarrc import config
from zarrc._ext import chunkio, chunkpoints
from zarrc.errors import CodecError
from zarrc.storage import LocalStore, MemoryStore
from zarrc.testing.engine import io_kinds, reopened
from zarrc.testing.strategies import basic_selections, chunks_for


def python_vindex(a, points):
    return reopened(a, "reference").vindex[points]


@st.composite
def cases(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=ndim, max_size=ndim)))
    chunks = draw(chunks_for(shape))
    zarr_format = draw(st.sampled_from([2, 3]))
    dtype = draw(st.sampled_from(["u1", "<i2", "f8", "c16"] + ([">u4"] if zarr_format == 2 else [])))
    codec = draw(st.sampled_from(sorted(CODECS)))
    separator = draw(st.sampled_from([None, "/", "."]))
    order = draw(st.sampled_from(["C", "F"]))
    written = draw(st.none() | basic_selections(shape))
    npoints = draw(st.integers(1, 40))
    points_shape = draw(st.sampled_from([(npoints,), (1, npoints), (npoints, 1)]))
    threads = draw(st.sampled_from([1, 2, 4]))
    drop = draw(st.booleans())
    memory = draw(st.booleans())  # the same chunks fetched from a store without files
    seed = draw(st.integers(0, 2**16))
    return (shape, chunks, zarr_format, dtype, codec, separator, order, written, points_shape,
            threads, drop, memory, seed)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_points_equal_reference_and_numpy(case):
    (shape, chunks, zarr_format, dtype, codec, separator, order, written, points_shape, threads,
     drop, memory, seed) = case
    rng = np.random.default_rng(seed)
    data = (rng.integers(1, 9, size=shape)).astype(dtype)
    points = tuple(rng.integers(-n, n, size=points_shape) for n in shape)  # negatives too
    with tempfile.TemporaryDirectory() as root, config.override(threads=threads):
        a = make_array(root, data, chunks, codec=codec, zarr_format=zarr_format,
                       separator=separator, order=order, fill_value=3, written=written)
        if drop:  # some chunk files go missing (read as the fill value)
            keys = LocalStore(root).list_prefix("a/")
            for k in [k for k in keys if not k.endswith(("zarr.json", ".zarray"))][::3]:
                os.unlink(os.path.join(root, k))
        if memory:
            local = LocalStore(root)
            a = zarrc.open_array(MemoryStore({k: local.get(k) for k in local.list_prefix("")}),
                                 path="a")
        assert io_kinds(a)[1] == "native"
        got = a.vindex[points]
        expected = python_vindex(a, points)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        if not drop:
            np.testing.assert_array_equal(got, expected_of(data, 3, written)[points])


def test_many_points_many_threads(tmp_path):
    rng = np.random.default_rng(5)
    data = rng.normal(size=(300, 200)).astype("f4")
    a = make_array(str(tmp_path), data, (32, 24), codec="blosc")
    points = (rng.integers(0, 300, 20_000), rng.integers(0, 200, 20_000))
    assert io_kinds(a)[1] == "native"
    for threads in (1, 2, 3):
        with config.override(threads=threads):
            np.testing.assert_array_equal(a.vindex[points], data[points])


def test_corrupt_chunk_is_a_codec_error_naming_the_key(tmp_path):
    data = np.arange(64, dtype="i4").reshape(8, 8)
    a = make_array(str(tmp_path), data, (4, 4), codec="zstd")
    with open(tmp_path / "a" / "c" / "1" / "0", "wb") as f:
        f.write(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(CodecError, match="c/1/0"):
        a.vindex[[0, 5], [1, 2]]
    np.testing.assert_array_equal(a.vindex[[0, 2], [1, 7]], data[[0, 2], [1, 7]])


def test_arrays_the_c_loop_does_not_read_take_the_reference(tmp_path):
    data = np.arange(64, dtype="i4").reshape(8, 8)
    a = make_array(str(tmp_path), data, (4, 4), codec="gzip")
    assert io_kinds(a)[1] == "native"
    np.testing.assert_array_equal(a.vindex[[1, 6], [2, 7]], data[[1, 6], [2, 7]])
    strings = zarrc.create_array(LocalStore(str(tmp_path)), name="s", shape=(2,), chunks=(1,),
                                 dtype=str)
    strings[...] = ["a", "bc"]
    assert io_kinds(strings)[1] == "reference"
    assert list(strings.vindex[[1, 0]]) == ["bc", "a"]


@pytest.mark.parametrize("local", [True, False])
def test_points_of_a_sharded_array(tmp_path, local):
    rng = np.random.default_rng(8)
    data = rng.integers(0, 1000, size=(50, 37)).astype("<i4")
    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    a = zarrc.create_array(store, name="a", shape=data.shape, dtype=data.dtype, chunks=(4, 5),
                           shards=(12, 15), compressors=[{"name": "zstd"}], fill_value=-1)
    a[:40, 3:] = data[:40, 3:]
    expected = np.full_like(data, -1)
    expected[:40, 3:] = data[:40, 3:]
    store.delete("a/c/0/2")  # a missing shard
    expected[:12, 30:] = -1
    points = (rng.integers(0, 50, 500), rng.integers(0, 37, 500))
    assert io_kinds(a)[1] == "native"
    np.testing.assert_array_equal(a.vindex[points], expected[points])
    np.testing.assert_array_equal(python_vindex(a, points), expected[points])


def test_point_read_checks_groups_and_points(tmp_path):
    out = np.zeros(2, "u1")
    dec = chunkio.Decompressor()
    rbuf, dbuf = np.empty(64, "u1"), np.empty(16, "u1")

    def read(coords, items, positions):
        return chunkpoints.PointRead(os.fsencode(str(tmp_path)) + b"/", "default", "/", (4, 4),
                                 (8, 8), 1, None, "C", np.array(coords, np.int64).reshape(-1, 2),
                                 np.array([0, len(items)], np.int64),
                                 np.array(items, np.int64), np.array(positions, np.int64), out,
                                 b"\x07")

    assert read([[1, 1]], [0, 15], [0, 1]).run(dec, rbuf, dbuf, 0, 1)[0] == 1  # missing: fill
    assert out.tolist() == [7, 7]
    for coords, items, positions in [([[2, 0]], [0], [0]), ([[0, 0]], [16], [0]),
                                     ([[0, 0]], [0], [2]), ([[0, -1]], [0], [0])]:
        with pytest.raises(ValueError):
            read(coords, items, positions).run(dec, rbuf, dbuf, 0, 1)
    with pytest.raises(ValueError, match="dbuf"):
        read([[0, 0]], [0], [0]).run(dec, rbuf, np.empty(15, "u1"), 0, 1)
    # the same points from buffers: a missing chunk (None), a chunk, one of the wrong size
    assert read([[1, 1]], [0, 15], [0, 1]).run_buffers(dec, [None], dbuf, 0, 1) == (1, -1)
    assert out.tolist() == [7, 7]
    chunk = bytes(range(16))
    assert read([[0, 1]], [3, 12], [1, 0]).run_buffers(dec, [chunk], dbuf, 0, 1) == (1, -1)
    assert out.tolist() == [12, 3]
    assert read([[0, 1]], [0], [0]).run_buffers(dec, [chunk[:-1]], dbuf, 0, 1) == \
        (chunkio.E_DATA, 0)
    with pytest.raises(ValueError, match="buffers"):
        read([[0, 1]], [0], [0]).run_buffers(dec, [], dbuf, 0, 1)
