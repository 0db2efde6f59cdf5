"""The native chunk loop (zarrc.engine.native) against its slow twin, the Python engine, and NumPy."""

import dataclasses
import os
import struct
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_arrays import CODECS, expected_of, make_array

import zarrc
from zarrc import config
from zarrc.engine import native
from zarrc.engine.read import read_box
from zarrc.errors import CodecError
from zarrc.indexing import normalize_orthogonal_selection, normalize_selection
from zarrc.storage import LocalStore, MemoryStore
from zarrc.storage.base import ReadOnlyView
from zarrc.testing.strategies import basic_selections, chunks_for, shapes

needs_chunkio = pytest.mark.skipif(native.chunkio is None,
                                   reason="zarrc._ext.chunkio not built (no zstd/lz4/blosc/libdeflate)")

def python_box(ctx, sel, monkeypatch):
    """The Python engine's box (native path switched off, whatever read_box does)."""
    with monkeypatch.context() as m:
        m.setattr(native, "ENABLED", False)
        return read_box(ctx, sel)


def native_box(ctx, sel):
    box = np.full(sel.box_shape, 99, dtype=ctx.dtype) if ctx.dtype.kind in "iuf" else \
        np.empty(sel.box_shape, dtype=ctx.dtype)
    return native.read_box_native(ctx, sel, box), box


def assert_native_reads(ctx, sel, expected, monkeypatch):
    """The native loop takes ``sel`` and reads ``expected``, as the Python engine does."""
    handled, box = native_box(ctx, sel)
    assert handled
    np.testing.assert_array_equal(box, expected)
    np.testing.assert_array_equal(box, python_box(ctx, sel, monkeypatch))


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


@needs_chunkio
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_equals_python_engine_and_numpy(case, monkeypatch):
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
        handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box, python_box(a._ctx, sel, monkeypatch))
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


@needs_chunkio
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_native_oindex_equals_python_engine_and_numpy(data, monkeypatch):
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
        handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box, python_box(a._ctx, sel, monkeypatch))
        got = a.oindex[selection]
        np.testing.assert_array_equal(got, box.reshape(sel.out_shape))
        if not drop:
            expected = values
            for axis, it in reversed(list(enumerate(selection))):
                expected = np.take(expected, it, axis=axis) if not isinstance(it, slice) \
                    else expected[(slice(None),) * axis + (it,)]
            np.testing.assert_array_equal(got, expected)


@needs_chunkio
@pytest.mark.parametrize("drop", [False, True])
def test_python_fallback_places_indexed_chunks_as_c_does(tmp_path, drop):
    data = np.arange(9 * 8 * 3, dtype="i2").reshape(9, 8, 3)
    a = make_array(str(tmp_path), data, (4, 3, 2), codec="zstd", fill_value=-1)
    if drop:
        os.unlink(tmp_path / "a" / "c" / "0" / "1" / "0")
    selection = ([7, 0, 7, 3], slice(None, None, -3), 1)
    sel = normalize_orthogonal_selection(selection, data.shape)
    handled, expected = native_box(a._ctx, sel)
    assert handled
    box = np.zeros_like(expected)
    job = native._plan_job(a._ctx, sel, box)
    for index in range(job.read.total):  # every chunk the way a refused one is read
        native._read_chunk_python(job, index)
    np.testing.assert_array_equal(box, expected)


