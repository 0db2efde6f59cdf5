"""The native box reads (zarrc.engine.native) against the reference implementation and NumPy."""

import os
import struct
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_arrays import (
    CODECS,
    assert_native_reads,
    box_read,
    expected_of,
    make_array,
    native_and_reference,
)

import zarrc
from zarrc import config
from zarrc._ext import chunkio
from zarrc.codecs import BytesBytesCodec, register_codec
from zarrc.codecs.base import NativeSpec
from zarrc.errors import CodecError
from zarrc.indexing import normalize_orthogonal_selection, normalize_selection, plan_box
from zarrc.storage import LocalStore, MemoryStore
from zarrc.storage.base import ReadOnlyView
from zarrc.testing.engine import engine, io_kinds, reopened
from zarrc.testing.strategies import basic_selections, chunks_for, shapes


@st.composite
def cases(draw):
    shape = draw(shapes(max_dims=3, max_side=8))
    chunks = draw(chunks_for(shape))
    zarr_format = draw(st.sampled_from([2, 3]))
    dtype = draw(st.sampled_from(["u1", "<i2", "f8"] + ([">u4"] if zarr_format == 2 else [])))
    codec = draw(st.sampled_from(sorted(CODECS)))
    separator = draw(st.sampled_from([None, "/", "."]))
    order = draw(st.sampled_from(["C", "F"]))  # v2: the stored order; v3: memory order only
    fill_value = draw(st.sampled_from([0, 3]))
    written = draw(st.none() | basic_selections(shape)) if shape else None
    selection = draw(basic_selections(shape))
    threads = draw(st.sampled_from([1, 2, 4]))
    drop = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return shape, chunks, zarr_format, dtype, codec, separator, order, fill_value, written, \
        selection, threads, drop, seed


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_equals_reference_and_numpy(case):
    (shape, chunks, zarr_format, dtype, codec, separator, order, fill_value, written,
     selection, threads, drop, seed) = case
    rng = np.random.default_rng(seed)
    data = (rng.integers(0, 7, size=shape) * rng.integers(0, 2, size=shape)).astype(dtype)
    with tempfile.TemporaryDirectory() as root, config.override(threads=threads):
        a = make_array(root, data, chunks, codec=codec, zarr_format=zarr_format,
                       separator=separator, order=order, fill_value=fill_value, written=written)
        if drop:  # some chunk files go missing (read as the fill value)
            keys = LocalStore(root).list_prefix("a/")
            for k in [k for k in keys if not k.endswith(("zarr.json", ".zarray"))][::3]:
                os.unlink(os.path.join(root, k))
        sel = normalize_selection(selection, shape)
        native, reference = native_and_reference(a)
        box = box_read(native, sel)
        np.testing.assert_array_equal(box, box_read(reference, sel))
        if not drop:  # NumPy is an oracle too
            expected = expected_of(data, fill_value, written)
            np.testing.assert_array_equal(box.reshape(sel.out_shape), expected[selection])


def orthogonal_items(shape):
    """Per dimension an int, a slice or an index array (unsorted, repeating, negative)."""
    def item(n):
        return st.one_of(
            st.integers(-n, n - 1),
            st.builds(slice, st.none() | st.integers(-n, n), st.none() | st.integers(-n, n),
                      st.sampled_from([None, 1, 2, -1, -3])),
            st.lists(st.integers(-n, n - 1), min_size=0, max_size=12).map(
                lambda v: np.array(v, dtype=np.int64)),
        )
    return st.tuples(*[item(n) for n in shape])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_native_oindex_equals_reference_and_numpy(data):
    shape = data.draw(st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple))
    chunks = data.draw(chunks_for(shape))
    codec = data.draw(st.sampled_from(sorted(CODECS)))
    zarr_format = data.draw(st.sampled_from([2, 3]))
    order = data.draw(st.sampled_from(["C", "F"]))
    dtype = data.draw(st.sampled_from(["u1", "<i2", "f8", "c16"]))
    selection = data.draw(orthogonal_items(shape))
    drop = data.draw(st.booleans())
    threads = data.draw(st.sampled_from([1, 2, 3]))
    values = np.random.default_rng(len(shape)).integers(1, 9, size=shape).astype(dtype)
    with tempfile.TemporaryDirectory() as root, config.override(threads=threads):
        a = make_array(root, values, chunks, codec=codec, zarr_format=zarr_format, order=order,
                       fill_value=5)
        if drop:
            keys = LocalStore(root).list_prefix("a/")
            for k in [k for k in keys if not k.endswith(("zarr.json", ".zarray"))][::2]:
                os.unlink(os.path.join(root, k))
        sel = normalize_orthogonal_selection(selection, shape)
        native, reference = native_and_reference(a)
        box = box_read(native, sel)
        np.testing.assert_array_equal(box, box_read(reference, sel))
        got = a.oindex[selection]
        np.testing.assert_array_equal(got, box.reshape(sel.out_shape))
        if not drop:
            expected = values
            for axis, it in reversed(list(enumerate(selection))):
                expected = np.take(expected, it, axis=axis) if not isinstance(it, slice) \
                    else expected[(slice(None),) * axis + (it,)]
            np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("drop", [False, True])
