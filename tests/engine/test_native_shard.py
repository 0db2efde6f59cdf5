"""Native sharded reads and shard encoding against the reference implementation and NumPy."""

import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc import config
from zarrc._ext import chunkio
from zarrc.codecs.sharding import MISSING
from zarrc.engine.native import read as native_read
from zarrc.engine.read import read_box
from zarrc.errors import ChecksumError, CodecError
from zarrc.indexing import normalize_orthogonal_selection, normalize_selection, plan_box
from zarrc.indexing.selection import SliceDim
from zarrc.storage import LocalStore, MemoryStore
from zarrc.testing import CountingStore
from zarrc.testing.engine import engine, io_kinds, reopened
from zarrc.testing.strategies import basic_selections

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


def python_box(a, sel):
    """The reference implementation's box."""
    return read_box(reopened(a, "reference")._ctx, sel)


def native_box(a, sel):
    """The native implementation's box (which must be chosen for ``a``)."""
    b = reopened(a, "native")
    assert io_kinds(b)[0] == "native", io_kinds(b)
    return read_box(b._ctx, sel, np.full(sel.box_shape, 99, dtype=b.dtype))


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


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_native_equals_reference_and_numpy(case, monkeypatch):
    rng = np.random.default_rng(case["seed"])
    shape = case["shape"]
    data = (rng.integers(0, 7, size=shape) * rng.integers(0, 2, size=shape)).astype(case["dtype"])
    with tempfile.TemporaryDirectory() as root, config.override(threads=case["threads"]), \
            monkeypatch.context() as m:
        if case["parallel"]:
            m.setattr(native_read, "_PARALLEL_BYTES", 0)
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
            box = native_box(a, sel)
            np.testing.assert_array_equal(box, python_box(a, sel))
            if not case["drop"]:
                np.testing.assert_array_equal(box.reshape(sel.out_shape),
                                              expected[case["selection"]])


@pytest.mark.parametrize("codec", sorted(COMPRESSORS))
@pytest.mark.parametrize("threads", [1, 2, 4])
def test_edge_shards_and_many_inner_chunks(tmp_path, codec, threads, monkeypatch):
    x = (np.random.default_rng(3).normal(size=(70, 53)) * 100).astype("<f4")
    a = make_sharded(LocalStore(str(tmp_path)), x, (8, 6), (3, 4), codec=codec)
    monkeypatch.setattr(native_read, "_PARALLEL_BYTES", 0)
    for selection in [np.s_[...], np.s_[3:69:2, ::-5], np.s_[69, 1:], np.s_[::-1, 52],
                      np.s_[7:9, 5:13], np.s_[23:49, 23:48], np.s_[-1:-60:-7, -3]]:
        sel = normalize_selection(selection, x.shape)
        with config.override(threads=threads):
            box = native_box(a, sel)
        np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])


@pytest.mark.parametrize("kind", ["native", "reference"])
def test_a_partial_read_fetches_only_the_index_and_the_needed_inner_chunks(kind):
    store = CountingStore()
    x = np.random.default_rng(0).normal(size=(96, 96)).astype("f4")
    a = make_sharded(store, x, (8, 8), (6, 6))  # shards of 48 x 48: 36 inner chunks each
    codec = a._ctx.pipeline.sharding
    selection = np.s_[3:21, 50:60]  # inner rows 0..2 of shard row 0; cols 6, 7 (shard col 1)
    sel = normalize_selection(selection, x.shape)
    b = reopened(a, kind)
    store.reads.clear()
    np.testing.assert_array_equal(read_box(b._ctx, sel), x[selection])
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


