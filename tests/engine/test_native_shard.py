"""Native sharded reads (zarrc.engine.native_shard) against the Python sharded path and NumPy."""

import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc import config
from zarrc.codecs.sharding import MISSING
from zarrc.engine import native, native_shard
from zarrc.engine.read import read_box
from zarrc.errors import ChecksumError, CodecError
from zarrc.indexing import normalize_orthogonal_selection, normalize_selection
from zarrc.storage import LocalStore, MemoryStore
from zarrc.testing import CountingStore
from zarrc.testing.strategies import basic_selections

needs_chunkio = pytest.mark.skipif(native.chunkio is None,
                                   reason="zarrc._ext.chunkio not built (no zstd/lz4/blosc/zlib)")

# inner bytes->bytes codec per name (None: the raw bytes codec only)
COMPRESSORS = {
    "none": None,
    "zstd": {"name": "zstd", "configuration": {"level": 1, "checksum": False}},
    "zstd_checksum": {"name": "zstd", "configuration": {"level": 1, "checksum": True}},
    "blosc": {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                  "shuffle": "shuffle"}},
    "lz4": {"name": "numcodecs.lz4"},
    "gzip": {"name": "gzip", "configuration": {"level": 1}},
    "zlib": {"name": "numcodecs.zlib"},
}


def make_sharded(store, data, inner, per_shard, *, codec="zstd", index_location="end",
                 fill_value=0, written=None, name="a"):
    """A sharded array of ``data``; only ``written`` (a selection) is stored when given."""
    shards = tuple(c * k for c, k in zip(inner, per_shard))
    compressor = COMPRESSORS[codec]
    a = zarrc.create_array(store, name=name, shape=data.shape, dtype=data.dtype, chunks=inner,
                           shards={"shape": shards, "index_location": index_location},
                           compressors=[compressor] if compressor else None,
                           fill_value=fill_value)
    if written is None:
        a[...] = data
    else:
        a[written] = data[written]
    return a


def python_box(ctx, sel, monkeypatch):
    """The Python engine's box (native path switched off)."""
    with monkeypatch.context() as m:
        m.setattr(native, "ENABLED", False)
        return read_box(ctx, sel)


def native_box(ctx, sel):
    box = np.full(sel.box_shape, 99, dtype=ctx.dtype)
    return native.read_box_native(ctx, sel, box), box


def shard_keys(store, name="a"):
    return [k for k in store.list_prefix(f"{name}/") if not k.endswith("zarr.json")]


@st.composite
def cases(draw):
    shape = tuple(draw(st.lists(st.integers(0, 12), min_size=1, max_size=3)))
    inner = tuple(draw(st.integers(1, max(1, n))) for n in shape)
    per_shard = tuple(draw(st.integers(1, 3)) for _ in shape)
    return dict(
        shape=shape, inner=inner, per_shard=per_shard,
        dtype=draw(st.sampled_from(["u1", "<i2", "<f8"])),
        codec=draw(st.sampled_from(sorted(COMPRESSORS))),
        index_location=draw(st.sampled_from(["start", "end"])),
        fill_value=draw(st.sampled_from([0, 3])),
        written=draw(st.none() | basic_selections(shape)),
        selection=draw(basic_selections(shape)),
        threads=draw(st.sampled_from([1, 2, 3])),
        parallel=draw(st.booleans()),  # spread even tiny reads over the threads
        drop=draw(st.booleans()),  # some shards go missing
        local=draw(st.booleans()),  # LocalStore (read by file) or MemoryStore (Store.get)
        seed=draw(st.integers(0, 2**16)),
    )