def test_reference_places_indexed_chunks_as_c_does(tmp_path, drop):
    data = np.arange(9 * 8 * 3, dtype="i2").reshape(9, 8, 3)
    a = make_array(str(tmp_path), data, (4, 3, 2), codec="zstd", fill_value=-1)
    if drop:
        os.unlink(tmp_path / "a" / "c" / "0" / "1" / "0")
    selection = ([7, 0, 7, 3], slice(None, None, -3), 1)
    sel = normalize_orthogonal_selection(selection, data.shape)
    native, reference = native_and_reference(a)
    expected = box_read(native, sel)
    np.testing.assert_array_equal(box_read(reference, sel), expected)
    if not drop:
        np.testing.assert_array_equal(expected, data[[7, 0, 7, 3]][:, ::-3, 1])


def test_corrupt_chunk_under_oindex_is_a_codec_error_naming_the_key(tmp_path):
    data = np.arange(64, dtype="i4").reshape(8, 8)
    a = make_array(str(tmp_path), data, (4, 4), codec="zstd")
    with open(tmp_path / "a" / "c" / "1" / "0", "wb") as f:
        f.write(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(CodecError, match="c/1/0"):
        a.oindex[[5, 0], [1, 2]]


def test_indexed_plan_rows_are_checked(tmp_path):
    data = np.arange(36, dtype="u1").reshape(6, 6)
    a = make_array(str(tmp_path), data, (3, 3), codec="none")
    box = np.zeros((2, 6), "u1")
    plans = [np.array([[0, 0, chunkio.PLAN_INDEXED, 2, 0]], np.int64),
             plan_box(normalize_selection(np.s_[:, :], (6, 6)).dims, (6, 6), (3, 3)).rows[1]]
    dec = chunkio.Decompressor()

    def run(listed):
        read = chunkio.ChunkRead(
            os.fsencode(str(tmp_path)) + b"/a/", "default", "/", (3, 3), (6, 6), 1, None, "C",
            plans, box, b"\0", [np.array(listed, np.int64), None])
        return read.run(dec, np.empty(64, "u1"), np.empty(9, "u1"), 0, read.total)

    assert run([[2, 1], [0, 0]])[0] == 2
    np.testing.assert_array_equal(box, data[[0, 2]])
    for bad in ([[3, 0], [0, 1]], [[0, 2], [0, 1]], [[-1, 0], [0, 1]], [[0, 0]]):
        with pytest.raises(ValueError):
            run(bad)
    assert a.oindex[[2, 0], :].tolist() == data[[2, 0]].tolist()


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("separator", ["/", "."])
@pytest.mark.parametrize("codec", sorted(CODECS))
def test_many_chunks_threads_and_numpy(tmp_path, zarr_format, separator, codec):
    rng = np.random.default_rng(1)
    data = (rng.normal(size=(45, 38)) * 4).round().astype("f4")
    a = make_array(str(tmp_path), data, (8, 6), codec=codec, zarr_format=zarr_format,
                   separator=separator)
    for selection in [np.s_[...], np.s_[3:40:2, ::-5], np.s_[44, 1:], np.s_[::-1, 37],
                      np.s_[7:9, 5:13]]:
        sel = normalize_selection(selection, data.shape)
        assert io_kinds(a)[0] == "native"
        for threads in (1, 2, 3):
            with config.override(threads=threads):
                box = box_read(a, sel)
            np.testing.assert_array_equal(box.reshape(sel.out_shape), data[selection])


def test_zero_dimensional(tmp_path):
    for zarr_format in (2, 3):
        a = make_array(str(tmp_path), np.array(5.5), (), zarr_format=zarr_format,
                       name=f"z{zarr_format}")
        assert_native_reads(a, normalize_selection((), ()), np.array(5.5))


@pytest.mark.parametrize("store", ["local", "memory"])
@pytest.mark.parametrize("zarr_format, key", [(3, "c/0"), (2, "0")])
@pytest.mark.parametrize("codec", sorted(set(CODECS) - {"none"}))
@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip"])
def test_corrupt_chunk_is_a_codec_error_naming_the_key(tmp_path, zarr_format, key, codec,
                                                       damage, store):
    data = np.arange(300.0)
    a = make_array(str(tmp_path), data, (100,), codec=codec, zarr_format=zarr_format)
    path = os.path.join(str(tmp_path), "a", key)
    good = open(path, "rb").read()
    bad = {"truncate": good[: len(good) // 2], "garbage": b"\x00not a frame" * 3, "empty": b"",
           "flip": good[:-12] + bytes(b ^ 0x5A for b in good[-12:])}[damage]
    with open(path, "wb") as f:
        f.write(bad)
    if store == "memory":  # the same bytes from a store without files: fetched, then decoded
        local = LocalStore(str(tmp_path))
        copy = MemoryStore({k: local.get(k) for k in local.list_prefix("")})
        a = zarrc.open_array(copy, path="a")
    sel = normalize_selection(np.s_[...], data.shape)
    native, reference = native_and_reference(a)
    try:
        python_result = box_read(reference, sel)
    except CodecError as exc:
        assert key in str(exc)
        with pytest.raises(type(exc)) as info:
            box_read(native, sel)
        assert key in str(info.value)
    else:  # damage the codec does not detect (e.g. lz4 literals): both paths read the same
        np.testing.assert_array_equal(box_read(native, sel), python_result)


def test_uncompressed_chunk_of_wrong_size(tmp_path):
    a = make_array(str(tmp_path), np.arange(20, dtype="i4"), (10,), codec="none")
    path = os.path.join(str(tmp_path), "a", "c", "1")
    for content in (open(path, "rb").read()[:-4], open(path, "rb").read() + b"\0" * 8):
        with open(path, "wb") as f:
            f.write(content)
        for b in native_and_reference(a):
            with pytest.raises(CodecError, match="c/1"):
                box_read(b, normalize_selection(np.s_[5:15], (20,)))


def _skippable_frame(size):
    return struct.pack("<II", 0x184D2A50, size) + b"\x17" * size


@pytest.mark.parametrize("codec, pad", [
    ("zstd", lambda good: _skippable_frame(200_000) + good),  # valid zstd: a skippable frame
    ("gzip", lambda good: good + b"\0" * 200_000),  # valid gzip: trailing zero padding
])
def test_chunk_file_larger_than_the_read_buffer(tmp_path, codec, pad):
    data = np.arange(2000, dtype="i8").reshape(40, 50)
    a = make_array(str(tmp_path), data, (20, 25), codec=codec)
    path = os.path.join(str(tmp_path), "a", "c", "1", "0")
    with open(path, "rb") as f:
        good = f.read()
    with open(path, "wb") as f:
        f.write(pad(good))
    sel = normalize_selection(np.s_[...], data.shape)
    assert_native_reads(a, sel, data)


def test_run_reports_bufsize_with_the_needed_size(tmp_path):
    data = np.arange(64, dtype="u1").reshape(8, 8)
    make_array(str(tmp_path), data, (4, 4), codec="zlib")
    sel = normalize_selection(np.s_[...], data.shape)
    box = np.zeros(sel.box_shape, "u1")
    plan = plan_box(sel.dims, data.shape, (4, 4))
    read = chunkio.ChunkRead(os.fsencode(str(tmp_path)) + b"/a/", "default", "/", (4, 4),
                             data.shape, 1, "zlib", "C", plan.rows, box, b"\0", plan.lists)
    sizes = [os.path.getsize(os.path.join(str(tmp_path), "a", "c", "0", str(j))) for j in (0, 1)]
    dbuf = np.empty(16, np.uint8)
    rc, index, need, _ = read.run(chunkio.Decompressor(), np.empty(sizes[0], np.uint8),
                                  dbuf, 0, 4)
    if sizes[1] > sizes[0]:
        assert (rc, index, need) == (chunkio.E_BUFSIZE, 1, sizes[1])
    rc, index, need, _ = read.run(chunkio.Decompressor(), np.empty(1, np.uint8), dbuf, 0, 4)
    assert (rc, index, need) == (chunkio.E_BUFSIZE, 0, sizes[0])
    rc, *_ = read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf, 0, 4)
    assert rc == 4
    np.testing.assert_array_equal(box, data)
    with pytest.raises(ValueError):
        read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf, 0, 5)
    with pytest.raises(ValueError):
        read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf[:8], 0, 4)


