"""Strings, bytes and times end to end, both directions against zarr-python 3 (v2 and v3).

Each data type is written by one library and read and partially rewritten by the other:
documents, values, missing chunks (the fill value) and partial chunk writes must agree.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import zarrc

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

STRING = np.dtypes.StringDType()


def _objects(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _zarr_dtype(name):
    """The dtype argument zarr-python 3 takes for each case."""
    if name == "bytes":
        from zarr.core.dtype import VariableLengthBytes

        return VariableLengthBytes()
    return str if name == "str" else name


# name -> (values for 8 elements, the dtype zarr-python 3.1.6 reads back)
CASES = {
    "str": (np.array(["a", "héllo", "", "∑x", "long " * 20, "z", "q", "é"], dtype=STRING),
            STRING),
    "bytes": (_objects([b"a", b"\x00b", b"", b"\xff" * 40, b"c", b"d", b"e", b"f"]),
              np.dtype(object)),
    "U3": (np.array(["a", "hé", "", "xyz", "q", "r", "s", "t"]), np.dtype("<U3")),
    "S3": (np.array([b"a", b"b\0", b"", b"xyz", b"q", b"r", b"s", b"t"]), np.dtype("S3")),
    "M8[ns]": (np.array([1, -2, "NaT", 4, 5, 6, 7, 8], dtype="M8[ns]"), np.dtype("M8[ns]")),
    "m8[10s]": (np.array([1, 2, "NaT", -4, 5, 6, 7, 8], dtype="m8[10s]"),
                np.dtype("m8[10s]")),
}
FILLS = {"str": "", "bytes": b"", "U3": "", "S3": b"", "M8[ns]": np.datetime64("NaT", "ns"),
         "m8[10s]": np.timedelta64("NaT", "10s")}


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "Mm":
        return bool(np.array_equal(a.view("i8"), b.view("i8")))
    return a.tolist() == b.tolist()


def expected_after(values, fill, shape=(6, 5)):
    """The NumPy oracle for the writes below: fill, then a block and one element."""
    out = np.empty(shape, dtype=values.dtype)
    out[...] = fill
    out[1:3, 1:5] = values.reshape(2, 4)
    out[3, 0] = values[0]
    return out


def zarrc_writes(path, name, fmt):
    values, _ = CASES[name]
    a = zarrc.create_array(str(path), shape=(6, 5), chunks=(2, 2), dtype=_dtype(name),
                           zarr_format=fmt)
    a[1:3, 1:5] = values.reshape(2, 4)  # partial chunks; chunks (2, *) stay missing
    a[3, 0] = values[0]
    return a


def _dtype(name):
    return {"str": str, "bytes": bytes}.get(name, name)


def _docs(path):
    out = {}
    for key in ("zarr.json", ".zarray"):
        if (path / key).exists():
            out[key] = json.loads((path / key).read_text())
    return out


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("name", list(CASES))
def test_zarrc_writes_zarr_python_reads(tmp_path, name, fmt):
    values, read_dtype = CASES[name]
    a = zarrc_writes(tmp_path / "ours", name, fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.open_array(str(tmp_path / "ours"), mode="r")
        zarr.create_array(str(tmp_path / "ref"), shape=(6, 5), chunks=(2, 2),
                          dtype=_zarr_dtype(name), zarr_format=fmt)
    assert theirs.dtype == read_dtype == a.dtype
    expected = expected_after(values, FILLS[name])
    assert same(theirs[...], expected)
    assert same(a[...], expected)
    # the same documents as zarr-python writes for the same request
    ours_doc, ref_doc = _docs(tmp_path / "ours"), _docs(tmp_path / "ref")
    assert ours_doc == ref_doc
    # the never-written chunk (2, 0) is missing and reads as the fill value
    assert not any(p.name == "2.0" or p.as_posix().endswith("c/2/0")
                   for p in (tmp_path / "ours").rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt", [2, 3])
@pytest.mark.parametrize("name", list(CASES))
def test_zarr_python_writes_zarrc_reads_and_updates(tmp_path, name, fmt):
    values, read_dtype = CASES[name]
    path = str(tmp_path / "a")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(path, shape=(6, 5), chunks=(2, 2), dtype=_zarr_dtype(name),
                              zarr_format=fmt)
        z[1:3, 1:5] = values.reshape(2, 4)
        z[3:4, 0:1] = values[:1].reshape(1, 1)  # zarr-python 3.1.6 fails on z[3, 0] = b"a"
    a = zarrc.open_array(path)
    assert a.dtype == read_dtype
    expected = expected_after(values, FILLS[name])
    assert same(a[...], expected)
    assert same(a[1:3, 2], expected[1:3, 2]) and same(a.oindex[[0, 5], [0, 4]],
                                                       expected[np.ix_([0, 5], [0, 4])])
    # a partial write over a missing chunk and an existing one, read back by zarr-python
    a[3:5, 1] = values[5:7]
    expected[3:5, 1] = values[5:7]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert same(zarr.open_array(path, mode="r")[...], expected)


def test_zarr_python_2_string_array(tmp_path):
    """A .zarray as zarr-python 2 writes str arrays (fill 0, blosc); missing chunks read "0"
    as zarr-python 3 reads them."""
    path = tmp_path / "z2"
    path.mkdir()
    doc = {"chunks": [2], "compressor": {"blocksize": 0, "clevel": 5, "cname": "lz4",
                                         "id": "blosc", "shuffle": 1},
           "dtype": "|O", "fill_value": 0, "filters": [{"id": "vlen-utf8"}], "order": "C",
           "shape": [5], "zarr_format": 2}
    (path / ".zarray").write_text(json.dumps(doc))
    chunk = numcodecs.Blosc("lz4", 5, 1).encode(
        numcodecs.VLenUTF8().encode(_objects(["ab", "ç"])))
    (path / "1").write_bytes(bytes(chunk))
    a = zarrc.open_array(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.open_array(str(path), mode="r")[...]
    assert a.dtype == STRING
    assert a[...].tolist() == theirs.tolist() == ["0", "0", "ab", "ç", "0"]


@pytest.mark.parametrize("fmt", [2, 3])
def test_string_fill_value_and_empty_chunks(tmp_path, fmt):
    a = zarrc.create_array(str(tmp_path / "a"), shape=(6,), chunks=(3,), dtype=str,
                           fill_value="n/a", zarr_format=fmt)
    a[:] = np.array(["n/a", "x", "n/a", "n/a", "n/a", "n/a"], dtype=STRING)
    assert a.nchunks_initialized == 1  # the chunk equal to the fill value is not stored
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = zarr.open_array(str(tmp_path / "a"), mode="r")
    assert theirs.fill_value == "n/a"
    assert theirs[...].tolist() == a[...].tolist() == ["n/a", "x"] + ["n/a"] * 4


def test_v3_sharded_strings_round_trip(tmp_path):
    """Variable-length inner chunks inside shards, read back by zarr-python."""
    values = CASES["str"][0]
    a = zarrc.create_array(str(tmp_path / "s"), shape=(8,), chunks=(2,), shards=(4,), dtype=str)
    a[:] = values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert zarr.open_array(str(tmp_path / "s"), mode="r")[...].tolist() == values.tolist()
