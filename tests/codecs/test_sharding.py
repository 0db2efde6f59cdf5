"""The sharding_indexed codec (zarrc.codecs.sharding) against the spec, zarr-python 3 and
tensorstore: layout, byte identity, round trips, partial-read helpers and corrupt shards."""

from __future__ import annotations

import json
import pathlib
import warnings

import crc32c as crc32c_pkg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.codecs import ChunkSpec, CodecPipeline, ShardingCodec, get_codec
from zarrc.codecs.sharding import MISSING, morton_order
from zarrc.errors import ChecksumError, CodecError, MetadataError

BYTES_LE = {"name": "bytes", "configuration": {"endian": "little"}}
CRC = {"name": "crc32c"}


def sharding(chunk_shape, codecs=(BYTES_LE,), location="end", index_codecs=(BYTES_LE, CRC)):
    return {"name": "sharding_indexed", "configuration": {
        "chunk_shape": list(chunk_shape), "codecs": list(codecs),
        "index_codecs": list(index_codecs), "index_location": location}}


def pipeline(shard_shape, dtype, codec_json, fill=0):
    spec = ChunkSpec(shard_shape, np.dtype(dtype), fill_value=np.asarray(fill, dtype)[()])
    return CodecPipeline.from_v3([codec_json], spec, "c/0/0")


