"""zarr-python 3's codec classes under zarrc.codecs: same constructor arguments, enums, reprs
and ``to_dict()``, and usable wherever a codec dict is (stored exactly as zarr-python stores)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc
import zarrc.codecs as zc


def _both(zarr, build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build(zarrc.codecs), build(zarr.codecs)


BUILDS = {
    "blosc": lambda c: c.BloscCodec(cname="lz4", clevel=2, shuffle=c.BloscShuffle.noshuffle),
    "blosc-enum-cname": lambda c: c.BloscCodec(cname=c.BloscCname.zstd, typesize=2),
    "blosc-default": lambda c: c.BloscCodec(shuffle="bitshuffle", typesize=4),
    "zstd": lambda c: c.ZstdCodec(level=7, checksum=True),
    "gzip": lambda c: c.GzipCodec(level=9),
    "bytes-big": lambda c: c.BytesCodec(endian=c.Endian.big),
    "bytes-none": lambda c: c.BytesCodec(endian=None),
    "transpose": lambda c: c.TransposeCodec(order=(2, 0, 1)),
    "crc32c": lambda c: c.Crc32cCodec(),
    "vlen-utf8": lambda c: c.VLenUTF8Codec(),
    "vlen-bytes": lambda c: c.VLenBytesCodec(),
    "sharding": lambda c: c.ShardingCodec(
        chunk_shape=(2, 2), codecs=[c.BytesCodec(), c.GzipCodec(level=1)],
        index_location=c.ShardingCodecIndexLocation.start),
    "numcodecs-delta": lambda c: c.numcodecs.Delta(dtype="<i4", astype="<i2"),
    "numcodecs-lzma": lambda c: c.numcodecs.LZMA(preset=3),
    "numcodecs-zlib": lambda c: c.numcodecs.Zlib(level=4),
}


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_repr_and_to_dict_match(zarr, name):
    ours, theirs = _both(zarr, BUILDS[name])
    assert repr(ours) == repr(theirs)
    if not name.startswith(("blosc", "sharding")):  # theirs keep tunables / codec objects
        assert json.dumps(ours.to_dict()) == json.dumps(theirs.to_dict())


@pytest.mark.parametrize("name", ["blosc", "blosc-enum-cname", "zstd", "gzip", "numcodecs-lzma",
                                  "numcodecs-zlib", "crc32c"])
def test_a_compressor_object_is_stored_as_zarr_python_stores_it(zarr, name):
    ours, theirs = _both(zarr, BUILDS[name])
    docs = []
    for lib, codec in ((zarrc, ours), (zarr, theirs)):
        store = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = lib.create_array(store, shape=(20,), chunks=(8,), dtype="int16",
                                 compressors=codec)
            a[:] = np.arange(20)
        docs.append(json.loads(store["zarr.json"].to_bytes())["codecs"])
        np.testing.assert_array_equal(a[:], np.arange(20))
    assert docs[0] == docs[1]


def test_filters_and_serializer_objects(zarr):
    a = zarrc.create_array({}, shape=(4, 6), chunks=(2, 3), dtype=">i4",
                           filters=[zc.TransposeCodec(order=(1, 0))],
                           serializer=zc.BytesCodec(endian=zc.Endian.big), compressors=None)
    x = np.arange(24).reshape(4, 6)
    a[:] = x
    np.testing.assert_array_equal(a[:], x)
    assert a.filters == (zc.TransposeCodec(order=(1, 0)),)
    assert repr(a.serializer) == "BytesCodec(endian=<Endian.big: 'big'>)"
    assert a.compressors == ()


def test_enums_are_accepted_where_strings_are():
    assert zc.BloscCodec(shuffle=zc.BloscShuffle.shuffle).get_config()["shuffle"] == "shuffle"
    assert zc.BytesCodec(endian=zc.Endian.little).endian == "little"
    with pytest.raises(zarrc.errors.CodecError):
        zc.BytesCodec(endian=zc.BloscShuffle.shuffle)
    assert zc.Endian("big") is zc.Endian.big


def test_v2_arrays_report_their_filters_and_compressor():
    a = zarrc.create_array({}, shape=(5,), dtype="i4", zarr_format=2,
                           filters=[zc.numcodecs.Delta(dtype="<i4")],
                           compressors=zc.numcodecs.Zlib(level=2))
    assert a.serializer is None and a.compressor == a.compressors[0]
    assert a.compressors[0].get_config() == {"level": 2}
    assert a.filters[0].get_config_v2() == {"dtype": "<i4", "astype": "<i4"}
    with pytest.raises(TypeError):
        _ = zarrc.create_array({}, shape=(1,), dtype="i1").compressor
