"""User guide, "Working with arrays": each behaviour once, printed output checked against
zarr-python and values against NumPy."""

from __future__ import annotations

import lzma
import pickle

import numpy as np
import pytest

import zarrc


def test_memory_array_prints_like_zarr_python(same_output):
    def example(z):
        a = z.create_array(store=z.storage.MemoryStore(), shape=(300, 40), chunks=(30, 8),
                           dtype="uint16")
        print(a)
        print(a.shape, a.chunks, a.dtype, a.nchunks)

    assert "<Array memory://" in same_output(example)


def test_writes_and_reads_follow_numpy():
    a = zarrc.create_array(store={}, shape=(50, 70), chunks=(16, 16), dtype="int32")
    x = np.full((50, 70), 7, dtype="int32")
    a[:] = 7
    a[2, :] = np.arange(70)
    x[2, :] = np.arange(70)
    a[:, 3] = -np.arange(50)
    x[:, 3] = -np.arange(50)
    np.testing.assert_array_equal(a[:], x)
    assert a[2, 5] == 5 and a[-1, -1] == 7
    np.testing.assert_array_equal(a[:, 3], x[:, 3])


def test_printing_a_large_selection_matches(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(2000, 30), chunks=(500, 30), dtype="int64")
        a[:] = 3
        a[:, 0] = np.arange(2000)
        print(a[:])
        print(a[-1, -1], a[0, :5])

    same_output(example)


def test_persistent_array_reopens_with_the_same_data(tmp_path):
    path = str(tmp_path / "p.zarr")
    a = zarrc.create_array(store=path, shape=(40, 30), chunks=(10, 10), dtype="float32")
    a[:] = 1.5
    a[5, :] = np.arange(30)
    b = zarrc.open_array(path, mode="r")
    np.testing.assert_array_equal(a[:], b[:])
    assert b.read_only and b[5, 29] == 29


def test_save_and_load_round_trip(same_output):
    def example(z):
        z.save("saved.zarr", np.arange(12).reshape(3, 4) * 2)
        print(z.load("saved.zarr"))

    same_output(example)


def test_resize_and_append_report_the_new_shapes(same_output):
    def example(z):
        a = z.create_array(store="r.zarr", shape=(60, 20), chunks=(20, 10), dtype="int16")
        a[:] = 1
        a.resize((90, 20))
        print(a.shape, a[70:, :].max())
        print(a.append(np.full((10, 20), 2, dtype="int16")), a.shape)
        print(a.append(np.zeros((100, 5), dtype="int16"), axis=1), a[0, -5:])

    same_output(example)


def test_array_config_at_creation_and_with_config(same_output):
    def example(z):
        a = z.create_array({}, shape=(6,), dtype="uint8", config={"write_empty_chunks": True})
        print(a.config)
        b = a.with_config({"order": "F"})
        print(b.config, a.config)

    same_output(example)
    a = zarrc.create_array({}, shape=(4, 6), chunks=(2, 3), dtype="u1",
                           config={"write_empty_chunks": True})
    a[:] = 0  # equal to the fill value, but stored as asked
    assert a.nchunks_initialized == 4
    f = a.with_config({"order": "F"})
    assert f[:].flags.f_contiguous and f == a


def test_blosc_with_enums_shows_its_settings_and_storage(same_output):
    def example(z):
        # lz4 inside blosc: both libraries' c-blosc builds give the same bytes (their zstd
        # versions differ, so blosc-zstd sizes may not)
        comp = z.codecs.BloscCodec(cname=z.codecs.BloscCname.lz4, clevel=4,
                                   shuffle=z.codecs.BloscShuffle.bitshuffle)
        data = np.arange(600 * 400, dtype="int32").reshape(600, 400)
        a = z.create_array(store="b.zarr", shape=data.shape, dtype=data.dtype, chunks=(200, 200),
                           compressors=comp)
        a[:] = data
        print(a.compressors)
        print(a.info)
        print(a.info_complete())

    out = same_output(example)
    assert "No. bytes stored" in out and "Chunks Initialized : 6" in out


def test_no_compression_and_gzip(same_output):
    def example(z):
        a = z.create_array(store="n.zarr", shape=(1000,), chunks=(100,), dtype="int32",
                           compressors=None)
        print(a.compressors, a.serializer, a.filters)
        g = z.create_array(store="g.zarr", shape=(50, 50), chunks=(25, 25), dtype="int32",
                           compressors=z.codecs.GzipCodec(level=2))
        g[:] = np.arange(2500).reshape(50, 50)
        print(g.compressors, g.nbytes_stored())

    same_output(example)