@needs_chunkio
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_equals_python_sharded_path_and_numpy(case, monkeypatch):
    rng = np.random.default_rng(case["seed"])
    shape = case["shape"]
    data = (rng.integers(0, 7, size=shape) * rng.integers(0, 2, size=shape)).astype(case["dtype"])
    with tempfile.TemporaryDirectory() as root, config.override(threads=case["threads"]), \
            monkeypatch.context() as m:
        if case["parallel"]:
            m.setattr(native_shard, "_PARALLEL_BYTES", 0)
        store = LocalStore(root) if case["local"] else MemoryStore()
        a = make_sharded(store, data, case["inner"], case["per_shard"], codec=case["codec"],
                         index_location=case["index_location"], fill_value=case["fill_value"],
                         written=case["written"])
        expected = data if case["written"] is None else np.full_like(data, case["fill_value"])
        if case["written"] is not None:
            expected[case["written"]] = data[case["written"]]
        if case["drop"]:
            for k in shard_keys(store)[::2]:
                store.delete(k)
        sel = normalize_selection(case["selection"], shape)
        if not sel.box_shape or 0 not in sel.box_shape:
            handled, box = native_box(a._ctx, sel)
            assert handled
            np.testing.assert_array_equal(box, python_box(a._ctx, sel, monkeypatch))
            if not case["drop"]:
                np.testing.assert_array_equal(box.reshape(sel.out_shape),
                                              expected[case["selection"]])


@needs_chunkio
@pytest.mark.parametrize("codec", sorted(COMPRESSORS))
@pytest.mark.parametrize("threads", [1, 2, 4])
def test_edge_shards_and_many_inner_chunks(tmp_path, codec, threads, monkeypatch):
    x = (np.random.default_rng(3).normal(size=(70, 53)) * 100).astype("<f4")
    a = make_sharded(LocalStore(str(tmp_path)), x, (8, 6), (3, 4), codec=codec)
    monkeypatch.setattr(native_shard, "_PARALLEL_BYTES", 0)
    for selection in [np.s_[...], np.s_[3:69:2, ::-5], np.s_[69, 1:], np.s_[::-1, 52],
                      np.s_[7:9, 5:13], np.s_[23:49, 23:48], np.s_[-1:-60:-7, -3]]:
        sel = normalize_selection(selection, x.shape)
        with config.override(threads=threads):
            handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])


@needs_chunkio
def test_a_partial_read_fetches_only_the_index_and_the_needed_inner_chunks():
    store = CountingStore()
    x = np.random.default_rng(0).normal(size=(96, 96)).astype("f4")
    a = make_sharded(store, x, (8, 8), (6, 6))  # shards of 48 x 48: 36 inner chunks each
    codec = a._ctx.pipeline.sharding
    selection = np.s_[3:21, 50:60]  # inner rows 0..2 of shard row 0; cols 6, 7 (shard col 1)
    sel = normalize_selection(selection, x.shape)
    store.reads.clear()
    handled, box = native_box(a._ctx, sel)
    assert handled
    np.testing.assert_array_equal(box, x[selection])
    reads = list(store.reads)
    assert {k for k, _, _ in reads} == {"a/c/0/1"}
    index_range = codec.index_byte_range()
    index = codec.parse_index(store.get("a/c/0/1", byte_range=index_range))
    needed = {(int(index[i, j, 0]), int(index[i, j, 0] + index[i, j, 1]))
              for i in range(3) for j in range(0, 2)}
    (k0, r0, n0), *rest = reads
    assert r0 == index_range and n0 == codec.index_size()
    covered = set()
    for _, (start, stop), n in rest:  # every range read is exactly a union of needed ones
        assert n == stop - start
        members = {r for r in needed if start <= r[0] and r[1] <= stop}
        assert sum(b - a for a, b in members) == stop - start
        covered |= members
    assert covered == needed
    assert len(rest) <= len(needed)


@needs_chunkio
def test_a_covered_shard_is_read_whole_in_one_request():
    store = CountingStore()
    x = np.arange(64 * 64, dtype="u2").reshape(64, 64)
    a = make_sharded(store, x, (8, 8), (4, 4))  # shards of 32 x 32
    store.reads.clear()
    sel = normalize_selection(np.s_[:32, 10:64], x.shape)
    handled, box = native_box(a._ctx, sel)
    assert handled
    np.testing.assert_array_equal(box, x[:32, 10:64])
    assert [r for k, r, _ in store.reads if k == "a/c/0/1"] == [None]  # covered: whole
    partial = [r for k, r, _ in store.reads if k == "a/c/0/0"]  # index, then ranges
    assert len(partial) >= 2 and None not in partial
    assert {k for k, _, _ in store.reads} == {"a/c/0/0", "a/c/0/1"}


