"""The codec pipeline (zarrc.codecs.pipeline): validation, errors, decode-into, peers' bytes.

Oracles: NumPy (the chunk itself), zarr-python 3 (the chunks it stores, v3 and v2, C and F
order) and numcodecs.
"""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from zarrc.codecs import (
    ChunkSpec,
    CodecPipeline,
    register_codec,
    unregister_codec,
)
from zarrc.codecs.base import BytesBytesCodec
from zarrc.errors import ChecksumError, CodecError, MetadataError

ZSTD = {"name": "zstd", "configuration": {"level": 1, "checksum": False}}
BYTES_LE = {"name": "bytes", "configuration": {"endian": "little"}}


def v3(codecs, shape=(6, 5), dtype="<f8", key="arr/zarr.json"):
    return CodecPipeline.from_v3(codecs, ChunkSpec(shape, dtype), key)


# -- construction ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("codecs", "message"),
    [
        ([], "an array→bytes codec"),
        (["bytes", "bytes"], "only one array→bytes codec"),
        ([ZSTD, "bytes"], "bytes→bytes codec 'zstd' must come after"),
        (
            ["bytes", {"name": "transpose", "configuration": {"order": [1, 0]}}],
            "array→array codec 'transpose' must come before",
        ),
        (
            [{"name": "transpose", "configuration": {"order": [2, 1, 0]}}, "bytes"],
            "has 3 entries but the chunk has 2",
        ),
        ([{"name": "bytes", "configuration": {"endian": None}}], "'endian' must be set"),
        ("bytes", "'codecs' must be a list"),
    ],
)
def test_v3_codec_lists_are_validated(codecs, message):
    with pytest.raises(MetadataError, match=message) as info:
        v3(codecs)
    assert "arr/zarr.json" in str(info.value)


def test_unknown_codecs_are_named():
    with pytest.raises(CodecError, match=r"arr/zarr.json: codecs: unknown codec 'lz5'"):
        v3(["bytes", {"name": "lz5", "configuration": {}}])
    with pytest.raises(CodecError, match=r"a/.zarray: filters: unknown codec 'delta2'"):
        CodecPipeline.from_v2([{"id": "delta2"}], None, ChunkSpec((4,), "u1"), "a/.zarray")
    with pytest.raises(CodecError, match=r"compressor: unknown codec 'lz5'"):
        CodecPipeline.from_v2(None, {"id": "lz5"}, ChunkSpec((4,), "u1"))
    with pytest.raises(MetadataError, match="cannot be a zarr v2 compressor"):
        CodecPipeline.from_v2(None, {"name": "bytes"}, ChunkSpec((4,), "u1"))
    with pytest.raises(MetadataError, match="'filters' must be null or a list"):
        CodecPipeline.from_v2({"id": "zlib"}, None, ChunkSpec((4,), "u1"))


def test_pipeline_reports_its_codecs():
    pipeline = v3([BYTES_LE, ZSTD, {"name": "crc32c"}])
    assert [c.to_json_v3() for c in pipeline.codecs] == [BYTES_LE, ZSTD, {"name": "crc32c"}]
    p2 = CodecPipeline.from_v2([{"id": "zlib", "level": 1}], {"id": "blosc"}, ChunkSpec((2,), "u1"))
    assert [c.to_json_v2()["id"] for c in p2.codecs] == ["zlib", "blosc"]


# -- decode errors name the chunk key and the codec -------------------------------------------
def test_corrupt_chunks_raise_codec_error_naming_key_and_codec():
    pipeline = v3([BYTES_LE, ZSTD])
    data = np.arange(30.0).reshape(6, 5)
    encoded = pipeline.encode(data, "c/0/0")
    for bad in (encoded[:-2], b"garbage!" * 4, b""):
        with pytest.raises(CodecError, match=r"chunk 'c/1/2': codec 'zstd'"):
            pipeline.decode(bad, "c/1/2")
    raw = v3([BYTES_LE])
    with pytest.raises(
        CodecError, match=r"chunk 'c/0/0': codec 'bytes': got 239 bytes, expected 240"
    ):
        raw.decode(bytes(239), "c/0/0")