def test_directory_in_place_of_a_chunk_reads_as_missing(tmp_path):
    data = np.arange(10, dtype="i2")
    a = make_array(str(tmp_path), data, (5,), codec="zstd", fill_value=-1)
    path = os.path.join(str(tmp_path), "a", "c", "1")
    os.unlink(path)
    os.mkdir(path)
    assert_native_reads(a, normalize_selection(np.s_[...], (10,)),
                        [0, 1, 2, 3, 4, -1, -1, -1, -1, -1])


def test_read_only_view_of_a_local_store(tmp_path):
    data = np.arange(30, dtype="f4").reshape(5, 6)
    make_array(str(tmp_path), data, (2, 4))
    view = zarrc.open_array(ReadOnlyView(LocalStore(str(tmp_path))), path="a", mode="r")
    assert io_kinds(view)[0] == "native" and view._ctx.io.read_box.args[0].directory
    np.testing.assert_array_equal(box_read(view, normalize_selection(np.s_[1:, ::2], (5, 6))),
                                  data[1:, ::2])


class _Reversed(BytesBytesCodec):
    """A plug-in codec (reversed bytes) that declares no native form."""

    name = "test.reversed"

    def encode(self, data):
        return bytes(memoryview(data).cast("B"))[::-1]

    def decode(self, data, out=None):
        raw = bytes(memoryview(data).cast("B"))[::-1]
        if out is None:
            return raw
        memoryview(out).cast("B")[:] = raw
        return out


