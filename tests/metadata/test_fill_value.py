"""Fill values: every JSON form of both specs, checked against zarr-python 3 and NumPy bits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zarrc.errors import MetadataError
from zarrc.metadata import (
    default_fill_value,
    fill_value_to_json,
    normalize_fill_value,
    parse_fill_value,
)
from zarrc.metadata.fill_value import _legacy_v2

UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def bits(value) -> int:
    return int(np.array(value).view(UINT[np.asarray(value).itemsize])[()])


def same_value(a, b) -> bool:
    """Equal, treating NaN as equal to NaN and NaT as equal to NaT."""
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    if a_arr.dtype.kind in "fc":
        return bool(np.array_equal(a_arr, b_arr, equal_nan=True))
    if a_arr.dtype.kind in "Mm":
        return a_arr.view("i8") == b_arr.view("i8")
    return bool(a == b)


# (dtype, user fill value) pairs zarr-python 3.1.6 accepts for both formats.
ORACLE_CASES = [
    ("<f4", np.nan), ("<f4", np.inf), ("<f4", -np.inf), ("<f8", 1.5), ("<f8", -0.0),
    ("<f2", np.nan), ("<f2", 0.1), ("<f4", 0.1), ("<f4", 1e39), (">f8", -2.5),
    ("<c16", complex(np.nan, np.inf)), ("<c8", 1 + 2j), ("<c16", complex(-np.inf, 0.25)),
    ("<i4", 7), (">i8", -(2**63)), ("<u8", 2**64 - 1), ("|b1", True), ("|u1", 255),
    ("|S5", b"ab"), ("|S3", b"abc"), ("<U3", "xy"), ("|V4", b"\x01\x02\x03\x04"),
    ("<M8[ns]", np.datetime64("2020-01-01", "ns")), ("<M8[ns]", np.datetime64("NaT")),
    ("<m8[s]", 5), ("<f8", 0), ("<i8", 0.0), ("|b1", None), ("<f4", None), ("|S2", None),
    ("<M8[s]", None),
]


# v3 raw bytes: zarrc writes the core r<N> where zarr-python writes its raw_bytes extension.
ORACLE_PARAMS = [(fmt, dt, fv) for fmt in (2, 3) for dt, fv in ORACLE_CASES
                 if fmt == 2 or np.dtype(dt).kind != "V"]


@pytest.mark.parametrize("zarr_format, dtype, fill", ORACLE_PARAMS)
def test_parse_and_emit_match_zarr_python(zarr_python_array, zarr_format, dtype, fill):
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=dtype, fill_value=fill,
                                     zarr_format=zarr_format)
    doc = docs[".zarray" if zarr_format == 2 else "zarr.json"]
    dt = np.dtype(dtype) if zarr_format == 2 else np.dtype(dtype).newbyteorder("=")
    parsed = parse_fill_value(doc["fill_value"], dt, zarr_format, "k")
    expected = arr.fill_value
    if expected is None:
        assert parsed is None
    else:
        assert same_value(parsed, expected)
        if dt.kind == "f" and not np.isnan(expected):
            assert bits(parsed) == bits(np.asarray(expected, dtype=dt.newbyteorder("=")))
    # what we write for the user's value is exactly what zarr-python wrote
    ours = fill_value_to_json(normalize_fill_value(fill, dt, zarr_format), dt, zarr_format)
    assert json.dumps(ours) == json.dumps(doc["fill_value"])


@pytest.mark.parametrize("dtype", ["<f4", ">i2", "|S3", "<U2", "<M8[s]", "<m8[ms]", "|b1",
                                   "|V2", "<c8"])
def test_default_fill_value_is_zarr_pythons_default(zarr_python_array, dtype):
    arr, docs, _ = zarr_python_array(shape=(3,), chunks=(3,), dtype=dtype, zarr_format=2)
    default = default_fill_value(np.dtype(dtype))
    assert same_value(default, arr.fill_value)
    assert fill_value_to_json(default, np.dtype(dtype), 2) == docs[".zarray"]["fill_value"]


def test_none_is_null_in_v2_and_default_in_v3():
    assert normalize_fill_value(None, np.dtype("f4"), 2) is None
    assert fill_value_to_json(None, np.dtype("f4"), 2) is None
    v3 = normalize_fill_value(None, np.dtype("f4"), 3)
    assert isinstance(v3, np.float32) and v3 == 0
    with pytest.raises(MetadataError):
        fill_value_to_json(None, np.dtype("f4"), 3)
    with pytest.raises(MetadataError, match="'fill_value'"):
        parse_fill_value(None, np.dtype("f4"), 3, "a/zarr.json")


@pytest.mark.parametrize("dtype, text, expected_bits", [
    ("f4", "0x7fc00000", 0x7FC00000), ("f4", "0x7f800001", 0x7F800001),
    ("f4", "0xffc00000", 0xFFC00000), ("f8", "0x7ff8000000000001", 0x7FF8000000000001),
    ("f2", "0x7e01", 0x7E01), ("f4", "0x3f800000", 0x3F800000), ("f8", "0x0000000000000001", 1),
])
def test_v3_hex_floats_keep_their_bits(dtype, text, expected_bits):
    value = parse_fill_value(text, np.dtype(dtype), 3, "zarr.json")
    assert value.dtype == np.dtype(dtype) and bits(value) == expected_bits
    back = fill_value_to_json(value, np.dtype(dtype), 3)
    assert bits(parse_fill_value(back, np.dtype(dtype), 3, "zarr.json")) == expected_bits


def test_v3_canonical_nan_is_written_as_nan_and_other_nans_as_hex():
    assert fill_value_to_json(np.float32(np.nan), np.dtype("f4"), 3) == "NaN"
    neg = np.array(0xFFC00000, dtype=np.uint32).view(np.float32)[()]
    assert fill_value_to_json(neg, np.dtype("f4"), 3) == "0xffc00000"
    assert fill_value_to_json(neg, np.dtype("f4"), 2) == "NaN"  # v2 has no hex form


def test_hex_of_another_width_converts_the_value_like_zarr_python():
    value = parse_fill_value("0x3f800000", np.dtype("f8"), 3, "zarr.json")
    assert value == 1.0 and value.dtype == np.float64


def test_complex_components_in_any_float_form():
    value = parse_fill_value(["0x7fc00001", "-Infinity"], np.dtype("c8"), 3, "zarr.json")
    re, im = np.array(value).reshape(1).view(np.float32)
    assert bits(re) == 0x7FC00001 and im == -np.inf
    assert fill_value_to_json(value, np.dtype("c8"), 3) == ["0x7fc00001", "-Infinity"]
    assert fill_value_to_json(value, np.dtype("c8"), 2) == ["NaN", "-Infinity"]


def test_big_endian_v2_dtype_gives_native_scalar():
    value = parse_fill_value(1.5, np.dtype(">f8"), 2, ".zarray")
    assert value == 1.5 and value.dtype.isnative
    assert fill_value_to_json(value, np.dtype(">f8"), 2) == 1.5


@pytest.mark.parametrize("fmt", [2, 3])
def test_raw_bits_fill(fmt):
    dt = np.dtype("V3")
    v = parse_fill_value([1, 2, 255], dt, 3, "zarr.json")
    assert v.tobytes() == b"\x01\x02\xff"
    assert fill_value_to_json(v, dt, 3) == [1, 2, 255]
    assert parse_fill_value("AQL/", dt, fmt, "k").tobytes() == b"\x01\x02\xff"
    assert fill_value_to_json(v, dt, 2) == "AQL/"


@pytest.mark.parametrize("obj, dtype, fmt, match", [
    (300, "u1", 2, "out of range"),
    (-1, "u8", 3, "out of range"),
    (2**63, "i8", 3, "out of range"),
    (1.5, "i4", 3, "expected an integer"),
    (True, "i4", 3, "expected an integer"),
    ("7", "i4", 2, "expected an integer"),
    ("nan", "f4", 3, "not a valid"),
    ("0x7fc0000", "f4", 3, "hexadecimal"),
    ("0xzzzzzzzz", "f4", 3, "hexadecimal"),
    ("0x7fc0 000", "f4", 3, "hexadecimal"),
    ("0x7fc00000 ", "f4", 3, "hexadecimal"),
    ("0x7fc00000", "f4", 2, "not a valid"),  # hex floats are v3 only
    (True, "f8", 3, "not a valid"),
    ([1.0], "c16", 3, r"\[real, imag\]"),
    ([1.0, 2.0, 3.0], "c16", 2, r"\[real, imag\]"),
    (1.0, "c16", 3, r"\[real, imag\]"),
    ([1.0, "x"], "c8", 3, "not a valid"),
    (1, "?", 3, "true or false"),
    ("true", "?", 2, "true or false"),
    (2, "?", 2, "true or false"),
    ("!!", "S4", 2, "base64"),
    ("YWJjZGU=", "S4", 2, "do not fit"),
    (5, "S4", 3, "base64"),  # numbers for S/U/complex/V: v2 only (zarr-python 2.0-2.1)
    (True, "S4", 2, "base64"),
    ([0], "S4", 2, "base64"),
    (3, "U2", 3, "expected a string"),
    (False, "U2", 2, "expected a string"),
    ({"a": 1}, "U2", 2, "expected a string"),
    ("abc", "U2", 2, "longer"),
    (True, "c16", 2, r"\[real, imag\]"),
    ("nan", "c8", 2, r"\[real, imag\]"),
    (1, "V3", 2, "base64"),  # only the default 0 was written for V
    (0.0, "V3", 2, "base64"),
    (0, "V3", 3, "base64"),
    (1.5, "M8[s]", 2, "integer or 'NaT'"),
    (2**63, "m8[s]", 3, "out of range"),  # the uint64 view is v2 only (zarr-python 2.2)
    (2**64, "m8[s]", 2, "out of range"),
    (-(2**63) - 1, "M8[ns]", 2, "out of range"),
    ([1, 2], "V3", 3, "3 integers"),
    ([1, 2, 256], "V3", 3, "3 integers"),
])
def test_invalid_json_fill_values_name_key_and_field(obj, dtype, fmt, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_fill_value(obj, np.dtype(dtype), fmt, "grp/arr/zarr.json")
    assert "grp/arr/zarr.json" in str(info.value) and "'fill_value'" in str(info.value)


@pytest.mark.parametrize("dtype, fill", [c for c in ORACLE_CASES if c[1] is not None] + [
    ("|S1", 0), ("<U4", 0), ("<c16", 0), ("<c8", 1.5), ("|V3", 0), ("|b1", 0), ("|b1", 1),
    ("<M8[ns]", np.datetime64("NaT")), ("<M8[s]", np.datetime64(-86400, "s")), ("<m8[s]", -5),
    (np.dtypes.StringDType(), 0), (np.dtype(object), 0),
])
def test_v2_never_writes_a_legacy_form(dtype, fill):
    """What zarrc writes into a .zarray is never a form only zarr-python 2.0-2.2 wrote, and
    reads back as the value written."""
    dt = np.dtype(dtype)
    value = normalize_fill_value(fill, dt, 2)
    doc = fill_value_to_json(value, dt, 2)
    assert _legacy_v2(doc, dt, None) is None, doc
    assert same_value(parse_fill_value(doc, dt, 2, "k"), value)


def test_lenient_forms_zarr_python_2_documents_use():
    assert parse_fill_value(0.0, np.dtype("i8"), 2, "k") == 0  # integral float for an int
    assert parse_fill_value(1, np.dtype("?"), 2, "k") is np.True_  # 0/1 for bool in v2
    assert np.isnat(parse_fill_value("NaT", np.dtype("M8[ns]"), 2, "k"))
    assert parse_fill_value(10**400, np.dtype("f8"), 3, "k") == np.inf  # rounds to inf
    assert parse_fill_value(1e39, np.dtype("f4"), 3, "k") == np.inf


# --------------------------------------------------------------------------- user input


@pytest.mark.parametrize("value, dtype, expected", [
    (0, "S3", b""), (0, "U2", ""), (0, "V2", b"\0\0"), (0, "M8[s]", np.datetime64(0, "s")),
    ("NaN", "f4", np.nan), ("nan", "f8", np.nan), ("-inf", "f4", -np.inf), ("2.5", "f8", 2.5),
    ((1, 2), "c8", 1 + 2j), ([np.nan, "Infinity"], "c16", complex(np.nan, np.inf)),
    (3.0, "i2", 3), (np.int64(5), "u1", 5), (True, "i4", 1), (1, "?", True),
    ("ab", "S3", b"ab"), (b"\x01", "V2", b"\x01\0"), ("2020-01-01", "M8[D]",
                                                      np.datetime64("2020-01-01")),
    ("NaT", "m8[s]", np.timedelta64("NaT")), (7, "m8[s]", np.timedelta64(7, "s")),
])
def test_normalize_user_values(value, dtype, expected):
    dt = np.dtype(dtype)
    out = normalize_fill_value(value, dt, 2)
    assert isinstance(out, np.generic)
    if dt.kind == "V":
        assert out.tobytes() == expected
    else:
        assert same_value(out, np.array(expected, dtype=dt)[()])


@pytest.mark.parametrize("value, dtype", [
    (1.5, "i4"), (300, "u1"), (-1, "u4"), (2**64, "u8"), ("x", "?"), (2, "?"), ("x", "i4"),
    ("abc", "f4"), (True, "f4"), (b"abcd", "S3"), ("é", "S3"), (5, "U2"), ("abc", "U2"),
    (b"abc", "V2"), ("x", "c8"), ((1, 2, 3), "c8"), (1.5, "M8[s]"), ("garbage", "M8[s]"),
    (object(), "f8"),
])
def test_normalize_rejects_lossy_or_wrong_values(value, dtype):
    with pytest.raises(MetadataError, match="fill_value"):
        normalize_fill_value(value, np.dtype(dtype), 3)


def test_normalize_keeps_nan_payload_of_same_dtype():
    payload = np.array(0x7FA00001, dtype=np.uint32).view(np.float32)[()]
    assert bits(normalize_fill_value(payload, np.dtype("f4"), 3)) == 0x7FA00001
    assert bits(normalize_fill_value("0x7fa00001", np.dtype("f4"), 3)) == 0x7FA00001


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("size", [2, 4, 8])
@given(data=st.data())
def test_float_bit_patterns_round_trip_through_v3_json(size, data):
    raw = data.draw(st.integers(0, 2 ** (8 * size) - 1))
    dt = np.dtype(f"f{size}")
    text = f"0x{raw:0{2 * size}x}"
    value = parse_fill_value(text, dt, 3, "zarr.json")
    assert bits(value) == raw
    encoded = json.loads(json.dumps(fill_value_to_json(value, dt, 3)))
    again = parse_fill_value(encoded, dt, 3, "zarr.json")
    assert bits(again) == raw
    if not np.isnan(value):
        assert encoded == float(value) or encoded in ("Infinity", "-Infinity")


@pytest.mark.parametrize("size", [2, 4, 8])
@given(data=st.data())
def test_non_nan_floats_round_trip_through_v2_json(size, data):
    raw = data.draw(st.integers(0, 2 ** (8 * size) - 1))
    dt = np.dtype(f"f{size}")
    value = np.array(raw, dtype=UINT[size]).view(dt)[()]
    encoded = json.loads(json.dumps(fill_value_to_json(value, dt, 2)))
    again = parse_fill_value(encoded, dt, 2, ".zarray")
    if np.isnan(value):
        assert encoded == "NaN" and np.isnan(again)
    else:
        assert bits(again) == raw


@given(re=st.integers(0, 2**32 - 1), im=st.integers(0, 2**32 - 1))
def test_complex64_bit_patterns_round_trip(re, im):
    dt = np.dtype("c8")
    value = parse_fill_value([f"0x{re:08x}", f"0x{im:08x}"], dt, 3, "zarr.json")
    encoded = json.loads(json.dumps(fill_value_to_json(value, dt, 3)))
    parts = np.array(parse_fill_value(encoded, dt, 3, "zarr.json")).reshape(1).view(np.uint32)
    assert parts.tolist() == [re, im]


@pytest.mark.parametrize("code", ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"])
@given(data=st.data())
def test_integers_in_range_round_trip_and_out_of_range_fail(code, data):
    info = np.iinfo(code)
    value = data.draw(st.integers(info.min - 10, info.max + 10))
    dt = np.dtype(code)
    if info.min <= value <= info.max:
        parsed = parse_fill_value(value, dt, 3, "k")
        assert int(parsed) == value and parsed.dtype == dt
        assert fill_value_to_json(parsed, dt, 3) == value
    else:
        with pytest.raises(MetadataError, match="out of range"):
            parse_fill_value(value, dt, 3, "k")


@given(st.binary(max_size=6))
def test_bytes_round_trip_through_base64(raw):
    dt = np.dtype("S6")
    value = normalize_fill_value(raw, dt, 2)
    assert parse_fill_value(fill_value_to_json(value, dt, 2), dt, 2, "k") == value
    assert value == np.array(raw, dtype=dt)[()]


@given(st.floats(allow_nan=False) | st.just(math.nan))
def test_normalize_float64_agrees_with_numpy(x):
    out = normalize_fill_value(x, np.dtype("f4"), 2)
    with np.errstate(over="ignore"):
        assert same_value(out, np.float32(x))


# --------------------------------------------------------------- variable-length strings/bytes


def _variable_length(kind):
    from zarr.core.dtype import VariableLengthBytes

    return (np.dtypes.StringDType(), "T") if kind == "T" else (np.dtype(object),
                                                                 VariableLengthBytes())


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("kind, fill", [("T", None), ("T", "héllo"), ("T", ""),
                                        ("O", None), ("O", b"\x00ab"), ("O", b"")])
def test_variable_length_fill_matches_zarr_python(zarr_python_array, zarr_format, kind, fill):
    dt, theirs = _variable_length(kind)
    kw = {} if fill is None else {"fill_value": fill}
    arr, docs, _ = zarr_python_array(shape=(4,), chunks=(2,), dtype=theirs,
                                     zarr_format=zarr_format, **kw)
    doc = docs[".zarray" if zarr_format == 2 else "zarr.json"]
    parsed = parse_fill_value(doc["fill_value"], dt, zarr_format, "k")
    assert parsed == arr.fill_value and type(parsed) is type(arr.fill_value)
    value = default_fill_value(dt) if fill is None else fill
    ours = fill_value_to_json(normalize_fill_value(value, dt, zarr_format), dt, zarr_format)
    assert ours == doc["fill_value"]


def test_variable_length_fill_forms_of_zarr_python_2():
    """zarr-python 2 wrote 0 for object arrays; zarr-python 3 reads a string array's as "0"."""
    t, o = np.dtypes.StringDType(), np.dtype(object)
    assert parse_fill_value(0, t, 2, "k") == "0"
    assert parse_fill_value(0, o, 2, "k") == b""
    assert parse_fill_value(None, o, 2, "k") is None
    assert parse_fill_value("YWI=", o, 3, "k") == b"ab"
    for bad, dt, fmt in [(0, t, 3), (None, t, 3), ("%%", o, 3), (3, o, 3), ([1], t, 2)]:
        with pytest.raises(MetadataError, match="fill_value"):
            parse_fill_value(bad, dt, fmt, "arr/zarr.json")
    for bad, dt in [(b"x", t), (1.5, t), ("x", o), (1.5, o)]:
        with pytest.raises(MetadataError, match="fill_value"):
            normalize_fill_value(bad, dt, 3)
    assert normalize_fill_value(0, t, 3) == "" and normalize_fill_value(0, o, 3) == b""
    assert normalize_fill_value(bytearray(b"ab"), o, 3) == b"ab"


@given(st.text())
def test_string_fill_round_trips(text):
    t = np.dtypes.StringDType()
    for fmt in (2, 3):
        assert parse_fill_value(fill_value_to_json(text, t, fmt), t, fmt, "k") == text


@given(st.binary())
def test_bytes_fill_round_trips(raw):
    o = np.dtype(object)
    for fmt in (2, 3):
        assert parse_fill_value(fill_value_to_json(raw, o, fmt), o, fmt, "k") == raw