@needs_chunkio
def test_nearby_ranges_of_a_local_shard_file_are_read_at_once(tmp_path, monkeypatch):
    x = np.random.default_rng(1).normal(size=(64, 64)).astype("f4")
    a = make_sharded(LocalStore(str(tmp_path)), x, (8, 8), (8, 8), codec="none")
    calls = []  # every read of the shard file (pread: the index; preadv: inner chunks)
    pread, preadv = os.pread, os.preadv
    monkeypatch.setattr(native_shard.os, "pread",
                        lambda fd, n, off: calls.append((n, off)) or pread(fd, n, off))
    monkeypatch.setattr(native_shard.os, "preadv",
                        lambda fd, bufs, off: calls.append((bufs, off)) or preadv(fd, bufs, off))
    selection = np.s_[0:64:17, 3:61:20]  # inner rows 0, 2, 4, 6; cols 0, 2, 5: not adjacent
    sel = normalize_selection(selection, x.shape)
    handled, box = native_box(a._ctx, sel)
    assert handled
    np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])
    assert len(calls) == 2  # the index, then one merged range
    monkeypatch.setattr(native_shard, "_LOCAL_GAP", 0)
    calls.clear()
    handled, box = native_box(a._ctx, sel)
    assert handled and len(calls) > 2
    np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])


def test_merge_gaps():
    runs = [(0, 10, [0]), (15, 20, [1]), (40, 50, [2, 3])]
    assert native_shard._merge_gaps(runs, 0) == runs
    assert native_shard._merge_gaps(runs, 5) == [(0, 20, [0, 1]), (40, 50, [2, 3])]
    assert native_shard._merge_gaps(runs, 20) == [(0, 50, [0, 1, 2, 3])]


@needs_chunkio
@pytest.mark.parametrize("local", [True, False])
def test_missing_shards_and_inner_chunks_read_as_fill(tmp_path, local):
    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    x = np.zeros((64, 64), "i2")
    a = make_sharded(store, x, (8, 8), (4, 4), fill_value=-1, written=np.s_[:0])
    a[0:8, 0:8] = 5  # one inner chunk of shard c/0/0; the other shards are absent
    expected = np.full((64, 64), -1, "i2")
    expected[0:8, 0:8] = 5
    for selection in [np.s_[...], np.s_[4:40, 2:50], np.s_[:32, :32], np.s_[40:, 40:]]:
        sel = normalize_selection(selection, x.shape)
        handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box, expected[selection])