def test_checksum_mismatch_raises_checksum_error_naming_key():
    pipeline = v3([BYTES_LE, ZSTD, {"name": "crc32c"}])
    encoded = bytearray(pipeline.encode(np.ones((6, 5)), "c/0/0"))
    encoded[3] ^= 0x10
    with pytest.raises(ChecksumError, match=r"chunk 'c/0/0': codec 'crc32c': checksum mismatch"):
        pipeline.decode(bytes(encoded), "c/0/0")


def test_foreign_exceptions_become_codec_errors():
    class Flaky(BytesBytesCodec):
        name = "test.flaky"

        def encode(self, data):
            return bytes(data)

        def decode(self, data, out=None):
            raise RuntimeError("disk on fire")

    register_codec(Flaky)
    try:
        pipeline = v3(["bytes", "test.flaky"], dtype="u1")
        encoded = pipeline.encode(np.zeros((6, 5), "u1"), "k")
        with pytest.raises(CodecError, match=r"chunk 'k': codec 'test.flaky': RuntimeError: disk"):
            pipeline.decode(encoded, "k")
    finally:
        unregister_codec("test.flaky")


def test_wrong_out_shape_is_a_value_error():
    with pytest.raises(ValueError, match="out has shape"):
        v3([BYTES_LE]).decode(bytes(240), "k", out=np.empty((5, 6)))


def test_encode_rejects_a_chunk_of_the_wrong_shape():
    with pytest.raises(CodecError, match=r"chunk 'k'.*shape \(5, 6\)"):
        v3([BYTES_LE]).encode(np.zeros((5, 6)), "k")


def test_encode_never_aliases_the_chunk():
    data = np.arange(30.0).reshape(6, 5)
    encoded = v3([BYTES_LE]).encode(data, "k")
    data[0, 0] = 99
    assert isinstance(encoded, bytes) and np.frombuffer(encoded, "<f8")[0] == 0


# -- decode into the caller's array ----------------------------------------------------------
T10 = {"name": "transpose", "configuration": {"order": [1, 0]}}
LZ4 = {"name": "numcodecs.lz4", "configuration": {"acceleration": 1}}


@pytest.mark.parametrize(
    ("codecs", "c_out", "f_out"),
    [
        ([BYTES_LE, ZSTD], True, False),
        ([BYTES_LE], True, False),
        ([T10, BYTES_LE, ZSTD], False, True),
        ([BYTES_LE, LZ4], False, False),
        (
            [{"name": "bytes", "configuration": {"endian": "big"}}, ZSTD, {"name": "crc32c"}],
            True,
            False,
        ),
    ],
)
def test_decode_into_out_layouts(codecs, c_out, f_out):
    pipeline = v3(codecs)
    data = np.random.default_rng(0).random((6, 5))
    encoded = pipeline.encode(data, "k")
    big = np.zeros((10, 12))
    outs = {
        "C": (np.empty((6, 5)), c_out),
        "F": (np.empty((6, 5), order="F"), f_out),
        "view": (big[2:8, 1:11:2], False),
        "swapped": (np.empty((6, 5), ">f8"), c_out),
    }
    for name, (out, direct) in outs.items():
        assert pipeline.decodes_into(out) is direct, name
        assert pipeline.decode(encoded, "k", out=out) is out
        np.testing.assert_array_equal(out, data, err_msg=name)
    assert big[0].sum() == 0 and big[:, 0].sum() == 0  # nothing written outside the view
    np.testing.assert_array_equal(pipeline.decode(encoded, "k"), data)


