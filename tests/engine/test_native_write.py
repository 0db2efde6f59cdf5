"""The native writes (zarrc.engine.native.write) against the reference implementation and NumPy.

The oracle for the stored bytes is the reference implementation writing the same values into
another directory; the oracle for the values is NumPy.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from native_arrays import create_local

import zarrc
from zarrc import config
from zarrc._ext import chunkio, chunkwrite
from zarrc.engine.native import write as native_write
from zarrc.errors import ReadOnlyError
from zarrc.storage import LocalStore
from zarrc.storage.local import TEMP_PREFIX
from zarrc.testing.engine import engine, io_kinds, reopened
from zarrc.testing.strategies import basic_selections, chunks_for, shapes

# codecs the C loop encodes: (v3 codec config, v2 compressor config); None is raw bytes.
# The C zstd encoder links the system's libzstd, the reference the one bundled with the
# zstandard package: zstd's output may differ between library versions (both decode). Raw
# bytes and blosc (one implementation, shared by both) give the same bytes.
EXACT = ("none", "blosc", "blosc_bit")
CODECS = {
    "none": (None, None),
    "zstd": ({"name": "zstd", "configuration": {"level": 1, "checksum": False}},
             {"id": "zstd", "level": 1}),
    "blosc": ({"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5}},
              {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}),
    "blosc_bit": ({"name": "blosc", "configuration": {"cname": "blosclz", "clevel": 9,
                                                      "shuffle": "bitshuffle"}},
                  {"id": "blosc", "cname": "blosclz", "clevel": 9, "shuffle": 2}),
}
# more settings the C loop encodes, for the parametrized tests
MORE_CODECS = {
    "zstd_checksum": ({"name": "zstd", "configuration": {"level": 3, "checksum": True}},
                      {"id": "zstd", "level": 3, "checksum": True}),
}


def create(root, shape, dtype, chunks, *, codec="none", **kwargs):
    """An empty array; ``codec`` names a coding of the tables above or is a (v3, v2) pair."""
    coding = codec if isinstance(codec, tuple) else {**CODECS, **MORE_CODECS}[codec]
    return create_local(root, shape, dtype, chunks, coding, **kwargs)


def files(root):
    """{key: bytes} of every chunk file below ``root`` (metadata documents left out)."""
    out = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name not in ("zarr.json", ".zarray", ".zattrs", ".zgroup"):
                path = os.path.join(directory, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, root)] = f.read()
    return out


class Spy:
    """Counts the chunks the C loop took and the ones it left to the per-chunk
    read-modify-write (``python``)."""

    def __init__(self, monkeypatch):
        self.native = self.python = 0
        run, write_chunk = native_write._write_range, native_write.write_chunk

        def counting_run(array, ctx, plan, write, values, begin, end, *rest):
            self.native += end - begin
            run(array, ctx, plan, write, values, begin, end, *rest)

        def counting_chunk(*args):
            self.python += 1
            write_chunk(*args)

        monkeypatch.setattr(native_write, "_write_range", counting_run)
        monkeypatch.setattr(native_write, "write_chunk", counting_chunk)


def write_both(root, shape, dtype, chunks, steps, monkeypatch=None, **kwargs):
    """Apply ``steps`` ([(selection, value)]) natively in root/n and with the reference
    implementation in root/p."""
    arrays = {}
    for name, kind in (("n", "native"), ("p", "reference")):
        with engine(kind):
            a = create(os.path.join(root, name), shape, dtype, chunks, **kwargs)
        assert io_kinds(a)[2] == kind
        for selection, value in steps:
            a[selection] = value
        arrays[name] = a
    return arrays


@st.composite
def cases(draw):
    shape = draw(shapes(max_dims=3, max_side=9))
    chunks = draw(chunks_for(shape))
    zarr_format = draw(st.sampled_from([2, 3]))
    dtype = draw(st.sampled_from(["u1", "<i2", "f8"] + ([">u4"] if zarr_format == 2 else [])))
    codec = draw(st.sampled_from(sorted(CODECS)))
    separator = draw(st.sampled_from([None, "/", "."]))
    order = draw(st.sampled_from(["C", "F"]))
    fill_value = draw(st.sampled_from([0, 3]))
    write_empty = draw(st.booleans())
    steps = draw(st.lists(basic_selections(shape), min_size=1, max_size=3))
    scalar = draw(st.booleans())
    threads = draw(st.sampled_from([1, 2, 4]))
    seed = draw(st.integers(0, 2**16))
    return (shape, chunks, zarr_format, dtype, codec, separator, order, fill_value, write_empty,
            steps, scalar, threads, seed)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_writes_what_python_writes_and_numpy_holds(case, monkeypatch):
    (shape, chunks, zarr_format, dtype, codec, separator, order, fill_value, write_empty, steps,
     scalar, threads, seed) = case
    rng = np.random.default_rng(seed)
    expected = np.full(shape, fill_value, dtype=dtype)
    plan = []
    for selection in steps:
        target = expected[selection]
        if scalar:
            value = dtype == "f8" and rng.random() or int(rng.integers(0, 5))
        else:  # zeros among the values, so some chunks end up all fill
            value = (rng.integers(0, 5, size=target.shape) *
                     rng.integers(0, 2, size=target.shape)).astype(dtype)
        expected[selection] = value
        plan.append((selection, value))
    with tempfile.TemporaryDirectory() as root, config.override(threads=threads):
        arrays = write_both(root, shape, dtype, chunks, plan, monkeypatch, codec=codec,
                            zarr_format=zarr_format, separator=separator, order=order,
                            fill_value=fill_value, write_empty_chunks=write_empty)
        assert_same_chunks(root, monkeypatch, exact=codec in EXACT)
        np.testing.assert_array_equal(arrays["n"][...], expected)


def assert_same_chunks(root, monkeypatch, exact):
    """root/n and root/p hold the same chunk keys, each decoding (in Python) to the same
    chunk; with ``exact`` the same bytes."""
    native_files, python_files = files(os.path.join(root, "n")), files(os.path.join(root, "p"))
    assert sorted(native_files) == sorted(python_files)
    if exact:
        assert native_files == python_files
        return
    with engine("reference"):
        n, p = (zarrc.open_array(LocalStore(os.path.join(root, name)), path="a")._ctx
                for name in ("n", "p"))
        for key in native_files:
            chunk_key = key.split(os.sep, 1)[1]
            decode = n.pipeline.decode
            np.testing.assert_array_equal(decode(native_files[key], chunk_key),
                                          decode(python_files[key], chunk_key))
            assert p.pipeline.decode(native_files[key], chunk_key).shape == n.chunks


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("codec", sorted(CODECS) + sorted(MORE_CODECS))
@pytest.mark.parametrize("order", ["C", "F"])
def test_whole_chunks_are_written_in_c_and_decode_everywhere(tmp_path, monkeypatch, zarr_format,
                                                             codec, order):
    rng = np.random.default_rng(2)
    data = (rng.normal(size=(70, 90)) * 8).round().astype("f4")
    spy = Spy(monkeypatch)
    a = create(str(tmp_path), data.shape, "f4", (32, 40), codec=codec,
               zarr_format=zarr_format, order=order)
    a[...] = data
    assert (spy.native, spy.python) == (9, 5)  # the 5 edge chunks are read-modified-written
    np.testing.assert_array_equal(a[...], data)
    # the reference decoders read what C wrote
    np.testing.assert_array_equal(reopened(a, "reference")[...], data)


def test_partly_covered_chunks_are_read_modified_written(tmp_path, monkeypatch):
    data = np.arange(40 * 30, dtype="i4").reshape(40, 30)
    a = create(str(tmp_path), data.shape, "i4", (10, 10), codec="zstd")
    a[...] = data
    spy = Spy(monkeypatch)
    a[5:25, 10:30] = -data[5:25, 10:30]  # rows 5-9 and 20-24 cover their chunks in part
    expected = data.copy()
    expected[5:25, 10:30] *= -1
    assert spy.native == 6 and spy.python == 4  # chunk rows 0 and 2 partial, row 1 whole
    np.testing.assert_array_equal(a[...], expected)


def test_chunks_of_fill_are_deleted_and_their_directories_pruned(tmp_path, monkeypatch):
    a = create(str(tmp_path), (20, 20), "f8", (10, 10), fill_value=1.5)
    a[...] = 2.0
    assert len(files(str(tmp_path))) == 4
    spy = Spy(monkeypatch)
    a[:10, :] = 1.5
    assert sorted(files(str(tmp_path))) == ["a/c/1/0", "a/c/1/1"]
    assert not os.path.exists(os.path.join(str(tmp_path), "a", "c", "0"))
    assert spy.python == 0  # deleted by the native path's hand-back, not rewritten
    b = create(str(tmp_path / "keep"), (20, 20), "f8", (10, 10), fill_value=1.5,
               write_empty_chunks=True)
    b[...] = 1.5
    assert len(files(str(tmp_path / "keep"))) == 4


def test_nan_fill_matches_nan_chunks(tmp_path):
    a = create(str(tmp_path), (8, 8), "f4", (4, 4), fill_value=float("nan"))
    a[...] = np.float32("nan")
    assert files(str(tmp_path)) == {}
    a[:4, :4] = 1
    assert list(files(str(tmp_path))) == ["a/c/0/0"]


def test_uncompressed_chunks_written_from_the_source_rows(tmp_path, monkeypatch):
    # rows of 512 bytes are written straight from the (non-contiguous) source; a transposed
    # source and short rows go through the gather buffer; both give the Python engine's bytes
    rng = np.random.default_rng(3)
    for name, values in [("rows", rng.random((64, 256))), ("gather", rng.random((256, 64)).T),
                         ("short", rng.random((64, 40)))]:
        root = str(tmp_path / name)
        arrays = write_both(root, values.shape, "f8", (16, min(64, values.shape[1])),
                            [(Ellipsis, values)], monkeypatch)
        assert_same_chunks(root, monkeypatch, exact=True)
        np.testing.assert_array_equal(arrays["n"][...], values)


def test_a_failed_chunk_raises_an_os_error_naming_it_and_leaves_no_debris(tmp_path,
                                                                         monkeypatch):
    a = create(str(tmp_path), (20, 20), "u1", (10, 10))
    a[...] = 1
    os.unlink(tmp_path / "a" / "c" / "1" / "1")
    os.mkdir(tmp_path / "a" / "c" / "1" / "1")  # a directory where a chunk file goes
    spy = Spy(monkeypatch)
    with pytest.raises(OSError, match="a/c/1/1"):
        a[...] = 2
    assert spy.python == 0
    leftovers = [n for _, _, names in os.walk(tmp_path) for n in names if n.startswith(TEMP_PREFIX)]
    assert leftovers == []
    assert a[:10, :10].tolist() == np.full((10, 10), 2).tolist()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_raises_permission_error(tmp_path):
    a = create(str(tmp_path), (10, 10), "u1", (5, 5))
    a[...] = 1
    directory = tmp_path / "a" / "c" / "0"
    os.chmod(directory, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(PermissionError):
            a[...] = 2
    finally:
        os.chmod(directory, stat.S_IRWXU)


def test_read_only_and_symlink_confined_stores_keep_their_rules(tmp_path):
    create(str(tmp_path), (10, 10), "u1", (5, 5))[...] = 1
    ro = zarrc.open_array(LocalStore(str(tmp_path), read_only=True), path="a")
    with pytest.raises(ReadOnlyError):
        ro[...] = 2
    confined = zarrc.open_array(LocalStore(str(tmp_path), confine_symlinks=True), path="a",
                                mode="r+")
    # encoded natively, stored through the store's own set (which checks every path)
    assert io_kinds(confined)[2] == "native"
    assert confined._ctx.io.write_box.args[0].write_files is None
    confined[...] = 3
    assert (confined[...] == 3).all()
    os.unlink(tmp_path / "a" / "c" / "0" / "0")
    os.symlink(tmp_path.parent / f"{tmp_path.name}-elsewhere", tmp_path / "a" / "c" / "0" / "0")
    with pytest.raises(ValueError, match="outside"):
        confined[:5, :5] = 4


def test_fsync_store_writes_natively(tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    a = zarrc.create_array(LocalStore(str(tmp_path), fsync=True), name="a", shape=(10, 10),
                           chunks=(5, 5), dtype="i2")
    a[...] = np.arange(100).reshape(10, 10)
    assert (spy.native, spy.python) == (4, 0)
    np.testing.assert_array_equal(a[...], np.arange(100).reshape(10, 10))


def test_zero_dimensional_and_integer_dimensions(tmp_path, monkeypatch):
    for zarr_format in (2, 3):
        root = str(tmp_path / f"z{zarr_format}")
        arrays = write_both(root, (), "f8", (), [((), 5.5)], monkeypatch,
                            zarr_format=zarr_format)
        assert files(os.path.join(root, "n")) == files(os.path.join(root, "p")) != {}
        assert arrays["n"][()] == 5.5
    root = str(tmp_path / "ints")
    values = np.arange(12.0).reshape(3, 4)
    arrays = write_both(root, (6, 3, 4), "f8", (1, 3, 2), [(np.s_[4, :, :], values)],
                        monkeypatch, codec="blosc")
    assert_same_chunks(root, monkeypatch, exact=True)
    np.testing.assert_array_equal(arrays["n"][4], values)


def test_chunk_write_checks_its_arguments(tmp_path):
    plans = [np.array([[0, 0, 1, 4, 0]], dtype=np.int64)]
    source = np.zeros(4, "u1")
    args = (b"/tmp/x/", "default", "/", (4,), (4,), 1)
    tmp = {"temp_prefix": TEMP_PREFIX}
    with pytest.raises(ValueError, match="codec"):
        chunkwrite.ChunkWrite(*args, "gzip", "C", plans, source, b"\0", **tmp)
    with pytest.raises(ValueError, match="compressor"):
        chunkwrite.ChunkWrite(*args, "blosc", "C", plans, source, b"\0", cname="nope", **tmp)
    with pytest.raises(ValueError, match="directory"):
        chunkwrite.ChunkWrite(b"/tmp/x", *args[1:], None, "C", plans, source, b"\0", **tmp)
    with pytest.raises(ValueError, match="go together"):
        chunkwrite.ChunkWrite(*args, None, "C", plans, source, b"\0")
    with pytest.raises(ValueError, match="temp_prefix"):
        chunkwrite.ChunkWrite(*args, None, "C", plans, source, b"\0", temp_prefix="a/b")
    write = chunkwrite.ChunkWrite(*args, "zstd", "C", plans, source, b"\0", **tmp)
    dec = chunkio.Decompressor()
    with pytest.raises(ValueError, match="need"):
        write.run(dec, np.empty(4, "u1"), np.empty(1, "u1"), 0, 1)
    with pytest.raises(ValueError, match="range"):
        write.run(dec, np.empty(4, "u1"), np.empty(write.encode_bound, "u1"), 0, 2)
    bad_plans = [np.array([[1, 0, 1, 4, 0]], dtype=np.int64)]  # chunk 1 lies past the array
    with pytest.raises(ValueError):
        chunkwrite.ChunkWrite(*args, None, "C", bad_plans, source, b"\0", **tmp).run(
            dec, np.empty(4, "u1"), np.empty(4, "u1"), 0, 1)
    # the memory sink: the encoded chunks land in `out`, which must hold every chunk's bound
    memory = chunkwrite.ChunkWrite(None, "default", "/", (4,), (4,), 1, "zstd", "C", plans,
                                np.arange(4, dtype="u1"), b"\0")
    with pytest.raises(ValueError, match="need"):
        memory.run(dec, np.empty(4, "u1"), np.empty(memory.encode_bound - 1, "u1"), 0, 1)
    out = np.empty(memory.encode_bound, "u1")
    rc, index, err, outcome = memory.run(dec, np.empty(4, "u1"), out, 0, 1)
    assert (rc, index) == (1, -1) and outcome[0, 0] == 0
    import zstandard

    assert zstandard.decompress(out[:outcome[0, 1]].tobytes()) == bytes(range(4))


def test_chunk_encode_checks_its_arguments():
    source = np.arange(32, dtype="u1").reshape(4, 8)
    source[:2, :4] = 0
    encode = chunkwrite.ChunkEncode((2, 4), 1, None, "C", source, b"\0")
    dec, dbuf = chunkio.Decompressor(), np.empty(8, "u1")
    used, placed = encode.run(dec, np.array([[0, 0], [2, 4]], np.int64), dbuf, np.empty(16, "u1"))
    assert used == 8 and placed.tolist() == [[-1, -1], [0, 8]]  # the first chunk is all fill
    for origins in ([[3, 0]], [[0, 5]], [[-1, 0]]):
        with pytest.raises(ValueError):
            encode.run(dec, np.array(origins, np.int64), dbuf, np.empty(16, "u1"))
    with pytest.raises(ValueError, match="need"):
        encode.run(dec, np.array([[0, 0], [2, 0]], np.int64), dbuf, np.empty(15, "u1"))
    with pytest.raises(ValueError, match="columns"):
        encode.run(dec, np.zeros((1, 3), np.int64), dbuf, np.empty(16, "u1"))


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("fsync", [False, True])
def test_fsync_store_flushes_each_chunk_before_its_rename(tmp_path, fsync):
    # the C loop makes the system calls itself: strace counts them in a child process
    script = (
        "import numpy as np, sys, zarrc\n"
        "from zarrc.storage import LocalStore\n"
        f"a = zarrc.create_array(LocalStore(sys.argv[1], fsync={fsync}), name='a', shape=(10, 10),"
        " chunks=(5, 5), dtype='i2')\n"
        "print('WRITE', flush=True)\n"
        "a[...] = np.arange(100).reshape(10, 10)\n"
    )
    trace = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=fsync,rename,write", "-o", str(trace),
                    sys.executable, "-c", script, str(tmp_path / "data")], check=True,
                   capture_output=True)
    calls = trace.read_text().split("WRITE", 1)[1].splitlines()
    renames = [c for c in calls if "rename(" in c and "/a/c/" in c]
    fsyncs = [c for c in calls if "fsync(" in c]
    assert len(renames) == 4
    assert len(fsyncs) == (4 if fsync else 0)


# ------------------------------------------------------------------ blosc-lz4 from the rows
# zc_bloscenc encodes blosc-lz4 chunks itself, straight from the source rows when they lie
# contiguous there (C order, rows of 256 bytes or more, at most 1024 rows, whole inner chunks)
# and from the gathered chunk otherwise. Its output must be c-blosc's byte for byte: the oracle
# is numcodecs' own c-blosc (and the reference implementation, gathering every chunk).

def assert_c_blosc_bytes(root, coding):
    """Every chunk file below root/n is c-blosc's encoding of its chunk, with numcodecs' own
    c-blosc as the oracle (zarrc's blosc is one implementation, so the reference
    implementation's bytes are no independent witness)."""
    import numcodecs

    numcodecs.blosc.use_threads = False
    with engine("reference"):
        ctx = zarrc.open_array(LocalStore(os.path.join(root, "n")), path="a")._ctx
    conf = coding[0]["configuration"]
    peer = numcodecs.Blosc(cname=conf["cname"], clevel=conf["clevel"], blocksize=0,
                           shuffle={"noshuffle": 0, "shuffle": 1}[conf["shuffle"]],
                           typesize=conf.get("typesize", ctx.dtype.itemsize))
    order = ctx.pipeline.native_chain().order
    stored = files(os.path.join(root, "n"))
    assert stored
    for key, value in stored.items():
        chunk = ctx.pipeline.decode(value, key)
        assert bytes(peer.encode(chunk.tobytes(order=order))) == value, key


def blosc_lz4(clevel, shuffle, typesize):
    config = {"cname": "lz4", "clevel": clevel, "shuffle": shuffle}
    v2 = {"id": "blosc", "cname": "lz4", "clevel": clevel,
          "shuffle": {"noshuffle": 0, "shuffle": 1}[shuffle]}
    if typesize is not None:
        config["typesize"] = typesize
    return {"name": "blosc", "configuration": config}, v2


def contents(kind, shape, dtype, rng):
    """Values that compress well (smooth), not at all (random bytes), to nothing (constant),
    or half and half (mixed)."""
    if kind == "random":
        return rng.integers(0, 256, size=(*shape, np.dtype(dtype).itemsize),
                            dtype=np.uint8).view(dtype).reshape(shape)
    if kind == "constant":
        return np.full(shape, 7, dtype)
    smooth = (np.sin(np.arange(int(np.prod(shape))) / 50) * 100).reshape(shape).astype(dtype)
    if kind == "mixed":
        flat = smooth.reshape(-1)
        flat[::2] = contents("random", flat[::2].shape, dtype, rng)
    return smooth


@st.composite
def blosc_layouts(draw):
    dtype = draw(st.sampled_from(["u1", "<i2", "<f4", "<f8"]))
    row = draw(st.sampled_from([1, 3, 40, 64, 100, 512, 700]))
    rows = draw(st.sampled_from([1, 2, 7, 64, 300, 1100]))
    lead = (2, rows // 2) if rows > 2 and draw(st.booleans()) else (rows,)
    chunks = (*lead, row)
    # one or two chunks per dimension, and sometimes a part of one more: edge chunks
    shape = tuple(c * draw(st.sampled_from([1, 2])) + draw(st.sampled_from([0, 1, 3])) % c
                  for c in chunks)
    return dtype, chunks, shape


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(layout=blosc_layouts(), clevel=st.integers(0, 9),
       shuffle=st.sampled_from(["noshuffle", "shuffle"]),
       typesize=st.sampled_from([None, None, 1, 2, 3, 8, 16, 17, 255]),
       kind=st.sampled_from(["smooth", "random", "constant", "mixed"]),
       order=st.sampled_from(["C", "C", "F"]), seed=st.integers(0, 2**16))
def test_blosc_lz4_chunks_are_c_blosc_bytes(layout, clevel, shuffle, typesize, kind, order,
                                            seed, monkeypatch):
    dtype, chunks, shape = layout
    assume(int(np.prod(chunks)) * np.dtype(dtype).itemsize <= 3 << 20)
    data = contents(kind, shape, dtype, np.random.default_rng(seed))
    with tempfile.TemporaryDirectory() as root:
        coding = blosc_lz4(clevel, shuffle, typesize)
        a = write_both(root, shape, dtype, chunks, [(Ellipsis, data)], monkeypatch,
                       codec=coding, order=order, write_empty_chunks=True)["n"]
        assert_same_chunks(root, monkeypatch, exact=True)
        assert_c_blosc_bytes(root, coding)
        np.testing.assert_array_equal(a[...], data)


@pytest.mark.parametrize("dtype", ["u1", "<i2", "<f4", "<f8", "<c16"])
@pytest.mark.parametrize("typesize", [None, 3])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle"])
@pytest.mark.parametrize("kind", ["smooth", "random", "mixed"])
def test_blosc_lz4_every_item_size_is_c_blosc_bytes(tmp_path, monkeypatch, dtype, typesize,
                                                     shuffle, kind):
    # rows of 300 items: encoded from the source rows (a shuffle of whole items per row) except
    # for typesize 3 on rows whose bytes it does not divide (gathered first); edge chunks too
    shape, chunks = (130, 650), (64, 300)
    data = contents(kind, shape, dtype, np.random.default_rng(5))
    coding = blosc_lz4(4, shuffle, typesize)
    a = write_both(str(tmp_path), shape, dtype, chunks, [(Ellipsis, data)], monkeypatch,
                   codec=coding)["n"]
    assert_same_chunks(str(tmp_path), monkeypatch, exact=True)
    assert_c_blosc_bytes(str(tmp_path), coding)
    np.testing.assert_array_equal(a[...], data)


@pytest.mark.parametrize("clevel", [1, 5, 9])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle"])
def test_blosc_lz4_tiles_of_a_wide_array_are_c_blosc_bytes(tmp_path, monkeypatch, clevel,
                                                           shuffle):
    # the peer harness's layout at a quarter of its side: 1 MiB tiles of 2 KiB rows, encoded
    # from the rows where they lie; two blocks of 512 KiB per chunk, 4 streams each
    i, j = np.ogrid[:1024, :1024]
    data = (np.round((np.sin(i / 37) + np.cos(j / 53)) * 1024) / 1024).astype("f4")
    spy = Spy(monkeypatch)
    coding = blosc_lz4(clevel, shuffle, None)
    a = write_both(str(tmp_path), data.shape, "f4", (512, 512), [(Ellipsis, data)], monkeypatch,
                   codec=coding)["n"]
    assert spy.native == 4 and spy.python == 0
    assert_same_chunks(str(tmp_path), monkeypatch, exact=True)
    assert_c_blosc_bytes(str(tmp_path), coding)
    np.testing.assert_array_equal(a[...], data)


def test_chunk_write_needs_the_blosc_scratch(tmp_path):
    plans = [np.array([[0, 0, 1, 512, 0]], dtype=np.int64)]
    source = np.zeros(512, "<f4")
    write = chunkwrite.ChunkWrite(str(tmp_path).encode() + b"/", "default", "/", (512,), (512,), 4,
                               "blosc", "C", plans, source, b"\0" * 4, level=5, shuffle=1,
                               typesize=4, cname="lz4", temp_prefix=TEMP_PREFIX)
    assert write.scratch_nbytes >= 2 * write.chunk_nbytes  # the chunk, then a block
    dec = chunkio.Decompressor()
    with pytest.raises(ValueError, match="need"):
        write.run(dec, np.empty(write.chunk_nbytes, "u1"), np.empty(write.encode_bound, "u1"),
                  0, 1)