def _damage_inner_chunk(store, key, codec, coords):
    """Flip bytes in the middle of inner chunk ``coords`` of shard ``key``."""
    raw = bytearray(store.get(key))
    start, stop = codec.index_byte_range(len(raw))
    index = codec.parse_index(bytes(raw[start:stop]), shard_size=len(raw))
    off, n = (int(v) for v in index[coords])
    for i in range(off + n // 3, off + n // 3 + max(1, n // 4)):
        raw[i] ^= 0x5A
    store.set(key, bytes(raw))


@needs_chunkio
@pytest.mark.parametrize("codec", sorted(set(COMPRESSORS) - {"none", "lz4"}))
@pytest.mark.parametrize("local", [True, False])
@pytest.mark.parametrize("selection", [np.s_[...], np.s_[8:20, 3:9]])
def test_corrupt_inner_chunk_raises_the_python_paths_error(tmp_path, codec, local, selection,
                                                           monkeypatch):
    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    x = (np.random.default_rng(2).normal(size=(32, 32)) * 10).round().astype("<f8")
    a = make_sharded(store, x, (8, 8), (2, 2), codec=codec)
    _damage_inner_chunk(store, "a/c/1/0", a._ctx.pipeline.sharding, (0, 0))
    sel = normalize_selection(selection, x.shape)
    try:
        python_result = python_box(a._ctx, sel, monkeypatch)
    except CodecError as exc:
        assert "a/c/1/0" in str(exc)
        with pytest.raises(type(exc)) as got:
            native_box(a._ctx, sel)
        assert str(got.value) == str(exc)
    else:  # damage the codec does not detect (blosc-lz4 literals): both paths read the same
        assert codec == "blosc"
        handled, box = native_box(a._ctx, sel)
        assert handled
        np.testing.assert_array_equal(box, python_result)


@needs_chunkio
@pytest.mark.parametrize("local", [True, False])
@pytest.mark.parametrize("damage", ["index_crc", "truncate", "offset_past_end", "raw_size",
                                    "half_missing", "offset_past_2_63"])
@pytest.mark.parametrize("selection", [np.s_[...], np.s_[1:5, 17:19]])
def test_damaged_shards_raise_the_python_paths_error(tmp_path, local, damage, selection,
                                                     monkeypatch):
    import crc32c

    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    x = np.arange(32 * 32, dtype="<i4").reshape(32, 32)
    a = make_sharded(store, x, (4, 4), (4, 4), codec="none" if damage == "raw_size" else "zstd")
    key = "a/c/0/1"
    codec = a._ctx.pipeline.sharding
    raw = store.get(key)
    start, stop = codec.index_byte_range(len(raw))
    body, index = raw[:start], np.frombuffer(raw[start:stop - 4], "<u8").reshape(4, 4, 2).copy()
    if damage == "index_crc":
        raw = raw[:-1] + bytes([raw[-1] ^ 1])
    elif damage == "truncate":
        raw = raw[:5]
    else:
        if damage == "offset_past_end":
            index[0, 0, 0] = len(raw) + 100
        elif damage == "half_missing":
            index[0, 0, 1] = 2**64 - 1
        elif damage == "offset_past_2_63":
            index[0, 0, 0] = 2**63 + 5
        else:  # an uncompressed inner chunk one item short
            index[0, 0, 1] -= 4
        table = index.tobytes()
        raw = body + table + crc32c.crc32c(table).to_bytes(4, "little")
    store.set(key, raw)
    sel = normalize_selection(selection, x.shape)
    with pytest.raises(CodecError) as expected:
        python_box(a._ctx, sel, monkeypatch)
    assert key in str(expected.value)
    if damage == "index_crc":
        assert isinstance(expected.value, ChecksumError)
    with pytest.raises(type(expected.value)) as got:
        native_box(a._ctx, sel)
    assert str(got.value) == str(expected.value)


@needs_chunkio
def test_other_index_codecs_and_nested_sharding(tmp_path, monkeypatch):
    x = np.arange(24 * 20, dtype="<u4").reshape(24, 20)
    inner = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd"}]

    def sharding(codecs, index_codecs, chunk_shape=(4, 5)):
        return {"name": "sharding_indexed", "configuration": {
            "chunk_shape": list(chunk_shape), "codecs": codecs, "index_codecs": index_codecs,
            "index_location": "start"}}

    plain_index = [{"name": "bytes", "configuration": {"endian": "little"}}]
    big_index = [{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "crc32c"}]
    supported = {"plain_index": sharding(inner, plain_index),
                 "big_endian_index": sharding(inner, big_index)}
    unsupported = {
        "nested": sharding([sharding(inner, plain_index, (2, 5))], plain_index),
        "transpose": sharding([{"name": "transpose", "configuration": {"order": [1, 0]}},
                               *inner], plain_index),
        "two_compressors": sharding([*inner, {"name": "crc32c"}], plain_index),
        "big_endian_chunks": sharding([{"name": "bytes", "configuration": {"endian": "big"}}],
                                      plain_index),
    }
    store = LocalStore(str(tmp_path))
    for name, codec in {**supported, **unsupported}.items():
        a = zarrc.create_array(store, name=name, shape=x.shape, dtype=x.dtype, chunks=(8, 10),
                               codecs=[codec])
        a[...] = x
        for selection in [np.s_[...], np.s_[3:17, 2:9]]:
            sel = normalize_selection(selection, x.shape)
            handled, box = native_box(a._ctx, sel)
            assert handled == (name in supported), name
            if handled:
                np.testing.assert_array_equal(box, x[selection])
                np.testing.assert_array_equal(box, python_box(a._ctx, sel, monkeypatch))
    # sorted index arrays are read natively (each inner chunk's box rows form one run);
    # unsorted ones with scattered result positions stay with the Python engine
    a = zarrc.open_array(store, path="plain_index")
    ortho = normalize_orthogonal_selection(([0, 2, 5], slice(None)), x.shape)
    handled, box = native_box(a._ctx, ortho)
    assert handled
    np.testing.assert_array_equal(box, x[[0, 2, 5]])
    scattered = normalize_orthogonal_selection(([5, 0, 0], slice(None)), x.shape)
    assert not native.read_box_native(a._ctx, scattered, np.empty(scattered.box_shape, x.dtype))


@needs_chunkio
def test_zip_store(tmp_path):
    from zarrc.storage import ZipStore

    x = np.arange(40 * 30, dtype="<f8").reshape(40, 30)
    path = str(tmp_path / "a.zip")
    with ZipStore(path, mode="w") as store:
        make_sharded(store, x, (5, 5), (2, 3), codec="zlib")
    with ZipStore(path, mode="r") as store:
        a = zarrc.open_array(store, path="a", mode="r")
        for selection in [np.s_[...], np.s_[7:33, 4:11], np.s_[39, ::-2]]:
            sel = normalize_selection(selection, x.shape)
            handled, box = native_box(a._ctx, sel)
            assert handled
            np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])


