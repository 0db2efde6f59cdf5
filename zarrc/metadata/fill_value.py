"""Fill values: JSON <-> NumPy scalars, following both specs and what zarr-python 3.1.6 writes.

JSON forms read (``parse_fill_value``):

- bool: ``true``/``false`` (v2 also ``0``/``1``);
- integers: a JSON integer in range (an integral float such as ``0.0`` is accepted too);
- floats: a number, ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, and in v3 ``"0x..."`` - the
  big-endian hex of the IEEE bits, the only way to carry a NaN payload;
- complex: ``[re, im]``, each component in any float form;
- ``S``/``V``: base64 of the bytes (v3 raw ``r<N>``: a list of byte values, or base64);
- ``U``: the string; datetimes/timedeltas: the int64 count, or ``"NaT"`` (zarr-python writes
  NaT as the int64 minimum);
- variable-length strings (``StringDType``): the string; variable-length bytes (``object``):
  base64;
- ``null``: v2 only ("no fill value").

v2 documents also carry forms only zarr-python 2.x wrote (``_legacy_v2``; docs/support.md,
"Legacy v2 metadata"): a number for ``S``/``U``/variable-length strings (read as its text, as
zarr-python 2 does), ``0``/``1`` for bool, ``0`` for ``V`` and variable-length bytes (zero
bytes), a single float for complex (the real part), and a datetime's count as its uint64 view.
They are read, never written.

Values are returned as NumPy scalars of the dtype (native byte order), with float bits
preserved exactly. ``fill_value_to_json`` writes what zarr-python writes, except that in v3 a
NaN other than the canonical quiet NaN is written in hex so its payload survives.
"""

from __future__ import annotations

import base64
import binascii
import math
import numbers
import string
from typing import Any, cast

import numpy as np

from zarrc.metadata._common import describe, is_int, is_number, metadata_error

__all__ = [
    "parse_fill_value",
    "fill_value_to_json",
    "normalize_fill_value",
    "default_fill_value",
]

FIELD = "fill_value"
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_UINT_OF_SIZE: dict[int, type[np.unsignedinteger[Any]]] = {
    2: np.uint16, 4: np.uint32, 8: np.uint64
}
_FLOAT_OF_HEX: dict[int, np.dtype[Any]] = {
    4: np.dtype(">f2"), 8: np.dtype(">f4"), 16: np.dtype(">f8")
}

# NumPy's type stubs give ``a[()]`` of a 0-d array the type of an array; at run time it is the
# scalar, so the scalar functions below cast it to the scalar type they return.


def _native(dtype: np.dtype[Any]) -> np.dtype[Any]:
    return dtype.newbyteorder("=") if dtype.byteorder not in "=|" else dtype