def test_numcodecs_lzma_and_delta_filters(same_output):
    def lzma_example(z):
        lzma_cls = z.codecs.numcodecs.LZMA
        delta_cls = z.codecs.numcodecs.Delta
        comp = lzma_cls(filters=[dict(id=lzma.FILTER_DELTA, dist=2),
                                 dict(id=lzma.FILTER_LZMA2, preset=2)])
        a = z.create_array(store="l.zarr", shape=(80, 80), chunks=(40, 40), dtype="int32",
                           compressors=comp, filters=[delta_cls(dtype="int32")])
        a[:] = np.arange(6400).reshape(80, 80)
        print(a.compressors)
        print(a.filters)
        print(a.info_complete())

    same_output(lzma_example)
    a = zarrc.open_array(zarrc.storage.MemoryStore(), mode="w", shape=(5,), dtype="i4",
                         filters=[zarrc.codecs.numcodecs.Delta(dtype="int32")])
    a[:] = [1, 2, 4, 8, 16]
    np.testing.assert_array_equal(a[:], [1, 2, 4, 8, 16])


def test_coordinate_and_vindex_selection(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(4, 6), dtype="int32", chunks=(2, 2))
        a[:] = np.arange(24).reshape(4, 6)
        print(a.get_coordinate_selection(([0, 3], [5, 1])))
        a.set_coordinate_selection(([1, 2], [2, 2]), [-7, -8])
        print(a.vindex[[1, 2], [2, 2]])
        a.vindex[[3], [0]] = [99]
        print(a[:])
        print(a[[0, 3], [1, 4]], a[2, [0, 5]])

    same_output(example)


def test_mask_selection(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(3, 4), dtype="int64", chunks=(2, 2))
        a[:] = np.arange(12).reshape(3, 4) ** 2
        mask = np.zeros((3, 4), dtype=bool)
        mask[0, 3] = mask[2, 1] = True
        print(a.get_mask_selection(mask), a.vindex[mask])
        a.set_mask_selection(mask, [-1, -2])
        a.vindex[mask] = [a.vindex[mask][0] * 10, 5]
        print(a[:])

    same_output(example)


def test_orthogonal_selection(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(4, 5), dtype="int32", chunks=(3, 3))
        a[:] = np.arange(20).reshape(4, 5)
        print(a.get_orthogonal_selection(([1, 3], slice(None))))
        print(a.oindex[:, [0, 4]], a.oindex[[0, 2], [1, 3]])
        a.set_orthogonal_selection(([0, 3], [0, 4]), [[-1, -2], [-3, -4]])
        a.oindex[[1], [1, 2]] = [[50, 60]]
        print(a[:], np.all(a.oindex[[0, 2], :] == a[[0, 2], :]))

    same_output(example)


def test_block_selection(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(7, 8), dtype="int32", chunks=(3, 3))
        a[:] = np.arange(56).reshape(7, 8)
        print(a.get_block_selection(2), a.blocks[1, 1:3])
        a.set_block_selection((0, 2), -1)
        a.blocks[2, :] = 9
        print(a[...])

    same_output(example)


def test_group_tree_of_two_arrays(same_output):
    def example(z):
        root = z.create_group("t.zarr")
        root.create_array(name="b", shape=(10, 3), dtype="float64")
        root.create_array(name="a", shape=(7,), dtype="uint8")
        print(root.tree())

    same_output(example)


def test_sharded_array_info(same_output):
    def example(z):
        a = z.create_array("s.zarr", shape=(400, 300), shards=(200, 150), chunks=(50, 50),
                           dtype="uint8")
        a[:] = (np.arange(400 * 300) % 251).astype("uint8").reshape(400, 300)
        print(a.shards, a.chunks)
        print(a.info_complete())

    assert "Shards Initialized : 4" in same_output(example)


def test_equality_and_pickle(tmp_path):
    path = str(tmp_path / "e.zarr")
    a = zarrc.create_array(path, shape=(100,), chunks=(30,), dtype="i8")
    a[:] = np.arange(100)
    b = pickle.loads(pickle.dumps(a))
    assert a == b and a == zarrc.open_array(path, mode="r+")
    assert a != zarrc.create_array({}, shape=(100,), chunks=(30,), dtype="i8")
    np.testing.assert_array_equal(b[:], np.arange(100))


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_update_attributes_returns_the_array(zarr_format):
    a = zarrc.create_array({}, shape=(2,), dtype="i1", zarr_format=zarr_format,
                           attributes={"x": 1})
    assert a.update_attributes({"y": [2]}) is a
    assert dict(zarrc.open_array(a.store, mode="r").attrs) == {"x": 1, "y": [2]}