@pytest.mark.parametrize("kind", ["native", "reference"])
def test_a_covered_shard_is_read_whole_in_one_request(kind):
    store = CountingStore()
    x = np.arange(64 * 64, dtype="u2").reshape(64, 64)
    a = reopened(make_sharded(store, x, (8, 8), (4, 4)), kind)  # shards of 32 x 32
    store.reads.clear()
    sel = normalize_selection(np.s_[:32, 10:64], x.shape)
    np.testing.assert_array_equal(read_box(a._ctx, sel), x[:32, 10:64])
    assert [r for k, r, _ in store.reads if k == "a/c/0/1"] == [None]  # covered: whole
    partial = [r for k, r, _ in store.reads if k == "a/c/0/0"]  # index, then ranges
    assert len(partial) >= 2 and None not in partial
    assert {k for k, _, _ in store.reads} == {"a/c/0/0", "a/c/0/1"}


@pytest.mark.parametrize("local", [True, False])
@pytest.mark.parametrize("kind", ["native", "reference"])
@pytest.mark.parametrize("whole", [False, True])
def test_an_index_claiming_huge_inner_chunks_is_a_codec_error(tmp_path, local, kind, whole):
    # an index entry with a valid checksum that claims 2**62 bytes: nothing may be allocated
    # from that number (no MemoryError); the read fails naming the shard and the inner chunk
    import crc32c

    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    x = np.arange(32 * 32, dtype="<i4").reshape(32, 32)
    a = reopened(make_sharded(store, x, (4, 4), (4, 4)), kind)
    key = "a/c/0/1"
    codec = a._ctx.pipeline.sharding
    raw = store.get(key)
    start, stop = codec.index_byte_range(len(raw))
    index = np.frombuffer(raw[start:stop - 4], "<u8").reshape(4, 4, 2).copy()
    index[1, 2, 1] = 2**62
    table = index.tobytes()
    store.set(key, raw[:start] + table + crc32c.crc32c(table).to_bytes(4, "little"))
    selection = np.s_[:16, 16:] if whole else np.s_[5:6, 24:26]  # covers the shard, or part
    with pytest.raises(CodecError, match="a/c/0/1") as info:
        a[selection]
    assert "(1, 2)" in str(info.value)
    np.testing.assert_array_equal(a[16:, :16], x[16:, :16])  # other shards still read


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
        np.testing.assert_array_equal(native_box(a, sel), expected[selection])
        np.testing.assert_array_equal(python_box(a, sel), expected[selection])