@needs_chunkio
def test_memory_read_arguments():
    chunkio = native.chunkio
    box = np.zeros((4, 4), "u1")
    reader = chunkio.MemoryRead((2, 2), (4, 4), 1, None, "C", box, b"\x07")
    plans = [np.array([[1, 0, 1, 2, 0]], np.int64), np.array([[0, 0, 1, 2, 2]], np.int64)]
    src = bytes([1, 2, 3, 4])
    dbuf = np.empty(4, np.uint8)
    dec = chunkio.Decompressor()
    assert reader.run(dec, plans, src, np.array([[0, 4]], np.int64), dbuf, 0, 1) == (1, -1)
    np.testing.assert_array_equal(box[:2, 2:], [[1, 2], [3, 4]])
    assert reader.run(dec, plans, src, np.array([[-1, -1]], np.int64), dbuf, 0, 1) == (1, -1)
    np.testing.assert_array_equal(box[:2, 2:], 7)
    for bad in ([1, 4], [0, 3], [-2, 4], [0, -4]):  # outside src, short, negative
        rc, index = reader.run(dec, plans, src, np.array([bad], np.int64), dbuf, 0, 1)
        assert (rc, index) == (chunkio.E_DATA, 0)
    with pytest.raises(ValueError):
        reader.run(dec, plans, src, np.array([[0, 4], [0, 4]], np.int64), dbuf, 0, 1)
    with pytest.raises(ValueError):
        reader.run(dec, plans, src, np.array([[0, 4]], np.int64), dbuf, 0, 2)
    with pytest.raises(ValueError):
        reader.run(dec, plans, src, np.array([[0, 4]], np.int64), dbuf[:3], 0, 1)
    with pytest.raises(ValueError):  # a plan row outside the box
        reader.run(dec, [plans[0], np.array([[0, 0, 1, 2, 3]], np.int64)], src,
                   np.array([[0, 4]], np.int64), dbuf, 0, 1)


@needs_chunkio
@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 60), chunk=st.integers(1, 20), data=st.data())
def test_plan_rows_equal_the_projection(size, chunk, data):
    from zarrc.indexing.projection import plan_dim
    from zarrc.indexing.selection import SliceDim

    start = data.draw(st.integers(0, size - 1))
    step = data.draw(st.integers(1, 25)) * data.draw(st.sampled_from([1, -1]))
    count = len(range(start, size if step > 0 else -1, step))
    d = SliceDim(start, step, count)
    expected = [(p.chunk, p.local.start, p.box.stop - p.box.start, p.box.start)
                for p in plan_dim(d, size, chunk)]
    rows = native.plan_rows(d, size, chunk)
    assert [tuple(r) for r in rows[:, [0, 1, 3, 4]].tolist()] == expected
    assert (rows[rows[:, 3] > 1, 2] == step).all()


# ----------------------------------------------------------------------------- shard encoding

