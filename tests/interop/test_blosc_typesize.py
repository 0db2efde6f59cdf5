"""Blosc given in numcodecs' form, against zarr-python 3 and tensorstore, in both formats.

v3: zarr-python 3 refuses a numcodecs ``Blosc`` or an ``{"id": "blosc"}`` dict for a v3 array;
zarrc stores it as a complete ``blosc`` entry (typesize = the item size numcodecs would use).
Both peers must read the chunks zarrc writes, and zarr-python, writing the same data with the
codecs of zarrc's document, must produce the same chunk bytes (the document says what the
bytes are). v2: documents carry no typesize; zarrc's ``.zarray`` and chunks must be exactly
zarr-python's for the same request.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import zarrc
from zarrc.codecs.blosc import available_cnames
from zarrc.storage import LocalStore
from zarrc.testing.engine import KINDS, engine, io_kinds

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif("lz4" not in available_cnames(), reason="this build's libblosc has no lz4"),
]

DTYPES = ["u1", "<i2", "<f4", "<f8"]
SHAPE, CHUNKS = (50, 30), (20, 16)
FORMS = {
    "numcodecs.Blosc": lambda cfg: numcodecs.Blosc(**cfg),
    "[numcodecs.Blosc]": lambda cfg: [numcodecs.Blosc(**cfg)],
    "v2 dict": lambda cfg: {"id": "blosc", **cfg},
}


def smooth(dtype):
    dt = np.dtype(dtype)
    n = int(np.prod(SHAPE))
    if dt.kind == "f":
        values = np.sin(np.linspace(0, 3, n)) * 1000
    else:
        values = np.linspace(0, np.iinfo(dt).max, n)
    return values.astype(dt).reshape(SHAPE)


def write_zarrc(path, fmt, compressors, data, kind):
    with engine(kind):
        a = zarrc.create_array(LocalStore(str(path)), shape=SHAPE, chunks=CHUNKS,
                               dtype=data.dtype, compressors=compressors, zarr_format=fmt)
        assert io_kinds(a)[2] == kind
        a[...] = data


def chunk_files(path):
    """{relative key: bytes} of every chunk under `path`."""
    meta = {"zarr.json", ".zarray", ".zattrs", ".zgroup"}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file() and p.name not in meta}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shuffle", [1, -1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", FORMS)
def test_v3_chunks_read_by_zarr_python_and_match_its_encoding(tmp_path, form, dtype, shuffle,
                                                              kind):
    data = smooth(dtype)
    cfg = {"cname": "lz4", "clevel": 5, "shuffle": shuffle}
    ours = tmp_path / "zarrc"
    write_zarrc(ours, 3, FORMS[form](cfg), data, kind)
    np.testing.assert_array_equal(zarr.open_array(str(ours), mode="r")[...], data)
    codecs = json.loads((ours / "zarr.json").read_text())["codecs"]
    theirs = tmp_path / "zarr"
    zarr.create_array(str(theirs), shape=SHAPE, chunks=CHUNKS, dtype=dtype,
                      serializer=codecs[0], compressors=codecs[1:], zarr_format=3)[...] = data
    assert json.loads((theirs / "zarr.json").read_text())["codecs"] == codecs
    assert chunk_files(ours) == chunk_files(theirs)


@pytest.mark.filterwarnings("ignore:Numcodecs codecs are not in the Zarr version 3")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shuffle", [1, -1])
@pytest.mark.parametrize("dtype", DTYPES)
def test_v3_numcodecs_blosc_entry_is_kept_and_encoded_as_zarr_python_does(tmp_path, dtype,
                                                                         shuffle, kind):
    # a "numcodecs.blosc" entry is written back as given, and zarr-python hands it the bytes
    # of the bytes codec: typesize 1 (on the native path too)
    data = smooth(dtype)
    entry = {"name": "numcodecs.blosc", "configuration": {"cname": "lz4", "shuffle": shuffle}}
    ours, theirs = tmp_path / "zarrc", tmp_path / "zarr"
    write_zarrc(ours, 3, [entry], data, kind)
    zarr.create_array(str(theirs), shape=SHAPE, chunks=CHUNKS, dtype=dtype,
                      compressors=[entry], zarr_format=3)[...] = data
    doc = json.loads((ours / "zarr.json").read_text())
    assert doc["codecs"] == json.loads((theirs / "zarr.json").read_text())["codecs"]
    assert doc["codecs"][1] == entry
    assert chunk_files(ours) == chunk_files(theirs)


@pytest.mark.parametrize("shuffle", [1, -1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", FORMS)
def test_v3_chunks_read_by_tensorstore(tmp_path, form, dtype, shuffle):
    ts = pytest.importorskip("tensorstore")
    data = smooth(dtype)
    write_zarrc(tmp_path, 3, FORMS[form]({"cname": "lz4", "shuffle": shuffle}), data, "native")
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(tmp_path)}}
    t = ts.open(spec, open=True).result()
    np.testing.assert_array_equal(t.read().result(), data)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shuffle", [0, 1, 2, -1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", FORMS)
def test_v2_documents_and_chunks_are_zarr_pythons(tmp_path, form, dtype, shuffle, kind):
    data = smooth(dtype)
    cfg = {"cname": "lz4", "clevel": 5, "shuffle": shuffle}
    ours, theirs = tmp_path / "zarrc", tmp_path / "zarr"
    write_zarrc(ours, 2, FORMS[form](cfg), data, kind)
    zarr.create_array(str(theirs), shape=SHAPE, chunks=CHUNKS, dtype=dtype,
                      compressors=FORMS[form](cfg), zarr_format=2)[...] = data
    doc = json.loads((ours / ".zarray").read_text())
    assert doc == json.loads((theirs / ".zarray").read_text())
    assert "typesize" not in doc["compressor"]
    ours_chunks = chunk_files(ours)
    assert ours_chunks == chunk_files(theirs)
    assert {c[3] for c in ours_chunks.values()} == {data.dtype.itemsize}  # header typesize
