"""normalize_codecs (zarrc.codecs.encoding) against what zarr-python 3.1.6 stores."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from zarrc.codecs import normalize_codecs
from zarrc.errors import CodecError


def zarr_stored(zarr, fmt, dtype, **kwargs):
    """The codec part of the metadata zarr-python writes for create_array(**kwargs)."""
    store = zarr.storage.MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(
            store, shape=(4, 6), chunks=(2, 3), dtype=dtype, zarr_format=fmt, **kwargs
        )
    if fmt == 3:
        return tuple(json.loads(store._store_dict["zarr.json"].to_bytes())["codecs"])
    meta = json.loads(store._store_dict[".zarray"].to_bytes())
    filters = None if meta["filters"] is None else tuple(meta["filters"])
    return filters, meta["compressor"]


def v3_cases(zarr, numcodecs):
    from zarr.codecs import (
        BloscCodec,
        BytesCodec,
        Crc32cCodec,
        GzipCodec,
        TransposeCodec,
        ZstdCodec,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from zarr.codecs.numcodecs import Zlib

        zlib3 = Zlib(level=3, id="zlib")
    return [
        ("<f4", {}),
        ("u1", {}),
        (">f8", {}),
        ("bool", {}),
        ("S3", {}),
        ("<U2", {}),
        ("<c8", {}),
        ("<M8[s]", {}),
        ([("a", "<i4"), ("b", "u1")], {}),
        ("<f4", {"compressors": BloscCodec()}),
        ("u1", {"compressors": BloscCodec()}),
        ("<f8", {"compressors": {"name": "blosc", "configuration": {}}}),
        ("<f8", {"compressors": {"name": "gzip", "configuration": {"level": 2}}}),
        ("<i2", {"compressors": [ZstdCodec(level=3, checksum=True), Crc32cCodec()]}),
        ("<f4", {"compressors": None}),
        ("<f4", {"compressors": []}),
        ("<f4", {"compressors": {"name": "numcodecs.zlib", "configuration": {"level": 3}}}),
        ("<f4", {"compressors": {"name": "numcodecs.lzma", "configuration": {"preset": 1}}}),
        ("<f4", {"compressors": {"name": "numcodecs.zstd", "configuration": {}}}),
        (
            "<i2",
            {
                "compressors": {
                    "name": "numcodecs.blosc",
                    "configuration": {"clevel": 2, "cname": "zlib"},
                }
            },
        ),
        ("<f4", {"compressors": zlib3}),
        ("<f4", {"serializer": BytesCodec(endian="big")}),
        ("u1", {"serializer": BytesCodec(endian="big")}),
        ("<f4", {"filters": [TransposeCodec(order=(1, 0))]}),
        ("<f4", {"filters": TransposeCodec(order=[1, 0]), "compressors": GzipCodec()}),
        ("<f4", {"order": "F"}),
    ]


def v2_cases(numcodecs):
    return [
        ("<f4", {}),
        (">i4", {}),
        ("u1", {}),
        ("<f4", {"compressors": None}),
        ("<f4", {"compressors": numcodecs.Zstd(level=3)}),
        ("<f4", {"compressors": numcodecs.Zstd(level=3, checksum=True)}),
        ("<f4", {"compressors": {"id": "zstd"}}),
        ("<f4", {"compressors": {"id": "zstd", "level": 2}}),
        ("<f4", {"compressors": numcodecs.Blosc()}),
        ("<f4", {"compressors": {"id": "blosc"}}),
        ("<f4", {"compressors": numcodecs.LZMA()}),
        ("<f4", {"compressors": numcodecs.LZ4()}),
        ("<f4", {"compressors": numcodecs.GZip()}),
        ("<f4", {"compressors": [numcodecs.GZip()]}),
        ("<f4", {"compressors": ()}),
        ("<f4", {"filters": [numcodecs.Zlib()]}),
        ("<f4", {"filters": []}),
        ("<f4", {"filters": None}),
        ("<f4", {"order": "F"}),
    ]


def test_v3_matches_zarr_python(zarr, numcodecs):
    for dtype, kwargs in v3_cases(zarr, numcodecs):
        expected = zarr_stored(zarr, 3, dtype, **kwargs)
        ours = normalize_codecs(zarr_format=3, dtype=np.dtype(dtype), chunk_shape=(2, 3), **kwargs)
        assert ours == expected, (dtype, kwargs)
        assert normalize_codecs(zarr_format=3, dtype=dtype, **kwargs) == expected


def test_v2_matches_zarr_python(zarr, numcodecs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cases = v2_cases(numcodecs) + [("<f4", {"compressors": numcodecs.CRC32C()})]
    for dtype, kwargs in cases:
        expected = zarr_stored(zarr, 2, dtype, **kwargs)
        assert normalize_codecs(zarr_format=2, dtype=dtype, **kwargs) == expected, kwargs


def test_more_forms_than_zarr_python_accepts():
    """Names and numcodecs dicts work in v3 too (zarr-python rejects them)."""
    assert normalize_codecs(zarr_format=3, dtype="<f8", compressors="zstd") == (
        {"name": "bytes", "configuration": {"endian": "little"}},
        {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
    )
    assert normalize_codecs(zarr_format=3, dtype="u1", compressors=["zlib", "crc32c"]) == (
        {"name": "bytes"},
        {"name": "numcodecs.zlib", "configuration": {"level": 1}},
        {"name": "crc32c"},
    )
    blosc = normalize_codecs(zarr_format=3, dtype="<i2", compressors={"name": "blosc"})
    assert blosc[1]["configuration"]["typesize"] == 2
    assert normalize_codecs(zarr_format=2, dtype="<i2", compressors="zlib") == (
        None,
        {"id": "zlib", "level": 1},
    )
    assert normalize_codecs(zarr_format=2, dtype="<i2", filters="crc32c", compressors=None) == (
        ({"id": "crc32c"},),
        None,
    )


def test_codecs_is_the_whole_v3_pipeline():
    codecs = [{"name": "transpose", "configuration": {"order": [1, 0]}}, "bytes", "gzip"]
    assert normalize_codecs(zarr_format=3, dtype="u1", codecs=codecs, chunk_shape=(3, 4)) == (
        {"name": "transpose", "configuration": {"order": [1, 0]}},
        {"name": "bytes"},
        {"name": "gzip", "configuration": {"level": 5}},
    )
    with pytest.raises(ValueError, match="excludes"):
        normalize_codecs(zarr_format=3, dtype="u1", codecs=codecs, compressors=None)
    with pytest.raises(CodecError, match="must come after"):
        normalize_codecs(zarr_format=3, dtype="u1", codecs=["gzip", "bytes"])
    with pytest.raises(ValueError, match="zarr v3 pipeline"):
        normalize_codecs(zarr_format=2, dtype="u1", codecs=codecs)


def test_errors():
    with pytest.raises(CodecError, match="filters: codec 'zstd' is bytes→bytes"):
        normalize_codecs(zarr_format=3, dtype="u1", filters=["zstd"])
    with pytest.raises(CodecError, match="compressors: codec 'transpose' is array→array"):
        normalize_codecs(
            zarr_format=3,
            dtype="u1",
            compressors=[{"name": "transpose", "configuration": {"order": [0]}}],
        )
    with pytest.raises(CodecError, match="serializer"):
        normalize_codecs(zarr_format=3, dtype="u1", serializer="zstd")
    with pytest.raises(CodecError, match="has 1 entries but the chunk has 2"):
        normalize_codecs(
            zarr_format=3,
            dtype="u1",
            chunk_shape=(2, 2),
            filters={"name": "transpose", "configuration": {"order": [0]}},
        )
    with pytest.raises(TypeError, match="single compressor"):
        normalize_codecs(zarr_format=2, dtype="u1", compressors=["zstd", "gzip"])
    with pytest.raises(ValueError, match="no serializer"):
        normalize_codecs(zarr_format=2, dtype="u1", serializer="bytes")
    with pytest.raises(CodecError, match="no zarr v2"):
        normalize_codecs(
            zarr_format=2,
            dtype="u1",
            filters=[{"name": "transpose", "configuration": {"order": [0]}}],
        )
    with pytest.raises(CodecError, match="codec 'transpose'.*'order'"):
        normalize_codecs(zarr_format=3, dtype="u1", filters="transpose")
    with pytest.raises(CodecError, match="unknown codec 'lz5'"):
        normalize_codecs(zarr_format=3, dtype="u1", compressors="lz5")
    with pytest.raises(CodecError, match="serializer"):
        normalize_codecs(zarr_format=3, dtype=[("a", object)])
    with pytest.raises(ValueError, match="zarr_format"):
        normalize_codecs(zarr_format=4, dtype="u1")
