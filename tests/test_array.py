"""Array behaviour end to end: storage of chunks, fill values, resize, attributes, info."""

import numpy as np
import pytest

import zarrc
from zarrc.errors import ReadOnlyError
from zarrc.storage import LocalStore, MemoryStore

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


def chunk_keys(store, prefix=""):
    meta = {"zarr.json", ".zarray", ".zattrs", ".zgroup"}
    return sorted(k for k in store.list_prefix(prefix) if k.rsplit("/", 1)[-1] not in meta)


@FORMATS
def test_round_trip_through_a_directory(tmp_path, zarr_format):
    x = np.random.default_rng(1).normal(size=(37, 23)).astype("f4")
    a = zarrc.create_array(str(tmp_path / "a.zarr"), shape=x.shape, dtype=x.dtype, chunks=(10, 7),
                           zarr_format=zarr_format)
    a[...] = x
    b = zarrc.open_array(str(tmp_path / "a.zarr"), mode="r")
    assert b.zarr_format == zarr_format
    assert (b.shape, b.chunks, b.dtype) == (x.shape, (10, 7), x.dtype)
    np.testing.assert_array_equal(b[...], x)
    assert b.nchunks == 4 * 4 and b.nchunks_initialized == 16


@FORMATS
def test_missing_chunks_read_as_fill_value(zarr_format):
    a = zarrc.create_array(None, shape=(10, 10), dtype="f8", chunks=(4, 4), fill_value=np.nan,
                           zarr_format=zarr_format)
    assert np.isnan(a[...]).all()
    a[0:4, 0:4] = 1.0
    out = a[...]
    assert (out[:4, :4] == 1).all() and np.isnan(out[4:, :]).all()
    assert a.nchunks_initialized == 1


@FORMATS
def test_chunks_equal_to_fill_are_not_stored(zarr_format):
    a = zarrc.create_array(None, shape=(8, 8), dtype="i4", chunks=(4, 4), fill_value=5,
                           zarr_format=zarr_format)
    a[...] = 5
    assert chunk_keys(a.store) == []
    a[0, 0] = 1
    assert len(chunk_keys(a.store)) == 1
    a[0, 0] = 5  # back to all-fill: the chunk is deleted
    assert chunk_keys(a.store) == []
    b = zarrc.create_array(None, shape=(8, 8), dtype="i4", chunks=(4, 4), fill_value=5,
                           zarr_format=zarr_format, write_empty_chunks=True)
    b[...] = 5
    assert len(chunk_keys(b.store)) == 4


def test_nan_fill_chunks_are_recognised_as_empty():
    a = zarrc.create_array(None, shape=(6,), dtype="f4", chunks=(3,), fill_value=np.nan)
    a[...] = np.nan
    assert chunk_keys(a.store) == []


@pytest.mark.parametrize("zarr_format, keys", [
    (3, ["c/0/0", "c/0/1", "c/1/0", "c/1/1"]),
    (2, ["0.0", "0.1", "1.0", "1.1"]),
])
def test_chunk_key_layout(zarr_format, keys):
    a = zarrc.create_array(None, shape=(4, 4), dtype="u1", chunks=(2, 2), zarr_format=zarr_format)
    a[...] = 1
    assert chunk_keys(a.store) == keys


@pytest.mark.parametrize("zarr_format, sep, key", [(2, "/", "1/0"), (3, ".", "c.1.0")])
def test_dimension_separator(zarr_format, sep, key):
    a = zarrc.create_array(None, shape=(4, 2), dtype="u1", chunks=(2, 2), zarr_format=zarr_format,
                           dimension_separator=sep)
    a[2:, :] = 1
    assert chunk_keys(a.store) == [key]
    np.testing.assert_array_equal(zarrc.open_array(a.store)[...], [[0, 0], [0, 0], [1, 1], [1, 1]])


def test_order_f_v2_round_trip():
    x = np.arange(60, dtype="<i8").reshape(6, 10)
    a = zarrc.array(x, chunks=(4, 4), zarr_format=2, order="F")
    assert a.order == "F" and a.metadata.to_dict()["order"] == "F"
    np.testing.assert_array_equal(zarrc.open_array(a.store)[...], x)


@FORMATS
def test_zero_dimensional_array(zarr_format):
    a = zarrc.create_array(None, shape=(), dtype="f8", zarr_format=zarr_format, fill_value=1.5)
    assert a[()] == 1.5
    a[()] = 3.0
    assert a[...] == 3.0 and a[...].shape == ()