def test_direct_decode_writes_into_the_callers_memory(monkeypatch):
    pipeline = v3([BYTES_LE, ZSTD])
    encoded = pipeline.encode(np.arange(30.0).reshape(6, 5), "k")
    out = np.empty((6, 5))
    seen = []
    from zarrc.codecs import ZstdCodec

    original = ZstdCodec.decode

    def spy(self, data, out=None):
        seen.append(out)
        return original(self, data, out)

    monkeypatch.setattr(ZstdCodec, "decode", spy)
    pipeline.decode(encoded, "k", out=out)
    assert np.shares_memory(seen[0], out)


def test_decode_without_out_returns_a_fresh_writable_array():
    pipeline = v3([BYTES_LE])
    source = np.arange(30.0)
    result = pipeline.decode(source, "k")
    assert result.flags.writeable and not np.shares_memory(result, source)
    result[0, 0] = -1.0  # writing the result leaves the stored bytes alone
    assert source[0] == 0.0
    encoded = source.tobytes()
    transposed = v3([T10, BYTES_LE]).decode(encoded, "k")
    np.testing.assert_array_equal(transposed, np.arange(30.0).reshape(5, 6).T)


# -- property: any chain round-trips and decodes the same into any out ------------------------
COMPRESSORS = [
    ZSTD,
    {"name": "gzip", "configuration": {"level": 1}},
    LZ4,
    {"name": "crc32c"},
    {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5}},
    {"name": "zarrc.snappy"},
]


@st.composite
def pipelines(draw):
    arr = draw(
        hnp.arrays(
            dtype=st.one_of(
                hnp.integer_dtypes(),
                hnp.floating_dtypes(),
                hnp.complex_number_dtypes(),
                hnp.boolean_dtypes(),
            ),
            shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
        )
    )
    codecs = []
    if draw(st.booleans()):
        perm = draw(st.permutations(range(arr.ndim)))
        codecs.append({"name": "transpose", "configuration": {"order": list(perm)}})
    codecs.append(
        {"name": "bytes", "configuration": {"endian": draw(st.sampled_from(["little", "big"]))}}
    )
    codecs += draw(st.lists(st.sampled_from(COMPRESSORS), max_size=3))
    return arr, codecs


@settings(max_examples=60, deadline=None)
@given(case=pipelines(), out_order=st.sampled_from(["C", "F"]))
def test_round_trip_property(case, out_order):
    arr, codecs = case
    pipeline = CodecPipeline.from_v3(codecs, ChunkSpec(arr.shape, arr.dtype))
    encoded = pipeline.encode(arr, "k")
    decoded = pipeline.decode(encoded, "k")
    assert decoded.dtype == arr.dtype and decoded.tobytes() == arr.tobytes()
    out = np.empty(arr.shape, arr.dtype, order=out_order)
    pipeline.decode(encoded, "k", out=out)
    assert out.tobytes() == arr.tobytes()


@settings(max_examples=40, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from(["<i4", ">f8", "u1", "<c8", ">u2"]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
    ),
    order=st.sampled_from(["C", "F"]),
    compressor=st.sampled_from(
        [None, {"id": "zlib", "level": 1}, {"id": "blosc"}, {"id": "crc32c"}, {"id": "lz4"}]
    ),
)
def test_v2_round_trip_property(arr, order, compressor):
    pipeline = CodecPipeline.from_v2(None, compressor, ChunkSpec(arr.shape, arr.dtype, order))
    encoded = pipeline.encode(arr, "0.0")
    expected_raw = arr.tobytes(order=order)
    if compressor is None:
        assert encoded == expected_raw
    decoded = pipeline.decode(encoded, "0.0")
    assert decoded.dtype == arr.dtype and decoded.tobytes() == arr.tobytes()
    out = np.empty(arr.shape, arr.dtype.newbyteorder("="), order=order)
    pipeline.decode(encoded, "0.0", out=out)
    np.testing.assert_array_equal(out, arr)