@needs_chunkio
def test_corrupt_chunk_under_oindex_is_a_codec_error_naming_the_key(tmp_path):
    data = np.arange(64, dtype="i4").reshape(8, 8)
    a = make_array(str(tmp_path), data, (4, 4), codec="zstd")
    with open(tmp_path / "a" / "c" / "1" / "0", "wb") as f:
        f.write(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(CodecError, match="c/1/0"):
        a.oindex[[5, 0], [1, 2]]


@needs_chunkio
def test_indexed_plan_rows_are_checked(tmp_path):
    data = np.arange(36, dtype="u1").reshape(6, 6)
    a = make_array(str(tmp_path), data, (3, 3), codec="none")
    box = np.zeros((2, 6), "u1")
    plans = [np.array([[0, 0, native.chunkio.PLAN_INDEXED, 2, 0]], np.int64),
             native.plan_rows(normalize_selection(np.s_[:], (6,)).dims[0], 6, 3)]
    dec = native.chunkio.Decompressor()

    def run(listed):
        read = native.chunkio.ChunkRead(
            os.fsencode(str(tmp_path)) + b"/a/", "default", "/", (3, 3), (6, 6), 1, None, "C",
            plans, box, b"\0", [np.array(listed, np.int64), None])
        return read.run(dec, np.empty(64, "u1"), np.empty(9, "u1"), 0, read.total)

    assert run([[2, 1], [0, 0]])[0] == 2
    np.testing.assert_array_equal(box, data[[0, 2]])
    for bad in ([[3, 0], [0, 1]], [[0, 2], [0, 1]], [[-1, 0], [0, 1]], [[0, 0]]):
        with pytest.raises(ValueError):
            run(bad)
    assert a.oindex[[2, 0], :].tolist() == data[[2, 0]].tolist()


@needs_chunkio
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
        for threads in (1, 2, 3):
            with config.override(threads=threads):
                handled, box = native_box(a._ctx, sel)
            assert handled
            np.testing.assert_array_equal(box.reshape(sel.out_shape), data[selection])


@needs_chunkio
def test_zero_dimensional(tmp_path):
    for zarr_format in (2, 3):
        a = make_array(str(tmp_path), np.array(5.5), (), zarr_format=zarr_format,
                       name=f"z{zarr_format}")
        sel = normalize_selection((), ())
        handled, box = native_box(a._ctx, sel)
        assert handled and box[()] == 5.5


@needs_chunkio
@pytest.mark.parametrize("zarr_format, key", [(3, "c/0"), (2, "0")])
@pytest.mark.parametrize("codec", sorted(set(CODECS) - {"none"}))
@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip"])
def test_corrupt_chunk_is_a_codec_error_naming_the_key(tmp_path, zarr_format, key, codec,
                                                       damage, monkeypatch):
    data = np.arange(300.0)
    a = make_array(str(tmp_path), data, (100,), codec=codec, zarr_format=zarr_format)
    path = os.path.join(str(tmp_path), "a", key)
    good = open(path, "rb").read()
    bad = {"truncate": good[: len(good) // 2], "garbage": b"\x00not a frame" * 3, "empty": b"",
           "flip": good[:-12] + bytes(b ^ 0x5A for b in good[-12:])}[damage]
    with open(path, "wb") as f:
        f.write(bad)
    sel = normalize_selection(np.s_[...], data.shape)
    try:
        python_result = python_box(a._ctx, sel, monkeypatch)
    except CodecError as exc:
        assert key in str(exc)
        with pytest.raises(type(exc)) as info:
            native_box(a._ctx, sel)
        assert key in str(info.value)
    else:  # damage the codec does not detect (e.g. lz4 literals): both paths read the same
        handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box, python_result)


@needs_chunkio
def test_uncompressed_chunk_of_wrong_size(tmp_path):
    a = make_array(str(tmp_path), np.arange(20, dtype="i4"), (10,), codec="none")
    path = os.path.join(str(tmp_path), "a", "c", "1")
    for content in (open(path, "rb").read()[:-4], open(path, "rb").read() + b"\0" * 8):
        with open(path, "wb") as f:
            f.write(content)
        with pytest.raises(CodecError, match="c/1"):
            native_box(a._ctx, normalize_selection(np.s_[5:15], (20,)))


def _skippable_frame(size):
    return struct.pack("<II", 0x184D2A50, size) + b"\x17" * size


@needs_chunkio
@pytest.mark.parametrize("codec, pad", [
    ("zstd", lambda good: _skippable_frame(200_000) + good),  # valid zstd: a skippable frame
    ("gzip", lambda good: good + b"\0" * 200_000),  # valid gzip: trailing zero padding
])
def test_chunk_file_larger_than_the_read_buffer(tmp_path, codec, pad, monkeypatch):
    data = np.arange(2000, dtype="i8").reshape(40, 50)
    a = make_array(str(tmp_path), data, (20, 25), codec=codec)
    path = os.path.join(str(tmp_path), "a", "c", "1", "0")
    with open(path, "rb") as f:
        good = f.read()
    with open(path, "wb") as f:
        f.write(pad(good))
    sel = normalize_selection(np.s_[...], data.shape)
    assert_native_reads(a._ctx, sel, data, monkeypatch)


@needs_chunkio
def test_run_reports_bufsize_with_the_needed_size(tmp_path):
    chunkio = native.chunkio
    data = np.arange(64, dtype="u1").reshape(8, 8)
    a = make_array(str(tmp_path), data, (4, 4), codec="zlib")
    sel = normalize_selection(np.s_[...], data.shape)
    box = np.zeros(sel.box_shape, "u1")
    job = native._plan_job(a._ctx, sel, box)
    sizes = [os.path.getsize(os.path.join(str(tmp_path), "a", "c", "0", str(j))) for j in (0, 1)]
    dbuf = np.empty(16, np.uint8)
    rc, index, need, _ = job.read.run(chunkio.Decompressor(), np.empty(sizes[0], np.uint8),
                                      dbuf, 0, 4)
    if sizes[1] > sizes[0]:
        assert (rc, index, need) == (chunkio.E_BUFSIZE, 1, sizes[1])
    rc, index, need, _ = job.read.run(chunkio.Decompressor(), np.empty(1, np.uint8), dbuf, 0, 4)
    assert (rc, index, need) == (chunkio.E_BUFSIZE, 0, sizes[0])
    rc, *_ = job.read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf, 0, 4)
    assert rc == 4
    np.testing.assert_array_equal(box, data)
    with pytest.raises(ValueError):
        job.read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf, 0, 5)
    with pytest.raises(ValueError):
        job.read.run(chunkio.Decompressor(), np.empty(4096, np.uint8), dbuf[:8], 0, 4)