@FORMATS
def test_resize_drops_data_outside_and_regrow_reads_fill(zarr_format):
    x = np.arange(100, dtype="i4").reshape(10, 10) + 1
    a = zarrc.array(x, chunks=(4, 4), zarr_format=zarr_format)
    a.resize((5, 6))
    assert a.shape == (5, 6)
    np.testing.assert_array_equal(a[...], x[:5, :6])
    a.resize(10, 10)
    expected = np.zeros_like(x)
    expected[:5, :6] = x[:5, :6]
    np.testing.assert_array_equal(a[...], expected)
    np.testing.assert_array_equal(zarrc.open_array(a.store)[...], expected)


def test_append_grows_along_axis():
    a = zarrc.array(np.ones((2, 3)), chunks=(2, 2))
    assert a.append(np.full((3, 3), 2.0)) == (5, 3)
    assert a.append(np.full((5, 1), 3.0), axis=1) == (5, 4)
    expected = np.block([[np.ones((2, 3))], [np.full((3, 3), 2.0)]])
    expected = np.hstack([expected, np.full((5, 1), 3.0)])
    np.testing.assert_array_equal(a[...], expected)
    with pytest.raises(ValueError):
        a.append(np.ones((2, 2)))


@FORMATS
def test_attributes_persist(tmp_path, zarr_format):
    path = str(tmp_path / "a.zarr")
    a = zarrc.create_array(path, shape=(3,), dtype="i1", zarr_format=zarr_format,
                           attributes={"units": "m"})
    a.attrs["scale"] = 2.5
    a.attrs.update({"list": [1, 2], "nested": {"a": None}})
    del a.attrs["units"]
    b = zarrc.open_array(path, mode="r")
    assert dict(b.attrs) == {"scale": 2.5, "list": [1, 2], "nested": {"a": None}}
    with pytest.raises(TypeError):
        a.attrs["bad"] = object()
    assert "bad" not in zarrc.open_array(path).attrs


def test_read_only_refuses_every_write(tmp_path):
    path = str(tmp_path / "a.zarr")
    zarrc.array(np.arange(6), store=path, chunks=(2,))
    files = sorted(p.name for p in (tmp_path / "a.zarr").rglob("*"))
    a = zarrc.open_array(path, mode="r")
    assert a.read_only
    for attempt in (lambda: a.__setitem__(0, 1), lambda: a.oindex.__setitem__([0], 1),
                    lambda: a.attrs.__setitem__("x", 1), lambda: a.resize(3),
                    lambda: a.append(np.ones(1))):
        with pytest.raises(ReadOnlyError):
            attempt()
    with pytest.raises(PermissionError):
        a[1] = 5
    assert sorted(p.name for p in (tmp_path / "a.zarr").rglob("*")) == files
    np.testing.assert_array_equal(zarrc.open_array(path)[...], np.arange(6))
    ro_store = LocalStore(path, read_only=True)
    with pytest.raises(ReadOnlyError):
        zarrc.open_array(ro_store, mode="r+")[0] = 1


def test_info_and_repr():
    a = zarrc.create_array(MemoryStore(), shape=(100, 50), dtype="f4", chunks=(10, 10),
                           attributes={"a": 1})
    a[:10, :10] = 1
    text = str(a.info_complete())
    for needle in ("Zarr format", "(100, 50)", "(10, 10)", "Float32", "Chunks Initialized : 1",
                   "MemoryStore"):
        assert needle in text
    assert repr(a).startswith("<Array memory://") and "shape=(100, 50)" in repr(a)


def test_properties():
    a = zarrc.create_array(None, shape=(7, 9), dtype="u2", chunks=(3, 4),
                           dimension_names=["y", "x"], fill_value=3)
    assert (a.ndim, a.size, a.nbytes, a.nchunks) == (2, 63, 126, 9)
    assert a.dimension_names == ("y", "x")
    assert a.fill_value == 3 and a.metadata.to_dict()["fill_value"] == 3
    assert a.path == "" and a.name == "/"


def test_iter_chunks_covers_the_array():
    x = np.arange(35).reshape(5, 7)
    a = zarrc.array(x, chunks=(2, 3))
    out = np.zeros_like(x)
    for region, block in a.iter_chunks():
        out[region] = block
    np.testing.assert_array_equal(out, x)


def test_concurrent_writes_to_disjoint_chunks(tmp_path):
    import threading

    a = zarrc.create_array(str(tmp_path / "t.zarr"), shape=(64, 64), dtype="i4", chunks=(8, 8))

    def work(i):
        a[i * 8:(i + 1) * 8, :] = i + 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = np.repeat(np.arange(1, 9), 8)[:, None] * np.ones((1, 64), dtype="i4")
    np.testing.assert_array_equal(zarrc.open_array(str(tmp_path / "t.zarr"))[...], expected)