# -- byte compatibility with zarr-python 3 and numcodecs -------------------------------------
def _zarr_chunks(zarr, fmt, data, chunks, order="C", **kwargs):
    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(
            store,
            shape=data.shape,
            chunks=chunks,
            dtype=data.dtype,
            zarr_format=fmt,
            order=order,
            fill_value=0,
            **kwargs,
        )
        arr[...] = data
    meta_key = "zarr.json" if fmt == 3 else ".zarray"
    meta = json.loads(store._store_dict[meta_key].to_bytes())
    out = {}
    for key, value in store._store_dict.items():
        if not key.startswith(("zarr.json", ".z")):
            out[key] = value.to_bytes()
    return meta, out


def _expected_chunk(data, chunks, index):
    region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(index, chunks))
    chunk = np.zeros(chunks, data.dtype)
    part = data[region]
    chunk[tuple(slice(0, s) for s in part.shape)] = part
    return chunk


def _index(key, fmt):
    parts = key.split("/")[1:] if fmt == 3 else key.split(".")
    return tuple(int(p) for p in parts)


V3_CHAINS = [
    [{"name": "bytes", "configuration": {"endian": "big"}}],
    [T10, BYTES_LE, {"name": "crc32c"}],
    [
        BYTES_LE,
        {
            "name": "blosc",
            "configuration": {
                "typesize": 8,
                "cname": "zstd",
                "clevel": 5,
                "shuffle": "bitshuffle",
                "blocksize": 0,
            },
        },
    ],
    [BYTES_LE, {"name": "numcodecs.zlib", "configuration": {"level": 6}}, {"name": "crc32c"}],
    [BYTES_LE, {"name": "numcodecs.bz2", "configuration": {"level": 3}}],
    [BYTES_LE, {"name": "numcodecs.lzma", "configuration": {"preset": 1}}],
    [BYTES_LE, {"name": "numcodecs.crc32c", "configuration": {"location": "start"}}],
]


def _zarr_kwargs(chain):
    """create_array keywords (filters, serializer, compressors) for a v3 codec list."""
    from zarr.abc.codec import ArrayArrayCodec, ArrayBytesCodec
    from zarr.core.metadata.v3 import parse_codecs

    codecs = list(parse_codecs(chain))
    serializer = next(i for i, c in enumerate(codecs) if isinstance(c, ArrayBytesCodec))
    assert all(isinstance(c, ArrayArrayCodec) for c in codecs[:serializer])
    return {
        "filters": codecs[:serializer],
        "serializer": codecs[serializer],
        "compressors": codecs[serializer + 1 :],
    }