@needs_chunkio
def test_directory_in_place_of_a_chunk_reads_as_missing(tmp_path):
    data = np.arange(10, dtype="i2")
    a = make_array(str(tmp_path), data, (5,), codec="zstd", fill_value=-1)
    path = os.path.join(str(tmp_path), "a", "c", "1")
    os.unlink(path)
    os.mkdir(path)
    handled, box = native_box(a._ctx, normalize_selection(np.s_[...], (10,)))
    assert handled
    np.testing.assert_array_equal(box, [0, 1, 2, 3, 4, -1, -1, -1, -1, -1])


@needs_chunkio
def test_read_only_view_of_a_local_store(tmp_path):
    data = np.arange(30, dtype="f4").reshape(5, 6)
    a = make_array(str(tmp_path), data, (2, 4))
    ctx = dataclasses.replace(a._ctx, store=ReadOnlyView(LocalStore(str(tmp_path))))
    handled, box = native_box(ctx, normalize_selection(np.s_[1:, ::2], data.shape))
    assert handled
    np.testing.assert_array_equal(box, data[1:, ::2])


@needs_chunkio
def test_cases_left_to_the_python_engine(tmp_path):
    data = np.arange(36, dtype="i4").reshape(6, 6)
    root = str(tmp_path)
    basic = normalize_selection(np.s_[...], data.shape)
    a = make_array(root, data, (3, 3))
    # (a box that NumPy reorders afterwards is read natively too: the box is what it reads)
    ortho = normalize_orthogonal_selection(([5, 0, 0], slice(None)), data.shape, scatter=False)
    handled, box = native_box(a._ctx, ortho)
    assert handled and box.tolist() == data[[0, 5]].tolist()
    # a store that is not a LocalStore, or one that checks symlinks on every access
    m = zarrc.create_array(MemoryStore(), shape=(6, 6), dtype="i4", chunks=(3, 3))
    assert not native_box(m._ctx, basic)[0]
    confined = LocalStore(root, confine_symlinks=True)
    assert not native_box(dataclasses.replace(a._ctx, store=confined), basic)[0]
    # codec chains with filters, two bytes->bytes codecs, a byte-swapping serializer
    # (sharded arrays: tests/engine/test_native_shard.py)
    for i, kwargs in enumerate([
        {"filters": [{"name": "numcodecs.delta", "configuration": {"dtype": "<i4"}}]},
        {"compressors": [{"name": "zstd"}, {"name": "crc32c"}]},
        {"serializer": {"name": "bytes", "configuration": {"endian": "big"}}},
    ]):
        b = zarrc.create_array(LocalStore(root), name=f"b{i}", shape=(6, 6), dtype="i4",
                               chunks=(3, 3), **kwargs)
        b[...] = data
        assert not native_box(b._ctx, basic)[0], kwargs
    # a box of another dtype
    assert not native.read_box_native(a._ctx, basic, np.empty((6, 6), "i8"))


