"""End to end: arrays with the numcodecs filters, written and read by zarrc and zarr-python 3.

Each filter is used as zarr-python writes it: a v2 ``filters`` entry (numcodecs config) and, in
v3, its ``numcodecs.<id>`` wrapper (array→array in ``filters``; shuffle is bytes→bytes, in
``compressors``).  Chunks are stored uncompressed so their bytes can be compared directly.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SHAPE, CHUNKS = (13, 9), (5, 4)
RNG = np.random.default_rng(42)

# id -> (dtype, numcodecs config without id, data, zarr-python 3 wrapper class, kind)
FILTERS = {
    "delta": ("<i4", {"dtype": "<i4"}, RNG.integers(-1000, 1000, SHAPE), "Delta", "aa"),
    "delta_astype": ("<i4", {"dtype": "<i4", "astype": "<i2"}, RNG.integers(0, 99, SHAPE),
                     "Delta", "aa"),
    "delta_float": ("<f8", {"dtype": "<f8"}, RNG.random(SHAPE), "Delta", "aa"),
    "shuffle": ("<f4", {"elementsize": 4}, RNG.random(SHAPE), "Shuffle", "bb"),
    "fixedscaleoffset": ("<f8", {"offset": 1000, "scale": 10, "dtype": "<f8", "astype": "<u2"},
                         1000 + RNG.random(SHAPE) * 5, "FixedScaleOffset", "aa"),
    "quantize": ("<f4", {"digits": 2, "dtype": "<f4"}, RNG.random(SHAPE), "Quantize", "aa"),
    "astype": ("<f8", {"encode_dtype": "<f4", "decode_dtype": "<f8"}, RNG.random(SHAPE),
               "AsType", "aa"),
    "packbits": ("|b1", {}, RNG.random(SHAPE) > 0.5, "PackBits", "aa"),
    "bitround": ("<f8", {"keepbits": 6}, RNG.random(SHAPE), "BitRound", "aa"),
}  # fmt: skip


def _codec_id(label):
    return label.split("_")[0]


def _expected(numcodecs, label):
    """The values every reader must see: numcodecs' encode/decode of the data (elementwise)."""
    dtype, config, data, _, _ = FILTERS[label]
    x = np.asarray(data, dtype=dtype)
    codec = numcodecs.get_codec({"id": _codec_id(label), **config})
    return np.asarray(codec.decode(codec.encode(x.copy()))).view(dtype).reshape(SHAPE), x


def _zarrc_kwargs(label, fmt):
    dtype, config, _, _, kind = FILTERS[label]
    entry = {"id": _codec_id(label), **config}
    kw = dict(shape=SHAPE, chunks=CHUNKS, dtype=dtype, zarr_format=fmt, compressors=None)
    if kind == "bb" and fmt == 3:
        kw["compressors"] = [entry]
    else:
        kw["filters"] = [entry]
    return kw


def _zarr_kwargs(numcodecs, label, fmt):
    from zarr.codecs import numcodecs as wrappers

    dtype, config, _, wrapper, kind = FILTERS[label]
    kw = dict(shape=SHAPE, chunks=CHUNKS, dtype=dtype, zarr_format=fmt, compressors=None)
    if fmt == 2:
        kw["filters"] = [numcodecs.get_codec({"id": _codec_id(label), **config})]
    elif kind == "bb":
        kw["compressors"] = [getattr(wrappers, wrapper)(**config)]
    else:
        kw["filters"] = [getattr(wrappers, wrapper)(**config)]
    return kw


def _chunk_files(root):
    meta = {".zarray", ".zattrs", "zarr.json"}
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and p.name not in meta}  # fmt: skip


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("label", list(FILTERS))
def test_zarrc_round_trip_in_memory(numcodecs, label, fmt):
    expected, x = _expected(numcodecs, label)
    a = zarrc.create_array(None, **_zarrc_kwargs(label, fmt))
    a[...] = x
    np.testing.assert_array_equal(a[...], expected)
    np.testing.assert_array_equal(a[2:11, 1:8], expected[2:11, 1:8])


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("label", list(FILTERS))
def test_zarr_python_and_zarrc_write_the_same_and_read_each_other(
    tmp_path, zarr, numcodecs, label, fmt
):
    expected, x = _expected(numcodecs, label)
    ours_path, theirs_path = tmp_path / "zarrc", tmp_path / "zarr"
    ours = zarrc.create_array(str(ours_path), **_zarrc_kwargs(label, fmt))
    ours[...] = x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.create_array(str(theirs_path), **_zarr_kwargs(numcodecs, label, fmt))
        theirs[...] = x
        np.testing.assert_array_equal(zarr.open_array(str(ours_path), mode="r")[...], expected)
    np.testing.assert_array_equal(zarrc.open_array(str(theirs_path), mode="r")[...], expected)
    assert len(_chunk_files(ours_path)) == 9  # every chunk holds data
    assert _chunk_files(ours_path) == _chunk_files(theirs_path)
    doc = "zarr.json" if fmt == 3 else ".zarray"
    key = "codecs" if fmt == 3 else "filters"
    mine = json.loads((ours_path / doc).read_text())[key]
    assert mine == json.loads((theirs_path / doc).read_text())[key]
