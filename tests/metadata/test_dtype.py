"""Data types: v2 typestrings and v3 names against NumPy, the specs and zarr-python 3."""

from __future__ import annotations

import numpy as np
import pytest

from zarrc.errors import MetadataError
from zarrc.metadata import (
    dtype_to_v2,
    dtype_to_v3,
    normalize_dtype,
    parse_dtype_v2,
    parse_dtype_v3,
)

V2_TYPESTRS = ["<f4", ">i8", "|b1", "|u1", "|i1", "<c16", ">c8", "<f2", "|S5", "<U3", ">U2",
               "<M8[ns]", ">M8[D]", "<m8[s]", "|V8", "<u8", ">u2"]

V3_NAMES = {
    "bool": "?", "int8": "i1", "int16": "i2", "int32": "i4", "int64": "i8",
    "uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8",
    "float16": "f2", "float32": "f4", "float64": "f8", "complex64": "c8", "complex128": "c16",
}


@pytest.mark.parametrize("typestr", V2_TYPESTRS)
def test_v2_typestr_round_trip(typestr):
    dt = parse_dtype_v2(typestr, "a/.zarray")
    assert dt == np.dtype(typestr)
    assert dt.byteorder == np.dtype(typestr).byteorder  # big-endian stays big-endian
    assert dtype_to_v2(dt) == typestr


@pytest.mark.parametrize("typestr", ["<f4", ">i8", "|b1", "<c16", "|S5", "<U3", "<M8[ns]",
                                     "<m8[s]", "|V8", ">f8"])
def test_v2_dtype_to_v2_is_what_zarr_python_writes(zarr_python_array, typestr):
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=typestr, zarr_format=2)
    written = docs[".zarray"]["dtype"]
    assert dtype_to_v2(normalize_dtype(typestr, 2)) == written
    assert parse_dtype_v2(written, ".zarray") == arr.dtype


@pytest.mark.parametrize("obj, match", [
    ("|O", "needs a 'vlen-utf8' or 'vlen-bytes'"),
    ("O", "needs a 'vlen-utf8' or 'vlen-bytes'"),
    ([["r", "|u1", [2]]], "sub-array fields are not supported"),
    ("<f16", "not supported"),  # long double is not portable
    ("|S0", "no length"),
    ("<M8", "time unit"),
    ("nonsense", "invalid data type"),
    (4, "expected a typestr"),
    (None, "expected a typestr"),
])
def test_v2_rejects(obj, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_dtype_v2(obj, "grp/arr/.zarray")
    assert "grp/arr/.zarray" in str(info.value) and "'dtype'" in str(info.value)


@pytest.mark.parametrize("name, code", V3_NAMES.items())
def test_v3_core_names(name, code):
    dt = parse_dtype_v3(name, "zarr.json")
    assert dt == np.dtype(code) and dt.isnative
    assert dtype_to_v3(dt) == name
    assert dtype_to_v3(dt.newbyteorder(">")) == name  # endianness is the bytes codec's
    assert parse_dtype_v3({"name": name}, "zarr.json") == dt
    assert parse_dtype_v3({"name": name, "configuration": {}}, "zarr.json") == dt


@pytest.mark.parametrize("name, code", V3_NAMES.items())
def test_v3_names_are_what_zarr_python_writes(zarr_python_array, name, code):
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=code, zarr_format=3)
    assert docs["zarr.json"]["data_type"] == name
    assert parse_dtype_v3(name, "zarr.json") == arr.dtype


@pytest.mark.parametrize("bits", [8, 16, 24, 64])
def test_v3_raw_bits(bits):
    dt = parse_dtype_v3(f"r{bits}", "zarr.json")
    assert dt == np.dtype(f"V{bits // 8}")
    assert dtype_to_v3(dt) == f"r{bits}"


@pytest.mark.parametrize("obj, match", [
    ("r12", "multiple of 8"),
    ("r0", "unknown data type"),
    ("struct", "not supported yet"),
    ("variable_length_utf8", "unknown data type"),  # zarr-python 3.1.6 reads only "string"
    ({"name": "string", "configuration": {"x": 1}}, "no configuration"),
    ({"name": "numpy.datetime64", "configuration": {"unit": "parsec", "scale_factor": 1}},
     "unit"),
    ({"name": "numpy.datetime64", "configuration": {"unit": "ns", "scale_factor": 0}},
     "scale_factor"),
    ({"name": "numpy.timedelta64", "configuration": {"unit": "ns"}}, "scale_factor"),
    ({"name": "numpy.timedelta64", "configuration": {"unit": "s", "scale_factor": 1, "x": 0}},
     "unexpected member"),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 6}}, "multiple of 4"),
    ({"name": "null_terminated_bytes", "configuration": {"length_bytes": 0}}, "length_bytes"),
    ({"name": "null_terminated_bytes", "configuration": {}}, "length_bytes"),
    ("float128", "unknown data type"),
    ({"name": "int32", "configuration": {"endian": "big"}}, "no configuration"),
    ({"configuration": {}}, "data_type.name"),
    (7, "expected a name"),
    ("<f4", "unknown data type"),
])
def test_v3_rejects(obj, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_dtype_v3(obj, "x/zarr.json")
    assert "x/zarr.json" in str(info.value) and "data_type" in str(info.value)


@pytest.mark.parametrize("dtype", ["M8", [("a", "f4", (2,))]])
def test_dtype_to_v3_rejects_unrepresentable(dtype):
    with pytest.raises(MetadataError, match="v3|sub-array"):
        dtype_to_v3(np.dtype(dtype))


# user dtype -> what zarr-python 3.1.6 writes as the v3 data_type (checked by the oracle below)
V3_EXTENSIONS = ["M8[ns]", "M8[10s]", ">M8[ms]", "m8[s]", "m8[7us]", "U3", ">U1", "S4", "S1",
                 str, "T"]


@pytest.mark.parametrize("user", V3_EXTENSIONS, ids=str)
def test_v3_extension_types_match_zarr_python(zarr_python_array, user):
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=user, zarr_format=3)
    written = docs["zarr.json"]["data_type"]
    ours = normalize_dtype(user, 3)
    assert dtype_to_v3(ours) == written
    parsed = parse_dtype_v3(written, "zarr.json")
    theirs = np.dtype(arr.dtype)
    assert parsed == ours
    assert parsed == (theirs if theirs.kind == "T" else theirs.newbyteorder("="))