def test_without_the_extension_nothing_happens(tmp_path, monkeypatch):
    data = np.arange(12, dtype="u1").reshape(3, 4)
    a = zarrc.create_array(LocalStore(str(tmp_path)), shape=(3, 4), dtype="u1", chunks=(2, 2))
    a[...] = data
    monkeypatch.setattr(native, "chunkio", None)
    sel = normalize_selection(np.s_[...], data.shape)
    box = np.zeros((3, 4), "u1")
    assert native.read_box_native(a._ctx, sel, box) is False
    assert not box.any()
    np.testing.assert_array_equal(a[...], data)  # the public API still reads


@needs_chunkio
def test_gzip_chunk_of_several_members(tmp_path, monkeypatch):
    import gzip

    data = np.arange(400, dtype="<u2").reshape(20, 20)
    a = make_array(str(tmp_path), data, (10, 20), codec="gzip")
    raw = data[10:].tobytes()
    with open(os.path.join(str(tmp_path), "a", "c", "1", "0"), "wb") as f:
        f.write(gzip.compress(raw[:150]) + gzip.compress(raw[150:]) + b"\0" * 7)
    sel = normalize_selection(np.s_[5:, ::3], data.shape)
    assert_native_reads(a._ctx, sel, data[5:, ::3], monkeypatch)


@needs_chunkio
@pytest.mark.parametrize("shape, chunks", [((64, 96), (16, 32)), ((5, 40, 24), (2, 8, 24)),
                                           ((3000, 8), (2000, 4))])  # the last: too many rows
def test_uncompressed_whole_chunks_read_row_by_row_into_place(tmp_path, shape, chunks):
    """Whole uncompressed chunks in a wider box are read with preadv straight into their rows."""
    x = np.random.default_rng(3).integers(0, 1000, size=shape).astype("<i4")
    a = zarrc.create_array(str(tmp_path / "a.zarr"), shape=shape, dtype=x.dtype, chunks=chunks,
                           compressors=None)
    a[...] = x
    b = zarrc.open_array(str(tmp_path / "a.zarr"), mode="r")
    assert native_box(b._ctx, normalize_selection(Ellipsis, shape))[0]
    np.testing.assert_array_equal(b[...], x)
    # A chunk file of the wrong size is refused natively and reported by the Python path.
    key = b._ctx.key((0,) * len(shape))
    path = tmp_path / "a.zarr" / key
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(CodecError, match=key):
        b[...]


@needs_chunkio
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


@needs_chunkio
@pytest.mark.parametrize("dtype", ["u1", "<i2", "<f4", "<f8", "<c16", "<i4"])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle", "bitshuffle"])
@pytest.mark.parametrize("block_rows", [None, 4, 3, 2.5])
def test_blosc_tiles_decode_into_their_rows(tmp_path, monkeypatch, dtype, shuffle, block_rows):
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
        assert_native_reads(arr._ctx, sel, values, monkeypatch)


@needs_chunkio
@pytest.mark.parametrize("noise, field, value", [
    (noise, slice(8, 12), value) for noise in (True, False)  # noise: stored as a plain copy
    for value in (lambda nbytes: struct.pack("<I", nbytes + 1), lambda nbytes: bytes(4))
] + [(False, slice(1, 2), lambda nbytes: b"\x07")])  # an lz4 format version blosc never writes
def test_blosc_header_fields_blosc_never_writes_fail_on_both_paths(tmp_path, monkeypatch, noise,
                                                                   field, value):
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
    with pytest.raises(CodecError, match="c/0/1"):
        python_box(a._ctx, sel, monkeypatch)
    with pytest.raises(CodecError, match="c/0/1"):
        native_box(a._ctx, sel)