def _float_component(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The float dtype of a complex dtype's components (native order)."""
    return np.dtype(f"f{dtype.itemsize // 2}") if dtype.kind == "c" else _native(dtype)


# --------------------------------------------------------------------------- JSON -> value


def _json_float(obj: Any, fdt: np.dtype[Any], fmt: int, key: str | None) -> np.floating[Any]:
    """One IEEE float from its JSON form, bits preserved for hex input."""
    if is_number(obj):
        try:
            value = float(obj)
        except OverflowError:  # a JSON integer beyond the float64 range rounds to +-inf
            value = math.inf if obj > 0 else -math.inf
        with np.errstate(over="ignore"):
            return cast("np.floating[Any]", np.array(value, dtype=fdt)[()])
    if isinstance(obj, str):
        if obj in _SPECIAL:
            return cast("np.floating[Any]", np.array(_SPECIAL[obj], dtype=fdt)[()])
        if fmt == 3 and obj.startswith("0x"):
            return _hex_float(obj, fdt, key)
    raise metadata_error(key, FIELD, f"{describe(obj)} is not a valid {fdt.name} fill value")


def _hex_float(text: str, fdt: np.dtype[Any], key: str | None) -> np.floating[Any]:
    digits = text[2:]
    src = _FLOAT_OF_HEX.get(len(digits))
    if src is None or not all(c in string.hexdigits for c in digits):
        raise metadata_error(key, FIELD, f"invalid hexadecimal float {text!r}")
    # native scalar, bits intact
    value: np.floating[Any] = np.frombuffer(bytes.fromhex(digits), dtype=src)[0]
    if src.itemsize == fdt.itemsize:
        return value
    # zarr-python accepts a hex of another width and converts the value; so do we.
    return cast("np.floating[Any]", np.array(value, dtype=fdt)[()])


def _json_int(obj: Any, dtype: np.dtype[Any], key: str | None) -> np.integer[Any]:
    if is_int(obj):
        value = obj
    elif isinstance(obj, float) and obj.is_integer():
        value = int(obj)
    else:
        raise metadata_error(key, FIELD, f"{describe(obj)} is not a valid {dtype.name} fill "
                             "value (expected an integer)")
    info = np.iinfo(dtype)
    if not info.min <= value <= info.max:
        raise metadata_error(key, FIELD, f"{value} is out of range for {dtype.name}")
    return cast("np.integer[Any]", np.array(value, dtype=_native(dtype))[()])


def _json_base64(obj: Any, dtype: np.dtype[Any] | None, key: str | None) -> bytes:
    """Bytes from base64; `dtype` (None: no limit) bounds the length."""
    if not isinstance(obj, str):
        raise metadata_error(key, FIELD, f"expected a base64 string, got {describe(obj)}")
    try:
        raw = base64.b64decode(obj.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise metadata_error(key, FIELD, f"invalid base64 {obj!r}") from None
    if dtype is not None and len(raw) > dtype.itemsize:
        raise metadata_error(key, FIELD, f"{len(raw)} bytes do not fit {dtype.str!r}")
    return raw


def _json_raw_list(obj: list[Any], dtype: np.dtype[Any], key: str | None) -> bytes:
    if len(obj) != dtype.itemsize or not all(is_int(b) and 0 <= b <= 255 for b in obj):
        raise metadata_error(key, FIELD, f"expected {dtype.itemsize} integers in [0, 255]")
    return bytes(obj)


def _void(raw: bytes, dtype: np.dtype[Any]) -> np.void:
    value: np.void = np.frombuffer(raw.ljust(dtype.itemsize, b"\0"), dtype=dtype)[0]
    return value


def _json_time(obj: Any, dtype: np.dtype[Any], key: str | None) -> np.generic:
    if obj == "NaT":
        return cast("np.generic", np.array("NaT", dtype=_native(dtype))[()])
    if not is_int(obj):
        raise metadata_error(key, FIELD, f"expected an integer or 'NaT', got {describe(obj)}")
    if not -(2**63) <= obj < 2**63:
        raise metadata_error(key, FIELD, f"{obj} is out of range for {dtype.str!r}")
    return cast("np.generic", np.array(obj, dtype=np.int64).view(_native(dtype))[()])


def parse_fill_value(obj: Any, dtype: np.dtype[Any], zarr_format: int, key: str | None) -> Any:
    """Parse the JSON ``fill_value`` of a document into a NumPy scalar of ``dtype``.

    Returns ``None`` for a v2 ``null``.

    Raises
    ------
    MetadataError
        For a wrong JSON type, an out-of-range integer, bad base64/hex, or ``null`` in v3.
    """
    dtype = np.dtype(dtype)
    if obj is None:
        if zarr_format == 2:
            return None
        raise metadata_error(key, FIELD, f"null is not a valid fill value for {dtype.name}")
    if zarr_format == 2:
        legacy = _legacy_v2(obj, dtype, key)
        if legacy is not None:
            return legacy
    kind = dtype.kind
    if kind == "b":
        if isinstance(obj, bool):
            return np.bool_(obj)
        raise metadata_error(key, FIELD, f"expected true or false, got {describe(obj)}")
    if kind in "iu":
        return _json_int(obj, dtype, key)
    if kind == "f":
        return _json_float(obj, _native(dtype), zarr_format, key)
    if kind == "c":
        if not isinstance(obj, list) or len(obj) != 2:
            raise metadata_error(key, FIELD, f"expected [real, imag] for {dtype.name}, "
                                 f"got {describe(obj)}")
        fdt = _float_component(dtype)
        parts = [_json_float(v, fdt, zarr_format, key) for v in obj]
        return np.array(parts, dtype=fdt).view(_native(dtype))[0]
    if kind == "S":
        return np.array(_json_base64(obj, dtype, key), dtype=dtype)[()]
    if kind == "V":
        if isinstance(obj, list):
            return _void(_json_raw_list(obj, dtype, key), dtype)
        return _void(_json_base64(obj, dtype, key), dtype)
    if kind == "U":
        if not isinstance(obj, str):
            raise metadata_error(key, FIELD, f"expected a string, got {describe(obj)}")
        if len(obj) > dtype.itemsize // 4:
            raise metadata_error(key, FIELD, f"{obj!r} is longer than {dtype.str!r} allows")
        return np.str_(obj)
    if kind in "Mm":
        return _json_time(obj, dtype, key)
    if kind == "T":
        if isinstance(obj, str):
            return obj
        raise metadata_error(key, FIELD, f"expected a string, got {describe(obj)}")
    if kind == "O":
        return _json_base64(obj, None, key)
    raise metadata_error(key, FIELD, f"unsupported data type {dtype.str!r}")


def _legacy_v2(obj: Any, dtype: np.dtype[Any], key: str | None) -> Any:
    """The value of a v2 fill value in a form only zarr-python 2.x wrote, else None.

    zarr-python 2.0 and 2.1 stored the fill value as given: the default ``0`` (``1`` from
    ``ones``) whatever the dtype, a bare float for complex; every zarr-python 2 reads a number
    for ``S``/``U`` as NumPy converts it (``0`` -> ``b"0"``). 2.2 stored a datetime's count as
    its uint64 view (NaT as 2**63); 2.2 to 2.18 stored ``0`` for variable-length data.
    """
    kind = dtype.kind
    if kind == "c" and isinstance(obj, str) and obj in _SPECIAL:
        obj = _SPECIAL[obj]
    if not is_number(obj):
        return None
    if kind in "SU":
        return np.array(obj, dtype=dtype)[()]  # the text zarr-python 2 fills chunks with
    if kind == "T":
        return str(obj)  # as zarr-python 3 reads zarr-python 2's default 0
    if kind == "c":
        fdt = _float_component(dtype)
        return np.array([_json_float(obj, fdt, 2, key), 0], dtype=fdt).view(_native(dtype))[0]
    if not is_int(obj):
        return None
    if kind == "b" and obj in (0, 1):
        return np.bool_(obj)
    if kind in "VO" and obj == 0:
        return b"" if kind == "O" else _void(b"", dtype)
    if kind in "Mm" and 2**63 <= obj < 2**64:
        return _json_time(obj - 2**64, dtype, key)
    return None


# --------------------------------------------------------------------------- value -> JSON


def _float_bits(value: np.floating[Any]) -> int:
    return int(np.array(value).view(_UINT_OF_SIZE[value.itemsize])[()])


def _canonical_nan_bits(fdt: np.dtype[Any]) -> int:
    return _float_bits(cast("np.floating[Any]", np.array(math.nan, dtype=fdt)[()]))


def _float_to_json(value: np.floating[Any], fmt: int) -> Any:
    if np.isnan(value):
        bits = _float_bits(value)
        if fmt == 2 or bits == _canonical_nan_bits(value.dtype):
            return "NaN"
        return f"0x{bits:0{2 * value.itemsize}x}"
    if np.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def fill_value_to_json(value: Any, dtype: np.dtype[Any], zarr_format: int) -> Any:
    """Encode a fill value as JSON the way zarr-python 3.1.6 writes it.

    ``NaN`` -> ``"NaN"``, infinities -> ``"Infinity"``/``"-Infinity"``, complex -> ``[re, im]``,
    ``S``/``V`` -> base64 (v3 raw ``V``: a list of byte values), datetimes -> int64 count,
    ``None`` -> ``null`` (v2 only). In v3 a non-canonical NaN is written as hex bits.
    """
    dtype = np.dtype(dtype)
    if value is None:
        if zarr_format == 2:
            return None
        raise metadata_error(None, FIELD, "a v3 array needs a fill value, got None")
    value = normalize_fill_value(value, dtype, zarr_format)
    kind = dtype.kind
    if kind == "b":
        return bool(value)
    if kind in "iu":
        return int(value)
    if kind == "f":
        return _float_to_json(value, zarr_format)
    if kind == "c":
        fdt = _float_component(dtype)
        re, im = np.array(value, dtype=_native(dtype)).reshape(1).view(fdt)
        return [_float_to_json(re, zarr_format), _float_to_json(im, zarr_format)]
    if kind == "S":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "V":
        raw = np.array(value, dtype=dtype).tobytes()
        if zarr_format == 3 and dtype.fields is None:
            return list(raw)
        return base64.b64encode(raw).decode("ascii")  # v2, and v3 records (as zarr-python)
    if kind == "U":
        return str(value)
    if kind in "Mm":
        return int(np.array(value, dtype=_native(dtype)).view(np.int64))
    if kind == "T":
        return str(value)
    if kind == "O":
        return base64.b64encode(bytes(value)).decode("ascii")
    raise metadata_error(None, FIELD, f"unsupported data type {dtype.str!r}")


# --------------------------------------------------------------------------- user input


def default_fill_value(dtype: np.dtype[Any]) -> Any:
    """The fill value zarr-python records when none is given: 0, False, b'', '', NaT."""
    dtype = np.dtype(dtype)
    if dtype.kind == "T":
        return ""
    if dtype.kind == "O":
        return b""
    if dtype.kind in "Mm":
        return np.array("NaT", dtype=_native(dtype))[()]
    if dtype.kind == "S":
        return np.bytes_(b"")
    if dtype.kind == "U":
        return np.str_("")
    return np.zeros((), dtype=_native(dtype))[()]


def _bad(value: Any, dtype: np.dtype[Any], why: str = "") -> Exception:
    return metadata_error(None, FIELD, f"{value!r} is not a valid fill value for "
                          f"{dtype.str!r}{': ' + why if why else ''}")


def _user_float(value: Any, fdt: np.dtype[Any]) -> np.floating[Any]:
    if isinstance(value, np.floating) and value.dtype == fdt:
        return value
    if isinstance(value, str):
        if value in _SPECIAL:
            value = _SPECIAL[value]
        elif value.startswith("0x"):
            return _hex_float(value, fdt, None)
        else:
            try:
                value = float(value)
            except ValueError:
                raise _bad(value, fdt) from None
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _bad(value, fdt)
    with np.errstate(over="ignore"):
        return cast("np.floating[Any]", np.array(value, dtype=fdt)[()])


def _user_int(value: Any, dtype: np.dtype[Any]) -> np.integer[Any]:
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        value = int(value)  # type: ignore[call-overload]  # numbers.Real declares no __int__
    else:
        raise _bad(value, dtype, "expected an integer")
    info = np.iinfo(dtype)
    if not info.min <= value <= info.max:
        raise _bad(value, dtype, "out of range")
    return cast("np.integer[Any]", np.array(value, dtype=_native(dtype))[()])


def _user_complex(value: Any, dtype: np.dtype[Any]) -> np.complexfloating[Any, Any]:
    fdt = _float_component(dtype)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        parts = [_user_float(v, fdt) for v in value]
        pair: np.complexfloating[Any, Any] = np.array(parts, dtype=fdt).view(_native(dtype))[0]
        return pair
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Number):
        raise _bad(value, dtype)
    return cast("np.complexfloating[Any, Any]", np.array(value, dtype=_native(dtype))[()])


def _user_bytes(value: Any, dtype: np.dtype[Any]) -> bytes:
    if isinstance(value, np.void):
        value = value.tobytes()
    elif isinstance(value, str):
        try:
            value = value.encode("ascii")
        except UnicodeEncodeError:
            raise _bad(value, dtype, "not ASCII") from None
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise _bad(value, dtype, "expected bytes")
    raw = bytes(value)
    if dtype.kind != "O" and len(raw) > dtype.itemsize:
        raise _bad(raw, dtype, f"longer than {dtype.itemsize} bytes")
    return raw


def normalize_fill_value(value: Any, dtype: np.dtype[Any], zarr_format: int) -> Any:
    """Turn a user's fill value into a NumPy scalar of ``dtype`` (or ``None``).

    ``None`` stays ``None`` in v2 (written as ``null``, as zarr-python 3's
    ``create_array(zarr_format=2, fill_value=None)`` does) and becomes
    :func:`default_fill_value` in v3. ``0`` means the zero value for every dtype, as in
    zarr-python 2. Lossy input is rejected: a non-integral float for an integer dtype, an
    out-of-range integer, or bytes/strings longer than the item size.

    Raises
    ------
    MetadataError
        (a ValueError) naming the field ``fill_value``.
    """
    dtype = np.dtype(dtype)
    if value is None:
        return None if zarr_format == 2 else default_fill_value(dtype)
    kind = dtype.kind
    if kind in "SUVTO" and is_int(value) and value == 0:
        return default_fill_value(dtype)
    if kind == "b":
        if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, numbers.Integral) and value in (0, 1)
        ):
            return np.bool_(bool(value))
        raise _bad(value, dtype, "expected a boolean")
    if kind in "iu":
        return _user_int(value, dtype)
    if kind == "f":
        return _user_float(value, _native(dtype))
    if kind == "c":
        return _user_complex(value, dtype)
    if kind == "S":
        return np.array(_user_bytes(value, dtype), dtype=dtype)[()]
    if kind == "V" and dtype.fields is not None and not isinstance(
            value, (bytes, bytearray, memoryview)):
        try:  # a record: a tuple of field values, an np.void or a 0-d structured array
            return np.array(value, dtype=dtype)[()]
        except (TypeError, ValueError) as exc:
            raise _bad(value, dtype, str(exc)) from None
    if kind == "V":
        return _void(_user_bytes(value, dtype), dtype)
    if kind == "U":
        if not isinstance(value, str):
            raise _bad(value, dtype, "expected a string")
        if len(value) > dtype.itemsize // 4:
            raise _bad(value, dtype, "too long")
        return np.str_(value)
    if kind == "T":
        if not isinstance(value, str):
            raise _bad(value, dtype, "expected a string")
        return str(value)
    if kind == "O":
        if isinstance(value, str):
            raise _bad(value, dtype, "expected bytes")
        return _user_bytes(value, dtype)
    if kind in "Mm":
        if isinstance(value, (bool, np.bool_, float, np.floating)):
            raise _bad(value, dtype)
        try:
            return np.array(value, dtype=_native(dtype))[()]
        except (TypeError, ValueError, OverflowError):
            raise _bad(value, dtype) from None
    raise metadata_error(None, FIELD, f"unsupported data type {dtype.str!r}")
