"""Blosc's typesize and shuffle in a v3 array's document, whatever form the codec was given in.

A v3 ``blosc`` entry must state its typesize. Given in numcodecs' form (a numcodecs ``Blosc``
or an ``{"id": "blosc"}`` dict), which zarr-python 3 refuses for v3, the codec means what
numcodecs does with the chunk: the typesize is the item size of the data it encodes and
shuffle -1 is decided by it. The oracle is numcodecs itself, encoding the same chunk: its
header says the typesize and shuffle it chose, and zarrc's chunk must be those very bytes
(blosc lz4 is byte-identical to numcodecs single-threaded), on both engine paths.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc
from zarrc.codecs.blosc import available_cnames
from zarrc.storage import MemoryStore
from zarrc.testing.engine import KINDS, engine, io_kinds

pytestmark = pytest.mark.skipif("lz4" not in available_cnames(),
                                reason="this build's libblosc has no lz4")

DTYPES = ["u1", "<i2", "<f4", "<f8"]
FORMS = {
    "numcodecs.Blosc": lambda nc, cfg: nc.Blosc(**cfg),
    "[numcodecs.Blosc]": lambda nc, cfg: [nc.Blosc(**cfg)],
    "v2 dict": lambda nc, cfg: {"id": "blosc", **cfg},
    "[v2 dict]": lambda nc, cfg: [{"id": "blosc", **cfg}],
}
# c-blosc header byte 2 (flags): bit 0 byte shuffle, bit 2 bit shuffle
_SHUFFLE_FLAGS = {0x1: "shuffle", 0x4: "bitshuffle"}


def smooth(dtype, n):
    """Slowly varying values of `dtype`: the high bytes of neighbours agree, so shuffle pays."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (np.sin(np.linspace(0, 3, n)) * 1000).astype(dt)
    return np.linspace(0, np.iinfo(dt).max, n).astype(dt)


def blosc_entry(store):
    codecs = json.loads(bytes(store.get("zarr.json")))["codecs"]
    assert [c["name"] for c in codecs] == ["bytes", "blosc"], codecs
    return codecs[1]["configuration"]


def header_settings(chunk):
    """(typesize, shuffle name) that a blosc chunk's header records."""
    flags = chunk[2] & 0x5
    return chunk[3], _SHUFFLE_FLAGS.get(flags, "noshuffle")


def write_v3(compressors, data, kind, chunk=None):
    store = MemoryStore()
    with engine(kind):
        a = zarrc.create_array(store, shape=data.shape, chunks=chunk or data.shape,
                               dtype=data.dtype, compressors=compressors, zarr_format=3)
        assert io_kinds(a)[2] == kind  # write_box runs on the path under test
        a[...] = data
    return store


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shuffle", [0, 1, 2, -1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", FORMS)
def test_numcodecs_form_records_and_writes_what_numcodecs_encodes(numcodecs, form, dtype,
                                                                   shuffle, kind):
    cfg = {"cname": "lz4", "clevel": 5, "shuffle": shuffle}
    data = smooth(dtype, 600)
    store = write_v3(FORMS[form](numcodecs, cfg), data, kind)
    peer = bytes(numcodecs.Blosc(**cfg).encode(data))
    typesize, shuffle_name = header_settings(peer)
    assert typesize == data.dtype.itemsize  # numcodecs: the buffer's item size
    entry = blosc_entry(store)
    assert (entry["typesize"], entry["shuffle"]) == (typesize, shuffle_name)
    assert bytes(store.get("c/0")) == peer  # the chunk is what the document says
    np.testing.assert_array_equal(zarrc.open_array(store, mode="r")[...], data)


@pytest.mark.parametrize("dtype", DTYPES)
def test_numcodecs_form_gets_the_typesize_of_the_dtype_at_its_place(numcodecs, dtype):
    # an astype filter before the serializer changes what blosc sees: i8 items, whatever the
    # array's dtype; numcodecs' astype encodes to the same bytes, then blosc them
    data = smooth(dtype, 300)
    astype = {"id": "astype", "encode_dtype": "<i8", "decode_dtype": np.dtype(dtype).str}
    store = MemoryStore()
    zarrc.create_array(store, shape=data.shape, chunks=data.shape, dtype=dtype,
                       filters=[astype], serializer={"name": "bytes", "configuration": {
                           "endian": "little"}},
                       compressors=numcodecs.Blosc(cname="lz4"))[...] = data
    config = json.loads(bytes(store.get("zarr.json")))["codecs"][-1]["configuration"]
    filtered = numcodecs.AsType(encode_dtype="<i8", decode_dtype=dtype).encode(data)
    peer = bytes(numcodecs.Blosc(cname="lz4").encode(filtered))
    assert (config["typesize"], config["shuffle"]) == header_settings(peer) == (8, "shuffle")
    assert bytes(store.get("c/0")) == peer


@pytest.mark.parametrize("dtype", [str, "variable_length_bytes"])
def test_variable_length_types_get_typesize_1_like_zarr_python(zarr, dtype):
    # their serializer (vlen-utf8 / vlen-bytes) hands blosc bytes, not items of the dtype
    ours, theirs = MemoryStore(), zarr.storage.MemoryStore()
    blosc = {"name": "blosc", "configuration": {"cname": "lz4"}}
    zarrc.create_array(ours, shape=(4,), dtype=dtype, compressors=[blosc])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr-python's "unstable data type" warnings
        zarr.create_array(theirs, shape=(4,), dtype=dtype, compressors=[blosc])
    expected = json.loads(theirs._store_dict["zarr.json"].to_bytes())["codecs"]
    assert json.loads(bytes(ours.get("zarr.json")))["codecs"] == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", ["<i2", "<f4", "<f8"])
@pytest.mark.parametrize("form", FORMS)
def test_numcodecs_form_compresses_better_than_typesize_1(numcodecs, form, dtype, kind):
    # byte shuffle by the item size groups the slowly changing high bytes: it must beat the
    # same codec at typesize 1 (where shuffle is a no-op) on smooth data
    data = smooth(dtype, 4096)
    cfg = {"cname": "lz4", "clevel": 5, "shuffle": 1}
    ours = write_v3(FORMS[form](numcodecs, cfg), data, kind)
    flat = {"name": "blosc", "configuration": {"typesize": 1, "cname": "lz4", "clevel": 5,
                                               "shuffle": "shuffle", "blocksize": 0}}
    baseline = write_v3([flat], data, kind)
    assert len(bytes(ours.get("c/0"))) < 0.9 * len(bytes(baseline.get("c/0")))
