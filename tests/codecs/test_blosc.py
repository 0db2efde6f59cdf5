"""Blosc (zarrc.codecs.blosc) against numcodecs (single-threaded) and zarr-python 3."""

from __future__ import annotations

import itertools
import struct
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from zarrc.codecs import BloscCodec, ChunkSpec, get_codec
from zarrc.codecs.blosc import available_cnames
from zarrc.errors import CodecError

CNAMES = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]
DATA = [
    np.arange(6000, dtype="<f8").tobytes(),
    np.random.default_rng(3).integers(0, 50, 12001, dtype="<u1").tobytes(),
    b"",
    b"tiny",
]


@pytest.mark.parametrize("cname", CNAMES)
@pytest.mark.parametrize("shuffle", [0, 1, 2, -1])
def test_byte_identical_to_numcodecs(numcodecs, cname, shuffle):
    # zstd inside blosc is the linked libzstd, whose bytes differ between versions (numcodecs
    # bundles its own): those chunks must decode both ways instead
    for data, typesize, clevel, blocksize in itertools.product(
        DATA, [1, 2, 8], [0, 5, 9], [0, 256, 65536]
    ):
        codec = BloscCodec(
            typesize=typesize, cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize
        )
        ours = codec.encode(data)
        peer = numcodecs.Blosc(
            cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize, typesize=typesize
        )
        theirs = peer.encode(data)
        where = (cname, shuffle, typesize, clevel, blocksize, len(data))
        if cname == "zstd" and ours != bytes(theirs):
            assert bytes(peer.decode(ours)) == data, where
            assert bytes(codec.decode(theirs)) == data, where
        else:
            assert ours == bytes(theirs), where


def test_typesize_defaults_to_the_buffer_item_size_like_numcodecs(numcodecs):
    arr = np.arange(5000, dtype="<i4")
    v2 = get_codec({"id": "blosc", "cname": "zstd", "shuffle": -1}, 2)
    assert v2.encode(arr) == bytes(numcodecs.Blosc(cname="zstd", shuffle=-1).encode(arr))
    assert struct.unpack_from("B", v2.encode(arr), 3)[0] == 4  # header typesize
    assert struct.unpack_from("B", v2.encode(arr.tobytes()), 3)[0] == 1
    big = np.zeros(40, dtype=[("a", "<f8", (40,))])  # itemsize 320 > 255: treated as 1
    assert v2.encode(big) == bytes(numcodecs.Blosc(cname="zstd", shuffle=-1).encode(big))


def test_decodes_numcodecs_output_into_out(numcodecs):
    data = np.arange(30000, dtype="<i2").tobytes()
    encoded = bytes(numcodecs.Blosc(cname="lz4hc", shuffle=2).encode(data))
    out = np.empty(len(data), np.uint8)
    assert BloscCodec().decode(encoded, out) is out
    assert out.tobytes() == data


def test_header_is_checked_before_decompressing():
    encoded = BloscCodec(typesize=4).encode(np.arange(1000, dtype="<i4").tobytes())
    with pytest.raises(CodecError, match="header says 4000 decoded bytes, expected 3996"):
        BloscCodec().decode(encoded, bytearray(3996))
    with pytest.raises(CodecError, match="compressed bytes"):
        BloscCodec().decode(encoded + b"\x00")
    with pytest.raises(CodecError, match="too short"):
        BloscCodec().decode(encoded[:10])


def test_snappy_needs_a_build_with_it():
    codec = BloscCodec(cname="snappy")  # a valid configuration (zarr-python accepts it)
    if "snappy" in available_cnames():
        assert bytes(codec.decode(codec.encode(b"abc" * 100))) == b"abc" * 100
    else:
        with pytest.raises(CodecError, match="'snappy' is not in this build's libblosc"):
            codec.encode(b"abc")


def test_concurrent_blocksizes_do_not_leak_into_each_other():
    data = np.arange(200_000, dtype="<f4").tobytes()
    codecs = [BloscCodec(typesize=4, cname="lz4", blocksize=b) for b in (0, 256, 65536, 0)]
    serial = [c.encode(data) for c in codecs]
    assert len(set(serial)) == 3
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: codecs[i % 4].encode(data), range(24)))
    assert results == [serial[i % 4] for i in range(24)]


def test_json_forms_match_zarr_python_and_numcodecs(numcodecs, zarr):
    from zarr.codecs import BloscCodec as ZarrBlosc

    for ts, cname, clevel, shuffle, bs in itertools.product(
        [1, 4], ["lz4", "zstd"], [0, 9], ["noshuffle", "shuffle", "bitshuffle"], [0, 1024]
    ):
        kwargs = dict(typesize=ts, cname=cname, clevel=clevel, shuffle=shuffle, blocksize=bs)
        assert BloscCodec(**kwargs).to_json_v3() == ZarrBlosc(**kwargs).to_dict()
    for shuffle in (-1, 0, 1, 2):
        nc = numcodecs.Blosc(cname="zlib", clevel=3, shuffle=shuffle, blocksize=512)
        assert get_codec(nc.get_config(), 2).to_json_v2() == nc.get_config()
        assert get_codec(nc, 2).to_json_v2() == nc.get_config()
    assert get_codec({"id": "blosc"}, 2).to_json_v2() == numcodecs.Blosc().get_config()
    assert BloscCodec().to_json_v3() == ZarrBlosc().to_dict()


@pytest.mark.parametrize("dtype", ["u1", "<i2", "<f8", "S5", "<U3", "bool"])
def test_evolve_fills_typesize_and_shuffle_like_zarr_python(zarr, dtype):
    import json
    import warnings

    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr-python's "unstable data type" warnings
        zarr.create_array(store, shape=(4,), dtype=dtype, compressors=zarr.codecs.BloscCodec())
    expected = json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"][-1]
    assert BloscCodec().evolve(ChunkSpec((4,), dtype)).to_json_v3() == expected
    explicit = BloscCodec(typesize=3, shuffle="noshuffle")
    assert explicit.evolve(ChunkSpec((4,), dtype)) is explicit


def test_numcodecs_dialect_is_not_evolved(zarr):
    doc = {"name": "numcodecs.blosc", "configuration": {"cname": "lz4", "typesize": 2}}
    codec = get_codec(doc)
    assert codec.evolve(ChunkSpec((4,), "<f8")) is codec
    assert codec.to_json_v3() == doc  # written back as given, as zarr-python does
    assert codec.to_json_v2() == {
        "id": "blosc",
        "cname": "lz4",
        "clevel": 5,
        "shuffle": 1,
        "blocksize": 0,
    }
    assert struct.unpack_from("B", codec.encode(bytes(64)), 3)[0] == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"cname": "lz5"},
        {"clevel": 10},
        {"shuffle": "byte"},
        {"shuffle": 3},
        {"typesize": 0},
        {"blocksize": -1},
        {"blocksize": 2**63},  # c-blosc's sizes are 32-bit ints
        {"typesize": 2**31},
    ],
)
def test_configuration_is_validated(bad):
    field = next(iter(bad))
    with pytest.raises(CodecError, match=f"codec 'blosc'.*'{field}'"):
        BloscCodec.from_config(bad)