def _damage_inner_chunk(store, key, codec, coords):
    """Flip bytes in the middle of inner chunk ``coords`` of shard ``key``."""
    raw = bytearray(store.get(key))
    start, stop = codec.index_byte_range(len(raw))
    index = codec.parse_index(bytes(raw[start:stop]), shard_size=len(raw))
    off, n = (int(v) for v in index[coords])
    for i in range(off + n // 3, off + n // 3 + max(1, n // 4)):
        raw[i] ^= 0x5A
    store.set(key, bytes(raw))


@pytest.mark.parametrize("codec", sorted(set(COMPRESSORS) - {"none", "lz4"}))
@pytest.mark.parametrize("local", [True, False])
@pytest.mark.parametrize("selection", [np.s_[...], np.s_[8:20, 3:9]])
def test_corrupt_inner_chunk_is_a_codec_error_on_both_paths(tmp_path, codec, local, selection):
    store = LocalStore(str(tmp_path)) if local else MemoryStore()
    x = (np.random.default_rng(2).normal(size=(32, 32)) * 10).round().astype("<f8")
    a = make_sharded(store, x, (8, 8), (2, 2), codec=codec)
    _damage_inner_chunk(store, "a/c/1/0", a._ctx.pipeline.sharding, (0, 0))
    sel = normalize_selection(selection, x.shape)
    try:
        python_result = python_box(a, sel)
    except CodecError as exc:
        assert "a/c/1/0" in str(exc) and "inner chunk (0, 0)" in str(exc)
        with pytest.raises(type(exc)) as got:
            native_box(a, sel)
        assert "a/c/1/0" in str(got.value) and "inner chunk (0, 0)" in str(got.value)
    else:  # damage the codec does not detect (blosc-lz4 literals): both paths read the same
        assert codec == "blosc"
        np.testing.assert_array_equal(native_box(a, sel), python_result)


@pytest.mark.parametrize("local", [True, False])
@pytest.mark.parametrize("damage", ["index_crc", "truncate", "offset_past_end", "raw_size",
                                    "half_missing", "offset_past_2_63"])
@pytest.mark.parametrize("selection", [np.s_[...], np.s_[1:5, 17:19]])
def test_damaged_shards_raise_the_same_error_on_both_paths(tmp_path, local, damage, selection):
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
        python_box(a, sel)
    assert key in str(expected.value)
    if damage == "index_crc":
        assert isinstance(expected.value, ChecksumError)
    with pytest.raises(type(expected.value)) as got:
        native_box(a, sel)
    if damage == "raw_size":  # an inner chunk the decoders refuse: each says so its way
        assert key in str(got.value) and "inner chunk (0, 0)" in str(got.value)
    else:  # the shard itself: one reader for both
        assert str(got.value) == str(expected.value)


def test_other_index_codecs_and_nested_sharding(tmp_path):
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
        assert (io_kinds(a)[0] == "native") == (name in supported), name
        for selection in [np.s_[...], np.s_[3:17, 2:9]]:
            sel = normalize_selection(selection, x.shape)
            box = read_box(a._ctx, sel)
            np.testing.assert_array_equal(box, x[selection])
            np.testing.assert_array_equal(box, python_box(a, sel))
    # sorted index arrays are read natively (each inner chunk's box rows form one run);
    # shards are read in parts through views of the box, so index arrays with scattered
    # result positions are planned box-then-reorder (Array.oindex does so for shards)
    a = zarrc.open_array(store, path="plain_index")
    ortho = normalize_orthogonal_selection(([0, 2, 5], slice(None)), x.shape)
    np.testing.assert_array_equal(native_box(a, ortho), x[[0, 2, 5]])
    scattered = normalize_orthogonal_selection(([5, 0, 0], slice(None)), x.shape)
    for b in (reopened(a, "native"), reopened(a, "reference")):
        with pytest.raises(ValueError, match="scatter=False"):
            read_box(b._ctx, scattered)
    np.testing.assert_array_equal(a.oindex[[5, 0, 0], :], x[[5, 0, 0]])


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
            box = native_box(a, sel)
            np.testing.assert_array_equal(box.reshape(sel.out_shape), x[selection])


def test_buffer_read_arguments():
    box = np.zeros((4, 4), "u1")
    empty = [np.empty((0, 5), np.int64)] * 2
    reader = chunkio.ChunkRead(None, "default", "/", (2, 2), (4, 4), 1, None, "C", empty, box,
                               b"\x07")
    plans = [np.array([[1, 0, 1, 2, 0]], np.int64), np.array([[0, 0, 1, 2, 2]], np.int64)]
    dbuf = np.empty(4, np.uint8)
    dec = chunkio.Decompressor()
    assert reader.run_buffers(dec, [bytes([1, 2, 3, 4])], dbuf, 0, 1, plans=plans) == (1, -1)
    np.testing.assert_array_equal(box[:2, 2:], [[1, 2], [3, 4]])
    assert reader.run_buffers(dec, [None], dbuf, 0, 1, plans=plans) == (1, -1)  # missing
    np.testing.assert_array_equal(box[:2, 2:], 7)
    for bad in (b"\x01\x02\x03", b"\x01" * 5, b""):  # raw chunks of the wrong size
        rc, index = reader.run_buffers(dec, [bad], dbuf, 0, 1, plans=plans)
        assert (rc, index) == (chunkio.E_DATA, 0)
    with pytest.raises(ValueError):  # one buffer per chunk of the range
        reader.run_buffers(dec, [b"\0" * 4] * 2, dbuf, 0, 1, plans=plans)
    with pytest.raises(ValueError):
        reader.run_buffers(dec, [b"\0" * 4], dbuf, 0, 2, plans=plans)
    with pytest.raises(ValueError):
        reader.run_buffers(dec, [b"\0" * 4], dbuf[:3], 0, 1, plans=plans)
    with pytest.raises(ValueError):  # a plan row outside the box
        reader.run_buffers(dec, [b"\0" * 4], dbuf, 0, 1,
                           plans=[plans[0], np.array([[0, 0, 1, 2, 3]], np.int64)])
    with pytest.raises(ValueError, match="no directory"):
        reader.run(dec, np.empty(8, np.uint8), dbuf, 0, 0)


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, 60), chunk=st.integers(1, 20), data=st.data())
def test_plan_rows_place_every_position_once(size, chunk, data):
    start = data.draw(st.integers(0, size - 1))
    step = data.draw(st.integers(1, 25)) * data.draw(st.sampled_from([1, -1]))
    count = len(range(start, size if step > 0 else -1, step))
    rows = plan_box((SliceDim(start, step, count),), (size,), (chunk,)).rows[0]
    placed = {}
    for c, s, st_, n, at in rows.tolist():
        assert 0 <= s < chunk and n >= 1 and (st_ == step or n == 1)
        for k in range(n):
            placed[at + k] = c * chunk + s + k * st_
    assert placed == {k: start + k * step for k in range(count)}
    chunks = rows[:, 0].tolist()
    assert len(set(chunks)) == len(chunks)  # one row per chunk, in the slice's direction
    assert chunks == sorted(chunks, reverse=step < 0)