@pytest.mark.parametrize("chain", V3_CHAINS, ids=range(len(V3_CHAINS)))
def test_v3_chunks_are_byte_identical_to_zarr_python(zarr, numcodecs, chain):
    data = np.random.default_rng(4).normal(size=(13, 7)) * 100
    chunks = (5, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta, stored = _zarr_chunks(zarr, 3, data, chunks, **_zarr_kwargs(chain))
    pipeline = CodecPipeline.from_v3(meta["codecs"], ChunkSpec(chunks, data.dtype))
    assert [c.to_json_v3() for c in pipeline.codecs] == meta["codecs"]
    assert len(stored) == 6
    for key, raw in stored.items():
        expected = _expected_chunk(data, chunks, _index(key, 3))
        np.testing.assert_array_equal(pipeline.decode(raw, key), expected)
        assert pipeline.encode(expected, key) == raw, key


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize(
    ("dtype", "compressor", "filters"),
    [
        ("<f8", None, None),
        (">i4", {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}, None),
        (
            "<u2",
            {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
            [{"id": "crc32c"}],
        ),
        ("<c8", {"id": "zlib", "level": 5}, None),
        (">f4", {"id": "bz2", "level": 9}, [{"id": "zlib", "level": 1}]),
        ("u1", {"id": "crc32c", "location": "start"}, None),
        ("<i8", {"id": "lzma", "format": 1, "check": -1, "preset": 2, "filters": None}, None),
        (
            [("a", "<i4"), ("b", "u1")],
            {"id": "blosc", "cname": "blosclz", "clevel": 9, "shuffle": -1, "blocksize": 0},
            None,
        ),
    ],
)
def test_v2_chunks_are_byte_identical_to_zarr_python(
    zarr, numcodecs, order, dtype, compressor, filters
):
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(7)
    data = np.frombuffer(rng.bytes(11 * 9 * dtype.itemsize), dtype).reshape(11, 9).copy()
    chunks = (4, 5)
    nc_compressor = None if compressor is None else numcodecs.get_codec(compressor)
    nc_filters = None if filters is None else [numcodecs.get_codec(f) for f in filters]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta, stored = _zarr_chunks(
            zarr, 2, data, chunks, order=order, compressors=nc_compressor, filters=nc_filters
        )
    assert meta["order"] == order
    spec = ChunkSpec(chunks, np.dtype(dtype), order)
    pipeline = CodecPipeline.from_v2(meta["filters"], meta["compressor"], spec, ".zarray")
    assert len(stored) == 6
    for key, raw in stored.items():
        expected = _expected_chunk(data, chunks, _index(key, 2))
        decoded = pipeline.decode(raw, key)
        assert decoded.tobytes() == expected.tobytes()
        assert pipeline.encode(expected, key) == raw, key
        if compressor is None and filters is None:
            assert raw == expected.tobytes(order=order)


@pytest.mark.parametrize(
    "chain",
    [
        [BYTES_LE, ZSTD],
        [BYTES_LE, LZ4],
        [BYTES_LE, {"name": "gzip", "configuration": {"level": 5}}],
    ],
)
def test_zarr_python_reads_our_chunks_and_we_read_theirs(zarr, chain):
    """Codecs whose bytes depend on library versions or a timestamp: both sides decode."""
    data = np.random.default_rng(1).integers(0, 1000, (12, 10)).astype("<i4")
    chunks = (6, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store = zarr.storage.MemoryStore()
        arr = zarr.create_array(
            store, shape=data.shape, chunks=chunks, dtype=data.dtype, **_zarr_kwargs(chain)
        )
        arr[...] = data
    pipeline = CodecPipeline.from_v3(chain, ChunkSpec(chunks, data.dtype))
    keys = [k for k in store._store_dict if k.startswith("c/")]
    assert len(keys) == 4
    for key in keys:
        expected = _expected_chunk(data, chunks, _index(key, 3))
        np.testing.assert_array_equal(
            pipeline.decode(store._store_dict[key].to_bytes(), key), expected
        )
        store._store_dict[key] = store._store_dict[key].from_bytes(
            pipeline.encode(expected * 2, key)
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(zarr.open_array(store, mode="r")[...], data * 2)


def test_v2_blosc_typesize_follows_the_dtype_like_numcodecs(numcodecs):
    spec = ChunkSpec((50,), "<f8")
    pipeline = CodecPipeline.from_v2(None, {"id": "blosc", "shuffle": 1}, spec)
    data = np.linspace(0, 1, 50)
    assert pipeline.encode(data, "0") == bytes(numcodecs.Blosc(shuffle=1).encode(data))
    # after a bytes-producing filter, numcodecs sees 1-byte items
    p2 = CodecPipeline.from_v2([{"id": "zlib", "level": 1}], {"id": "blosc"}, spec)
    filtered = numcodecs.Zlib(level=1).encode(data)
    assert p2.encode(data, "0") == bytes(numcodecs.Blosc().encode(filtered))


@pytest.mark.parametrize("out_order", ["C", "F"])
def test_v2_order_f_decodes_into_f_out_directly(out_order):
    spec = ChunkSpec((4, 6), ">i2", "F")
    pipeline = CodecPipeline.from_v2(None, {"id": "zstd", "level": 1}, spec)
    data = np.arange(24, dtype=">i2").reshape(4, 6)
    encoded = pipeline.encode(data, "0.0")
    out = np.empty((4, 6), "<i2", order=out_order)
    assert pipeline.decodes_into(out) is (out_order == "F")
    pipeline.decode(encoded, "0.0", out=out)
    np.testing.assert_array_equal(out, data)


def test_threads_share_a_pipeline():
    from concurrent.futures import ThreadPoolExecutor

    pipeline = v3(
        [T10, BYTES_LE, {"name": "blosc", "configuration": {}}, ZSTD, {"name": "crc32c"}],
        shape=(40, 30),
    )
    chunks = [np.full((40, 30), float(i)) for i in range(32)]

    def work(i):
        out = np.empty((40, 30))
        pipeline.decode(pipeline.encode(chunks[i], str(i)), str(i), out=out)
        return bool((out == chunks[i]).all())

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(32)))


def test_itertools_product_of_endian_and_out_byte_order():
    for endian, out_dtype in itertools.product(["little", "big"], ["<u4", ">u4"]):
        pipeline = v3([{"name": "bytes", "configuration": {"endian": endian}}], (3,), "<u4")
        encoded = pipeline.encode(np.array([1, 2, 3], "<u4"), "k")
        assert encoded == np.array([1, 2, 3], "<u4" if endian == "little" else ">u4").tobytes()
        out = np.empty(3, out_dtype)
        pipeline.decode(encoded, "k", out=out)
        assert out.tolist() == [1, 2, 3]


@pytest.mark.parametrize("compressor", COMPRESSORS, ids=lambda c: c["name"])
def test_empty_chunks(compressor):
    pipeline = v3([BYTES_LE, compressor], shape=(0, 3))
    encoded = pipeline.encode(np.zeros((0, 3)), "k")
    assert pipeline.decode(encoded, "k").shape == (0, 3)
    pipeline.decode(encoded, "k", out=np.empty((0, 3)))


class _Delta:
    """A numcodecs-style delta filter (array→array, v2 id 'test_delta') for the v2 path."""

    @staticmethod
    def make():
        from zarrc.codecs import ArrayArrayCodec

        class DeltaCodec(ArrayArrayCodec):
            name = "test.delta"
            codec_id = "test_delta"

            def __init__(self, *, dtype: str) -> None:
                self.dtype = np.dtype(dtype).str

            def get_config(self):
                return {"dtype": self.dtype}

            def encode(self, data):
                flat = np.asarray(data, self.dtype).reshape(-1)
                out = np.empty_like(flat)
                out[0:1] = flat[0:1]
                np.subtract(flat[1:], flat[:-1], out=out[1:])
                return out

            def decode(self, data, out=None):
                return np.cumsum(np.asarray(data), dtype=self.dtype)

        return DeltaCodec


def test_v2_array_filters_follow_numcodecs_semantics(numcodecs):
    codec_cls = register_codec(_Delta.make())
    try:
        spec = ChunkSpec((6, 7), "<i4", "F")
        filters = [{"id": "test_delta", "dtype": "<i4"}]
        pipeline = CodecPipeline.from_v2(filters, {"id": "zlib", "level": 1}, spec)
        assert isinstance(pipeline.codecs[0], codec_cls)
        data = np.random.default_rng(8).integers(-50, 50, (6, 7)).astype("<i4")
        encoded = pipeline.encode(data, "0.0")
        delta = numcodecs.Delta(dtype="<i4").encode(np.asfortranarray(data))
        assert encoded == bytes(numcodecs.Zlib(level=1).encode(delta))
        np.testing.assert_array_equal(pipeline.decode(encoded, "0.0"), data)
        out = np.empty((6, 7), "<i4", order="F")
        pipeline.decode(encoded, "0.0", out=out)
        np.testing.assert_array_equal(out, data)
        with pytest.raises(MetadataError, match="array filter cannot follow"):
            CodecPipeline.from_v2([{"id": "zlib"}, *filters], None, spec)
    finally:
        unregister_codec("test_delta")