def test_v3_variable_length_bytes_matches_zarr_python(zarr_python_array):
    from zarr.core.dtype import VariableLengthBytes

    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=VariableLengthBytes(),
                                     zarr_format=3)
    assert docs["zarr.json"]["data_type"] == "variable_length_bytes"
    assert parse_dtype_v3("variable_length_bytes", "k") == arr.dtype == np.dtype(object)
    assert dtype_to_v3(normalize_dtype(bytes, 3)) == "variable_length_bytes"


def test_v3_time_units_and_alias():
    cfg = {"unit": "μs", "scale_factor": 3}
    assert parse_dtype_v3({"name": "numpy.timedelta64", "configuration": cfg}, "k") == \
        np.dtype("m8[3us]")
    for unit in ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]:
        dt = np.dtype(f"M8[{unit}]")
        assert parse_dtype_v3(dtype_to_v3(dt), "k") == dt


@pytest.mark.parametrize("user, filter_id, expected", [
    (str, "vlen-utf8", np.dtypes.StringDType()), ("T", "vlen-utf8", np.dtypes.StringDType()),
])
def test_v2_object_dtypes_match_zarr_python(zarr_python_array, user, filter_id, expected):
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=user, zarr_format=2)
    doc = docs[".zarray"]
    assert doc["dtype"] == "|O" and doc["filters"][0]["id"] == filter_id
    dt = parse_dtype_v2(doc["dtype"], ".zarray", doc["filters"])
    assert dt == expected == arr.dtype
    assert dtype_to_v2(normalize_dtype(user, 2)) == "|O"


def test_v2_object_dtype_follows_its_first_filter():
    assert parse_dtype_v2("|O", "k", [{"id": "vlen-bytes"}]) == np.dtype(object)
    assert parse_dtype_v2("|O", "k", [{"id": "vlen-utf8"}, {"id": "zlib"}]).kind == "T"
    with pytest.raises(MetadataError, match="'json2'"):
        parse_dtype_v2("|O", "a/.zarray", [{"id": "json2"}])
    with pytest.raises(MetadataError, match="vlen"):  # the object codec must come first
        parse_dtype_v2("|O", "a/.zarray", [{"id": "zlib"}, {"id": "vlen-utf8"}])


@pytest.mark.parametrize("fmt", [2, 3])
def test_normalize_variable_length_spellings(fmt):
    for user in (str, "str", "string", "T", np.dtypes.StringDType(),
                 np.dtypes.StringDType(na_object=None)):
        assert normalize_dtype(user, fmt) == np.dtypes.StringDType()
    for user in (bytes, "variable_length_bytes"):
        assert normalize_dtype(user, fmt) == np.dtype(object)
    with pytest.raises(MetadataError, match="ambiguous"):
        normalize_dtype(object, fmt)


@pytest.mark.parametrize("user, expected", [
    ("f4", "<f4"), (np.float32, "<f4"), ("<i2", "<i2"), (">f8", ">f8"), ("S5", "|S5"),
    ("U3", "<U3"), ("M8[ns]", "<M8[ns]"), (bool, "|b1"), ("uint8", "|u1"), (np.dtype("c8"), "<c8"),
])
def test_normalize_dtype_v2_keeps_byte_order(user, expected):
    assert normalize_dtype(user, 2).str == expected


@pytest.mark.parametrize("user", ["f4", np.float32, "<i2", ">f8", ">c16", "bool", "int64", "r16"])
def test_normalize_dtype_v3_is_native(user):
    dt = normalize_dtype(user, 3)
    assert dt.isnative
    expected = np.dtype("V2") if user == "r16" else np.dtype(user).newbyteorder("=")
    assert dt == expected


PADDED = np.dtype({"names": ["a"], "formats": ["<i4"], "offsets": [4]})


@pytest.mark.parametrize("user", ["M8", "O", [("a", "f4", (2,))], PADDED, "S", "U0"])
def test_normalize_dtype_v3_rejects_unsupported(user):
    with pytest.raises(MetadataError):
        normalize_dtype(user, 3)


@pytest.mark.parametrize("user", ["O", [("a", "f4"), ("b", "O")], PADDED, "S", "U", "M8"])
def test_normalize_dtype_v2_rejects_unsupported(user):
    with pytest.raises(MetadataError):
        normalize_dtype(user, 2)


def test_normalize_dtype_garbage_is_a_type_error():
    with pytest.raises(TypeError):
        normalize_dtype("not-a-dtype", 2)
    with pytest.raises(ValueError):
        normalize_dtype("f4", 4)