class _PluginZstd(BytesBytesCodec):
    """A plug-in codec that is zstd under another name and says so: it gets the native path."""

    name = "test.zstd"

    def __init__(self):
        from zarrc.codecs import ZstdCodec
        self._zstd = ZstdCodec(level=1)

    def encode(self, data):
        return self._zstd.encode(data)

    def decode(self, data, out=None):
        return self._zstd.decode(data, out)

    def native_spec(self, itemsize):
        return NativeSpec("zstd", encode=True, level=1)


register_codec(_Reversed)
register_codec(_PluginZstd)


def test_the_implementation_is_chosen_at_open_from_declarations(tmp_path):
    data = np.arange(36, dtype="i4").reshape(6, 6)
    root = str(tmp_path)
    a = make_array(root, data, (3, 3))
    assert io_kinds(a) == ("native", "native", "native", "reference")
    # any store: its chunks are fetched, then decoded natively
    m = zarrc.create_array(MemoryStore(), shape=(6, 6), dtype="i4", chunks=(3, 3))
    m[...] = data
    assert io_kinds(m)[0] == "native" and m._ctx.io.read_box.args[0].directory is None
    confined = zarrc.open_array(LocalStore(root, confine_symlinks=True), path="a")
    assert io_kinds(confined)[0] == "native"
    assert confined._ctx.io.read_box.args[0].directory is None  # the store checks every path
    for arr in (m, confined):
        np.testing.assert_array_equal(arr[...], data)
    # a codec reaches the native path by declaring it, and only so
    for i, kwargs in enumerate([
        {"filters": [{"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}]},
        {"compressors": [{"name": "zstd"}, {"name": "crc32c"}]},
        {"serializer": {"name": "bytes", "configuration": {"endian": "big"}}},
        {"compressors": [{"name": "test.reversed"}]},
        {"compressors": [{"name": "test.zstd"}]},
    ]):
        b = zarrc.create_array(LocalStore(root), name=f"b{i}", shape=(6, 6), dtype="i4",
                               chunks=(3, 3), **kwargs)
        b[...] = data
        expected = ("native", "native", "native", "reference") if i == 4 else \
            ("reference",) * 4
        assert io_kinds(b) == expected, kwargs
        np.testing.assert_array_equal(b[...], data)
        np.testing.assert_array_equal(reopened(b, "reference")[...], data)
    # dtypes the kernels do not move, rectilinear grids
    s = zarrc.create_array(LocalStore(root), name="s", shape=(2,), chunks=(1,), dtype=str)
    r = zarrc.create_array(LocalStore(root), name="r", shape=(6,), dtype="i4",
                           chunks=[[2, 4]])
    assert io_kinds(s) == io_kinds(r) == ("reference",) * 4


def test_no_native_io_is_read_when_an_array_is_opened(tmp_path, monkeypatch):
    data = np.arange(12, dtype="u1").reshape(3, 4)
    a = make_array(str(tmp_path), data, (2, 2))
    monkeypatch.setenv("ZARRC_NO_NATIVE_IO", "1")
    assert io_kinds(a)[0] == "native"  # opened before: it keeps its implementation
    b = zarrc.open_array(str(tmp_path), path="a")
    assert io_kinds(b) == ("reference",) * 4
    np.testing.assert_array_equal(b[...], data)
    b[1:, 1:] = 9
    monkeypatch.setenv("ZARRC_NO_NATIVE_IO", "0")
    c = zarrc.open_array(str(tmp_path), path="a")
    assert io_kinds(c)[0] == "native"
    expected = data.copy()
    expected[1:, 1:] = 9
    np.testing.assert_array_equal(c[...], expected)
    with engine("reference"):
        assert io_kinds(zarrc.open_array(str(tmp_path), path="a"))[0] == "reference"


def test_gzip_chunk_of_several_members(tmp_path):
    import gzip

    data = np.arange(400, dtype="<u2").reshape(20, 20)
    a = make_array(str(tmp_path), data, (10, 20), codec="gzip")
    raw = data[10:].tobytes()
    with open(os.path.join(str(tmp_path), "a", "c", "1", "0"), "wb") as f:
        f.write(gzip.compress(raw[:150]) + gzip.compress(raw[150:]) + b"\0" * 7)
    sel = normalize_selection(np.s_[5:, ::3], data.shape)
    assert_native_reads(a, sel, data[5:, ::3])


@pytest.mark.parametrize("shape, chunks", [((64, 96), (16, 32)), ((5, 40, 24), (2, 8, 24)),
                                           ((3000, 8), (2000, 4))])  # the last: too many rows
def test_uncompressed_whole_chunks_read_row_by_row_into_place(tmp_path, shape, chunks):
    """Whole uncompressed chunks in a wider box are read with preadv straight into their rows."""
    x = np.random.default_rng(3).integers(0, 1000, size=shape).astype("<i4")
    a = zarrc.create_array(str(tmp_path / "a.zarr"), shape=shape, dtype=x.dtype, chunks=chunks,
                           compressors=None)
    a[...] = x
    b = zarrc.open_array(str(tmp_path / "a.zarr"), mode="r")
    assert io_kinds(b)[0] == "native"
    np.testing.assert_array_equal(b[...], x)
    # A chunk file of the wrong size is a CodecError naming its key.
    key = b._ctx.key((0,) * len(shape))
    path = tmp_path / "a.zarr" / key
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(CodecError, match=key):
        b[...]


@pytest.mark.parametrize("checksum", [False, True])
def test_partly_selected_zstd_chunks_decode_only_their_prefix(tmp_path, checksum):
    # a 1 MiB chunk is several zstd blocks: a selection of its first rows stops after the
    # block holding its last item, so damage past it goes unseen unless the frame carries a
    # checksum (then the whole frame is decoded and verified); a full read always sees it
    data = np.random.default_rng(0).integers(0, 1000, size=(512, 512)).astype("f4")
    a = zarrc.create_array(LocalStore(str(tmp_path)), name="a", shape=data.shape, dtype="f4",
                           chunks=data.shape, compressors=[{"name": "zstd", "configuration": {
                               "level": 1, "checksum": checksum}}])
    a[...] = data
    path = tmp_path / "a" / "c" / "0" / "0"
    good = path.read_bytes()
    np.testing.assert_array_equal(a[3:40, 100:200], data[3:40, 100:200])
    np.testing.assert_array_equal(a[::-50, 7], data[::-50, 7])
    path.write_bytes(good[:-40] + bytes(b ^ 0xFF for b in good[-40:]))
    with pytest.raises(CodecError):
        a[...]
    if checksum:
        with pytest.raises(CodecError):
            a[3:40, 100:200]
    else:
        np.testing.assert_array_equal(a[3:40, 100:200], data[3:40, 100:200])


@pytest.mark.parametrize("dtype", ["u1", "<i2", "<f4", "<f8", "<c16", "<i4"])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle", "bitshuffle"])
@pytest.mark.parametrize("block_rows", [None, 4, 3, 2.5])
def test_blosc_tiles_decode_into_their_rows(tmp_path, dtype, shuffle, block_rows):
    # whole chunks of a wider array: blosc's streams are un-shuffled straight into the rows
    # when blocks hold whole rows (4 or 3 of a chunk's 10: several blocks and a short last
    # one; rows of 16 items and more take the vector path, the rest the scalar one); blocks of
    # 2.5 rows and bit shuffle are decoded by libblosc. All read as NumPy and Python do.
    blocksize = 0 if block_rows is None else int(block_rows * 48 * np.dtype(dtype).itemsize)
    rng = np.random.default_rng(7)
    data = (rng.normal(size=(40, 96)) * 30).astype(dtype)
    data[:10, :48] = 0  # a tile that compresses to almost nothing
    a = zarrc.create_array(LocalStore(str(tmp_path)), name="a", shape=data.shape, dtype=dtype,
                           chunks=(10, 48), compressors=[{"name": "blosc", "configuration": {
                               "cname": "lz4", "clevel": 5, "shuffle": shuffle,
                               "blocksize": blocksize}}])
    a[...] = data
    tiny = zarrc.create_array(LocalStore(str(tmp_path)), name="t", shape=(4, 6), dtype=dtype,
                              chunks=(2, 3), compressors=[{"name": "blosc"}])
    tiny[...] = data[:4, :6]  # 6 items a chunk: stored as a plain copy
    for arr, values in ((a, data), (tiny, data[:4, :6])):
        sel = normalize_selection(np.s_[...], values.shape)
        assert_native_reads(arr, sel, values)


@pytest.mark.parametrize("noise, field, value", [
    (noise, slice(8, 12), value) for noise in (True, False)  # noise: stored as a plain copy
    for value in (lambda nbytes: struct.pack("<I", nbytes + 1), lambda nbytes: bytes(4))
] + [(False, slice(1, 2), lambda nbytes: b"\x07")])  # an lz4 format version blosc never writes
def test_blosc_header_fields_blosc_never_writes_fail_on_both_paths(tmp_path, noise, field,
                                                                   value):
    # Tiles of a wider array take zarrc's own blosc decoder, other chunks libblosc; libblosc
    # versions differ in what they let through (a block size larger than the chunk, say), so
    # both paths check the header themselves and raise the same CodecError naming the chunk.
    rng = np.random.default_rng(5)
    data = (rng.integers(0, 1 << 32, size=(20, 96), dtype=np.uint32).view("<f4") if noise
            else np.ones((20, 96), "<f4"))
    a = zarrc.create_array(LocalStore(str(tmp_path)), name="a", shape=data.shape, dtype="<f4",
                           chunks=(10, 48), compressors=[{"name": "blosc", "configuration": {
                               "cname": "lz4", "clevel": 5, "shuffle": "shuffle"}}])
    a[...] = data
    path = os.path.join(str(tmp_path), "a", "c", "0", "1")
    chunk = bytearray(open(path, "rb").read())
    assert bool(chunk[2] & 0x02) == noise  # the memcpy flag
    chunk[field] = value(struct.unpack_from("<I", chunk, 4)[0])
    with open(path, "wb") as f:
        f.write(bytes(chunk))
    sel = normalize_selection(np.s_[...], data.shape)
    for b in native_and_reference(a):
        with pytest.raises(CodecError, match="c/0/1"):
            box_read(b, sel)