def sample(shape, dtype="<f8", seed=0):
    """Data with whole fill-valued inner regions, NaNs and negative zeros."""
    rng = np.random.default_rng(seed)
    arr = rng.integers(-50, 50, shape).astype(dtype)
    arr[: shape[0] // 3] = 0
    if np.dtype(dtype).kind == "f":
        arr[-1, -1] = np.nan
        arr.flat[len(arr.flat) // 2] = -0.0
    return arr


def stored_files(root):
    root = pathlib.Path(root)
    return {str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and p.name != "zarr.json"}


def zarr_json(root):
    return json.loads((pathlib.Path(root) / "zarr.json").read_text())


def read_index(shard, n_chunks, location="end"):
    """The index by the spec alone: n (offset, nbytes) little-endian uint64 pairs + crc32c."""
    size = 16 * n_chunks + 4
    raw = shard[-size:] if location == "end" else shard[:size]
    assert int.from_bytes(raw[-4:], "little") == crc32c_pkg.crc32c(raw[:-4])
    return np.frombuffer(raw[:-4], dtype="<u8").reshape(n_chunks, 2)


def with_index(payload, index, location="end"):
    """A shard of `payload` and the given index, checksummed with the crc32c package."""
    raw = np.asarray(index, dtype="<u8").tobytes()
    raw += crc32c_pkg.crc32c(raw).to_bytes(4, "little")
    return payload + raw if location == "end" else raw + payload


# ----------------------------------------------------------------------------- layout


@pytest.mark.parametrize("shape", [(2, 2), (3, 5), (1, 4, 3), (7,), (4, 4, 4), (5, 1, 6), (1,)])
def test_morton_order_is_zarr_pythons_write_order(zarr, shape):
    from zarr.core.indexing import morton_order_iter

    assert list(morton_order(shape)) == list(morton_order_iter(shape))


def test_spec_layout_by_hand():
    """2x2 inner chunks of a 4x4 uint8 shard, one of them all fill: the spec's layout."""
    shard = np.arange(16, dtype="u1").reshape(4, 4) + 1
    shard[2:, :2] = 0  # inner chunk (1, 0) equals the fill value
    p = pipeline((4, 4), "u1", sharding((2, 2), codecs=[{"name": "bytes"}]))
    data = p.encode(shard, "c/0")
    index = read_index(data, 4).reshape(2, 2, 2)
    assert tuple(index[1, 0]) == (MISSING, MISSING)
    # Morton order (0,0), (1,0)-missing, (0,1), (1,1): 4 bytes each from offset 0
    assert [tuple(index[c]) for c in [(0, 0), (0, 1), (1, 1)]] == [(0, 4), (4, 4), (8, 4)]
    assert data[:4] == shard[:2, :2].tobytes() and data[4:8] == shard[:2, 2:].tobytes()
    assert len(data) == 12 + 4 * 16 + 4
    np.testing.assert_array_equal(p.decode(data, "c/0"), shard)


def test_index_at_start_offsets_count_the_index():
    shard = np.arange(16, dtype="<i2").reshape(4, 4)
    p = pipeline((4, 4), "<i2", sharding((2, 2), location="start"))
    data = p.encode(shard, "c/0")
    index = read_index(data, 4, "start")
    assert sorted(index[:, 0]) == [68, 76, 84, 92]
    np.testing.assert_array_equal(p.decode(data, "c/0"), shard)


def test_all_fill_shard_is_just_an_index():
    p = pipeline((4, 6), "<f4", sharding((2, 3)), fill=1.5)
    data = p.encode(np.full((4, 6), 1.5, "<f4"), "c/0")
    assert (read_index(data, 4) == MISSING).all() and len(data) == 4 * 16 + 4
    np.testing.assert_array_equal(p.decode(data, "c/0"), np.full((4, 6), 1.5, "<f4"))


def test_fill_comparison_is_bitwise():
    """A NaN fill skips NaN chunks; -0.0 is not the fill 0.0 (zarr-python's rule)."""
    nan = pipeline((2, 2), "<f8", sharding((1, 2)), fill=np.nan)
    data = nan.encode(np.array([[np.nan, np.nan], [1.0, np.nan]]), "c")
    assert tuple(read_index(data, 2)[0]) == (MISSING, MISSING)
    zero = pipeline((2, 2), "<f8", sharding((1, 2)))
    data = zero.encode(np.array([[-0.0, 0.0], [0.0, 0.0]]), "c")
    index = read_index(data, 2)
    assert index[0, 1] == 16 and tuple(index[1]) == (MISSING, MISSING)
    out = zero.decode(data, "c")
    assert np.signbit(out[0, 0]) and not np.signbit(out[0, 1])


# ----------------------------------------------------------------------------- round trips

CHAINS = {
    "bytes": [BYTES_LE],
    "bytes_be_gzip": [{"name": "bytes", "configuration": {"endian": "big"}},
                      {"name": "gzip", "configuration": {"level": 1}}],
    "transpose_zstd": [{"name": "transpose", "configuration": {"order": [1, 0]}}, BYTES_LE,
                       {"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
    "blosc_crc": [BYTES_LE, {"name": "blosc", "configuration": {
        "cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 8, "blocksize": 0}},
        CRC],
    "nested": [sharding((2, 2), codecs=[BYTES_LE, CRC], location="start")],
}


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_round_trip(chain, location):
    shard = sample((8, 12))
    p = pipeline((8, 12), "<f8", sharding((4, 4), CHAINS[chain], location))
    data = p.encode(shard, "c/0/0")
    np.testing.assert_array_equal(p.decode(data, "c/0/0"), shard)
    out = np.full((8, 12), 7.0)
    assert p.decode(data, "c/0/0", out=out) is out
    np.testing.assert_array_equal(out, shard)
    # into a strided view of a bigger array, as the engine does for a fully covered shard
    big = np.zeros((16, 24))
    view = big[::2, 1::2]
    p.decode(data, "c/0/0", out=view)
    np.testing.assert_array_equal(view, shard)
    assert not big[1::2].any()


@settings(max_examples=40, deadline=None)
@given(
    inner=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    per_shard=st.lists(st.integers(1, 4), min_size=3, max_size=3),
    fill_mask_seed=st.integers(0, 2**16),
    location=st.sampled_from(["start", "end"]),
    dtype=st.sampled_from(["u1", "<i4", ">f4", "<c8"]),
)
def test_round_trip_property(inner, per_shard, fill_mask_seed, location, dtype):
    shape = tuple(c * n for c, n in zip(inner, per_shard))
    rng = np.random.default_rng(fill_mask_seed)
    shard = rng.integers(1, 100, shape).astype(dtype)
    shard[rng.random(shape) < 0.5] = 0
    p = pipeline(shape, dtype, sharding(inner, [BYTES_LE], location))
    data = p.encode(shard, "c")
    np.testing.assert_array_equal(p.decode(data, "c"), shard)
    # present inner chunks are exactly the non-fill ones, packed in Morton order
    n = int(np.prod([s // c for s, c in zip(shape, inner)]))
    index = read_index(data, n, location).reshape(*(s // c for s, c in zip(shape, inner)), 2)
    offset = 16 * n + 4 if location == "start" else 0
    codec = p.codecs[0]
    for coords in morton_order(index.shape[:-1]):
        if not shard[codec.inner_region(coords)].any():
            assert tuple(index[coords]) == (MISSING, MISSING)
            continue
        assert index[coords][0] == offset
        offset += int(index[coords][1])


# ----------------------------------------------------------------------------- zarr-python

# inner chains whose codecs are byte-identical across the two libraries
IDENTICAL = {
    "raw": dict(compressors=None),
    "bytes_crc": dict(compressors=[CRC]),
    "transpose": dict(filters=[{"name": "transpose", "configuration": {"order": [1, 0]}}],
                      compressors=None),
    "blosc": dict(compressors=[{"name": "blosc", "configuration": {
        "cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 8, "blocksize": 0}}]),
}


def _zarr_kwargs(zarr, kw):
    """The same request in zarr-python's terms (codec objects, not JSON)."""
    from zarr.registry import get_codec_class

    def obj(c):
        return get_codec_class(c["name"]).from_dict(c)

    out = dict(kw)
    for key in ("filters", "compressors"):
        if out.get(key):
            out[key] = [obj(c) for c in out[key]]
    return out


@pytest.mark.parametrize("location", ["end", "start"])
@pytest.mark.parametrize("chain", sorted(IDENTICAL))
def test_stored_shards_are_byte_identical_to_zarr_python(zarr, tmp_path, chain, location):
    data = sample((23, 31))
    data[12:, 20:] = np.nan
    kw = dict(shape=data.shape, dtype="<f8", chunks=(3, 4),
              shards={"shape": (12, 16), "index_location": location}, **IDENTICAL[chain])
    z = zarr.create_array(zarr.storage.LocalStore(tmp_path / "zp"), **_zarr_kwargs(zarr, kw))
    z[...] = data
    a = zarrc.create_array(str(tmp_path / "zc"), **kw)
    a[...] = data
    ours, theirs = stored_files(tmp_path / "zc"), stored_files(tmp_path / "zp")
    assert sorted(ours) == sorted(theirs) and len(ours) == 4
    for key in theirs:
        assert ours[key] == theirs[key], key
    ours_doc, theirs_doc = zarr_json(tmp_path / "zc"), zarr_json(tmp_path / "zp")
    for key in ("chunk_grid", "codecs", "shape", "fill_value"):
        assert ours_doc[key] == theirs_doc[key], key
    # partial writes re-encode shards as zarr-python does
    z[5:9, 3:30] = -1.0
    a[5:9, 3:30] = -1.0
    assert stored_files(tmp_path / "zc") == stored_files(tmp_path / "zp")


def test_nested_sharding_is_byte_identical_to_zarr_python(zarr, tmp_path):
    from zarr.codecs import BytesCodec, Crc32cCodec
    from zarr.codecs import ShardingCodec as ZarrSharding

    data = sample((24, 32), "<i4")
    z = zarr.create_array(
        zarr.storage.LocalStore(tmp_path / "zp"), shape=data.shape, dtype="<i4",
        chunks=(6, 8), shards=(12, 16), compressors=None,
        serializer=ZarrSharding(chunk_shape=(3, 4), codecs=[BytesCodec(), Crc32cCodec()],
                                index_location="start"))
    z[...] = data
    doc = zarr_json(tmp_path / "zp")
    a = zarrc.create_array(str(tmp_path / "zc"), shape=data.shape, dtype="<i4",
                           chunks=(12, 16), codecs=doc["codecs"])
    a[...] = data
    assert stored_files(tmp_path / "zc") == stored_files(tmp_path / "zp")
    assert zarr_json(tmp_path / "zc")["codecs"] == doc["codecs"]
    b = zarrc.open_array(str(tmp_path / "zp"), mode="r")
    assert (b.chunks, b.shards) == (z.chunks, z.shards) == ((6, 8), (12, 16))
    np.testing.assert_array_equal(b[...], data)


@pytest.mark.parametrize("kw", [
    dict(shape=(20, 30), dtype="<f4", chunks=(5, 7), shards=(10, 14)),
    dict(shape=(20, 30), dtype="u1", chunks=(5, 7), shards=(10, 14), compressors=None),
    dict(shape=(20, 30), dtype=">i2", chunks=(5, 7),
         shards={"shape": (20, 14), "index_location": "start"}),
    dict(shape=(1000, 1000), dtype="<f8", shards=(500, 500)),  # chunks="auto" next to shards
    dict(shape=(200,), dtype="<i4", chunks=(10,), shards="auto"),
    dict(shape=(7, 9), dtype="<f8", chunks=(2, 2), shards=(8, 10)),  # shard larger than array
])
def test_create_array_metadata_matches_zarr_python(zarr, tmp_path, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr-python: shards="auto" is experimental
        z = zarr.create_array(zarr.storage.LocalStore(tmp_path / "zp"), **kw)
    a = zarrc.create_array(str(tmp_path / "zc"), **kw)
    ours, theirs = zarr_json(tmp_path / "zc"), zarr_json(tmp_path / "zp")
    assert ours["codecs"] == theirs["codecs"]
    assert ours["chunk_grid"] == theirs["chunk_grid"]
    assert (a.chunks, a.shards) == (z.chunks, z.shards)


def test_create_array_rejects_bad_shards():
    with pytest.raises(ValueError, match="multiple of the chunk shape"):
        zarrc.create_array(None, shape=(20, 30), dtype="f4", chunks=(5, 7), shards=(10, 15))
    with pytest.raises(ValueError, match="v2"):
        zarrc.create_array(None, shape=(20, 30), dtype="f4", chunks=(5, 7), shards=(10, 14),
                           zarr_format=2)
    a = zarrc.create_array(None, shape=(20, 30), dtype="f4", chunks=(5, 7))
    assert a.shards is None and a.chunks == (5, 7)


@pytest.mark.parametrize("location", ["end", "start"])
def test_zarr_python_and_zarrc_read_each_other(zarr, tmp_path, location):
    data = sample((23, 31), "<f4")
    kw = dict(shape=data.shape, dtype="<f4", chunks=(3, 4),
              shards={"shape": (9, 8), "index_location": location}, fill_value=np.nan)
    a = zarrc.create_array(str(tmp_path / "zc"), **kw)
    a[...] = data
    np.testing.assert_array_equal(zarr.open_array(tmp_path / "zc", mode="r")[...], data)
    z = zarr.create_array(zarr.storage.LocalStore(tmp_path / "zp"), **kw)
    z[...] = data
    z[:4, :5] = np.nan  # a shard with missing inner chunks
    expected = data.copy()
    expected[:4, :5] = np.nan
    b = zarrc.open_array(str(tmp_path / "zp"), mode="r")
    np.testing.assert_array_equal(b[...], expected)
    np.testing.assert_array_equal(b[2:17:3, 5:29], expected[2:17:3, 5:29])


def test_json_form_matches_zarr_python(zarr):
    from zarr.codecs import ShardingCodec as ZarrSharding

    theirs = json.loads(json.dumps(ZarrSharding(chunk_shape=(2, 3)).to_dict()))
    assert get_codec(theirs).to_json_v3() == theirs
    assert ShardingCodec(chunk_shape=(2, 3)).to_json_v3() == theirs
    assert ShardingCodec.codec_id is None


# ----------------------------------------------------------------------------- tensorstore


@pytest.mark.parametrize("location", ["end", "start"])
def test_tensorstore_and_zarrc_read_each_other(tmp_path, location):
    ts = pytest.importorskip("tensorstore")
    data = sample((23, 31), "<f8")
    shards = {"shape": (12, 16), "index_location": location}
    a = zarrc.create_array(str(tmp_path / "zc"), shape=data.shape, dtype="<f8", chunks=(3, 4),
                           shards=shards)
    a[...] = data
    t = ts.open({"driver": "zarr3", "kvstore": {"driver": "file",
                                                "path": str(tmp_path / "zc")}}).result()
    np.testing.assert_array_equal(t.read().result(), data)
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(data.shape),
            "data_type": "float64", "fill_value": 0.0,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [12, 16]}},
            "codecs": [sharding((3, 4), [BYTES_LE, {"name": "zstd", "configuration": {
                "level": 1, "checksum": False}}], location)]}
    t = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path / "ts")},
                 "metadata": meta}, create=True).result()
    t[...] = data
    t[:3, :4] = 0  # a missing inner chunk
    expected = data.copy()
    expected[:3, :4] = 0
    b = zarrc.open_array(str(tmp_path / "ts"), mode="r")
    assert (b.chunks, b.shards) == ((3, 4), (12, 16))
    np.testing.assert_array_equal(b[...], expected)


# ----------------------------------------------------------------------------- partial reads


@pytest.mark.parametrize("location", ["end", "start"])
def test_partial_read_helpers_locate_and_decode_inner_chunks(location):
    shard = sample((8, 12))
    codec_json = sharding((4, 3), [BYTES_LE, {"name": "zstd", "configuration": {
        "level": 1, "checksum": False}}], location)
    p = pipeline((8, 12), "<f8", codec_json)
    data = p.encode(shard, "c")
    codec = p.codecs[0]
    assert codec.chunks_per_shard() == (2, 4)
    assert codec.index_size() == 8 * 16 + 4
    start, stop = codec.index_byte_range()
    raw = data[start:stop] if stop is not None else data[start:]  # Store.get's convention
    assert codec.index_byte_range(len(data)) == ((0, 132) if location == "start"
                                                 else (len(data) - 132, len(data)))
    index = codec.parse_index(raw, shard_size=len(data))
    assert index.shape == (2, 4, 2) and index.dtype == np.uint64
    for coords in np.ndindex(2, 4):
        found = codec.inner_byte_range(index, coords)
        region = codec.inner_region(coords)
        if not shard[region].any():
            assert found is None
        inner = None if found is None else data[found[0]:found[1]]
        np.testing.assert_array_equal(codec.decode_inner(inner, coords), shard[region])
        out = np.empty((4, 3))
        assert codec.decode_inner(inner, coords, out=out) is out
        np.testing.assert_array_equal(out, shard[region])


# ----------------------------------------------------------------------------- bad shards


@pytest.fixture
def shard_and_pipeline():
    p = pipeline((4, 4), "<i4", sharding((2, 2), [BYTES_LE]))
    shard = np.arange(16, dtype="<i4").reshape(4, 4)
    return p.encode(shard, "c/0/0"), p


def test_truncated_shard_is_a_codec_error(shard_and_pipeline):
    data, p = shard_and_pipeline
    with pytest.raises(CodecError, match="c/0/0.*shorter than its 68-byte index"):
        p.decode(data[:40], "c/0/0")
    with pytest.raises(CodecError, match="index is 67 bytes, expected 68"):
        p.codecs[0].parse_index(data[-67:])


def test_bad_index_checksum_is_a_checksum_error(shard_and_pipeline):
    data, p = shard_and_pipeline
    bad = bytearray(data)
    bad[-10] ^= 0xFF
    with pytest.raises(ChecksumError, match="c/0/0"):
        p.decode(bytes(bad), "c/0/0")


def test_index_entries_outside_the_shard_are_codec_errors(shard_and_pipeline):
    data, p = shard_and_pipeline
    payload = data[:64]
    index = read_index(data, 4).copy()
    index[2] = (len(payload) + 68 - 8, 16)  # its last 8 bytes lie past the shard's end
    with pytest.raises(CodecError, match=r"inner chunk \(1, 0\).*outside the shard"):
        p.decode(with_index(payload, index), "c/0/0")
    index[2] = (MISSING - 1, 16)  # offset + nbytes overflows uint64
    with pytest.raises(CodecError, match="outside the shard"):
        p.decode(with_index(payload, index), "c/0/0")
    index[2] = (MISSING, 16)
    with pytest.raises(CodecError, match="only one of offset/nbytes"):
        p.decode(with_index(payload, index), "c/0/0")


def test_wrong_inner_chunk_size_is_a_codec_error(shard_and_pipeline):
    data, p = shard_and_pipeline
    index = read_index(data, 4).copy()
    index[0, 1] = 12  # bytes codec needs 16 bytes for a 2x2 int32 chunk
    with pytest.raises(CodecError, match=r"c/0/0.*inner chunk \(0, 0\)"):
        p.decode(with_index(data[:64], index), "c/0/0")


def test_corrupt_inner_checksum_through_an_array(tmp_path):
    a = zarrc.create_array(str(tmp_path), shape=(8, 8), dtype="<i4", chunks=(2, 2),
                           shards=(4, 4), compressors=[CRC])
    a[...] = np.arange(64).reshape(8, 8) + 1
    path = tmp_path / "c" / "1" / "0"
    raw = bytearray(path.read_bytes())
    raw[3] ^= 0x01  # inside the first inner chunk's payload
    path.write_bytes(bytes(raw))
    with pytest.raises(ChecksumError, match="c/1/0"):
        a[4:8, 0:4]
    np.testing.assert_array_equal(a[:4], np.arange(32).reshape(4, 8) + 1)


def test_configuration_is_validated():
    with pytest.raises(CodecError, match="multiple of the inner 'chunk_shape'"):
        ShardingCodec(chunk_shape=(3, 3)).evolve(ChunkSpec((4, 6), "u1"))
    with pytest.raises(CodecError, match="dimensions"):
        ShardingCodec(chunk_shape=(2,)).evolve(ChunkSpec((4, 6), "u1"))
    with pytest.raises(CodecError, match="fixed-size index"):
        ShardingCodec(chunk_shape=(2,), index_codecs=[BYTES_LE, {"name": "gzip"}]).evolve(
            ChunkSpec((4,), "u1"))
    with pytest.raises(CodecError, match="index_location"):
        ShardingCodec(chunk_shape=(2,), index_location="middle")
    with pytest.raises(CodecError, match="array→bytes"):
        ShardingCodec(chunk_shape=(2,), codecs=[{"name": "gzip"}])
    with pytest.raises(CodecError, match="chunk_shape"):
        ShardingCodec(chunk_shape=[0, 2])
    with pytest.raises(MetadataError, match="zarr.json"):
        CodecPipeline.from_v3([sharding((3,))], ChunkSpec((4,), "u1"), "zarr.json")