def native_shard_spy(monkeypatch) -> list:
    """A list that gets, per shard encoded, whether the native encoder made it."""
    from zarrc.engine import native_shard_write

    made = []
    real = native_shard_write.encode_shard_native

    def counting(*args):
        shard = real(*args)
        made.append(shard is not None)
        return shard
    monkeypatch.setattr("zarrc.engine.write.encode_shard_native", counting)
    return made


def stored_both(tmp_path, monkeypatch, steps, **kwargs):
    """A sharded array made with ``kwargs`` and written with ``steps`` ([(selection, value)])
    natively in tmp_path/n and in Python in tmp_path/p: the native array and {name: {key:
    bytes}} of both stores."""
    stored = {}
    for name, enabled in (("n", True), ("p", False)):
        store = LocalStore(str(tmp_path / name))
        with monkeypatch.context() as m:
            m.setattr(native, "ENABLED", enabled)
            a = zarrc.create_array(store, **kwargs)
            for selection, value in steps:
                a[selection] = value
        stored[name] = {k: store.get(k) for k in store.list_prefix("")}
        if enabled:
            array = a
    return array, stored


@pytest.mark.skipif(native.chunkio is None, reason="zarrc._ext.chunkio not built")
@pytest.mark.parametrize("location", ["start", "end"])
@pytest.mark.parametrize("compressors", [None, [{"name": "zstd", "configuration": {"level": 1}}],
                                         [{"name": "blosc", "configuration": {"cname": "lz4"}}]])
def test_native_shard_encoding_equals_the_codec(tmp_path, monkeypatch, location, compressors):
    made = native_shard_spy(monkeypatch)
    data = np.random.default_rng(4).integers(0, 50, size=(70, 45)).astype("f8")
    data[:32, :] = 0  # whole inner chunks of fill: left out of the shard
    # partial shards (the second step) are read, modified and encoded again
    a, stored = stored_both(tmp_path, monkeypatch, [(Ellipsis, data), (np.s_[40:50, 3:30], -1.0)],
                            shape=data.shape, dtype="f8", chunks=(8, 9), compressors=compressors,
                            shards={"shape": (32, 18), "index_location": location})
    assert any(made)
    expected = data.copy()
    expected[40:50, 3:30] = -1.0
    np.testing.assert_array_equal(a[...], expected)
    assert sorted(stored["n"]) == sorted(stored["p"])
    codec, spec = a._ctx.pipeline.sharding, a._ctx.pipeline.spec

    def index_of(shard):
        start, stop = codec.index_byte_range(len(shard), spec)
        return codec.parse_index(shard[start:stop], spec, shard_size=len(shard))

    for key, value in stored["n"].items():
        if key.endswith("zarr.json"):
            continue
        if compressors is None or compressors[0]["name"] == "blosc":  # raw, blosc: same bytes
            assert value == stored["p"][key], key
        missing = index_of(value) == MISSING
        assert (missing == (index_of(stored["p"][key]) == MISSING)).all()  # same chunks left out
        np.testing.assert_array_equal(codec.decode(value, spec),
                                      codec.decode(stored["p"][key], spec))


@pytest.mark.skipif(native.chunkio is None, reason="zarrc._ext.chunkio not built")
@pytest.mark.parametrize("dtype", ["<i2", "<f4", "<f8"])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle"])
def test_native_shard_blosc_from_the_rows_equals_the_codec(tmp_path, monkeypatch, dtype, shuffle):
    # inner chunks of rows of 128 items (256 bytes or more): blosc-lz4 encodes them straight
    # from the shard's rows; the stored shards are python-blosc's bytes
    made = native_shard_spy(monkeypatch)
    i, j = np.ogrid[:256, :512]
    data = (np.sin(i / 9.0) * 300 + np.cos(j / 13.0) * 200).astype(dtype)
    data[:64, :128] = 0  # an inner chunk of fill: left out
    compressors = [{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                      "shuffle": shuffle}}]
    a, stored = stored_both(tmp_path, monkeypatch, [(Ellipsis, data)], shape=data.shape,
                            dtype=dtype, chunks=(64, 128), shards=(128, 256),
                            compressors=compressors)
    assert sum(made) == 4  # the four shards, natively
    assert stored["n"] == stored["p"]
    np.testing.assert_array_equal(a[...], data)