# ----------------------------------------------------------------------------- shard encoding

def stored_both(tmp_path, steps, **kwargs):
    """A sharded array made with ``kwargs`` and written with ``steps`` ([(selection, value)])
    by each implementation, in tmp_path/n and tmp_path/p: the native array and {name: {key:
    bytes}} of both stores."""
    stored = {}
    for name, kind in (("n", "native"), ("p", "reference")):
        store = LocalStore(str(tmp_path / name))
        with engine(kind):
            a = zarrc.create_array(store, **kwargs)
        assert io_kinds(a)[3] == kind  # encode_shard
        for selection, value in steps:
            a[selection] = value
        stored[name] = {k: store.get(k) for k in store.list_prefix("")}
        if kind == "native":
            array = a
    return array, stored


@pytest.mark.parametrize("location", ["start", "end"])
@pytest.mark.parametrize("compressors", [None, [{"name": "zstd", "configuration": {"level": 1}}],
                                         [{"name": "blosc", "configuration": {"cname": "lz4"}}]])
def test_native_shard_encoding_equals_the_codec(tmp_path, location, compressors):
    data = np.random.default_rng(4).integers(0, 50, size=(70, 45)).astype("f8")
    data[:32, :] = 0  # whole inner chunks of fill: left out of the shard
    # partial shards (the second step) are read, modified and encoded again
    a, stored = stored_both(tmp_path, [(Ellipsis, data), (np.s_[40:50, 3:30], -1.0)],
                            shape=data.shape, dtype="f8", chunks=(8, 9), compressors=compressors,
                            shards={"shape": (32, 18), "index_location": location})
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


@pytest.mark.parametrize("dtype", ["<i2", "<f4", "<f8"])
@pytest.mark.parametrize("shuffle", ["noshuffle", "shuffle"])
def test_native_shard_blosc_from_the_rows_equals_the_codec(tmp_path, dtype, shuffle):
    # inner chunks of rows of 128 items (256 bytes or more): blosc-lz4 encodes them straight
    # from the shard's rows; the stored shards are the blosc codec's bytes
    i, j = np.ogrid[:256, :512]
    data = (np.sin(i / 9.0) * 300 + np.cos(j / 13.0) * 200).astype(dtype)
    data[:64, :128] = 0  # an inner chunk of fill: left out
    compressors = [{"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                      "shuffle": shuffle}}]
    a, stored = stored_both(tmp_path, [(Ellipsis, data)], shape=data.shape,
                            dtype=dtype, chunks=(64, 128), shards=(128, 256),
                            compressors=compressors)
    assert stored["n"] == stored["p"]
    np.testing.assert_array_equal(a[...], data)
