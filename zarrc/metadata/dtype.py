"""Data types: v2 typestr strings and v3 data type names <-> NumPy dtypes.

v2 (spec "Data type encoding") stores a NumPy typestr with explicit byte order, e.g. ``"<f4"``,
``">i8"``, ``"|b1"``, ``"|S5"``, ``"<U3"``, ``"<M8[ns]"``, ``"|V8"``; zarr-python writes
``dtype.str``. Variable-length data is ``"|O"`` with an object codec as the first filter:
``vlen-utf8`` (read as NumPy ``StringDType``, as zarr-python 3 does) or ``vlen-bytes`` (read as
an ``object`` array of ``bytes``).

v3 (spec "Data types" and the zarr-extensions registry, as zarr-python 3.1.6 writes them): the
core types ``bool``, ``int8``..``uint64``, ``float16``/``32``/``64``, ``complex64``/``128``,
raw bits ``r<N>``, and the extension types

- ``numpy.datetime64`` / ``numpy.timedelta64`` ``{"unit", "scale_factor"}`` (``M8[10s]``);
- ``fixed_length_utf32`` ``{"length_bytes": 4 * n}`` (``U<n>``);
- ``null_terminated_bytes`` ``{"length_bytes": n}`` (``S<n>``);
- ``string`` (variable-length UTF-8, ``StringDType``) and ``variable_length_bytes``
  (``object`` holding ``bytes``).

Structured dtypes (as zarr-python 3.1.6 stores them): v2 ``[["a", "<f8"], ["b", [["c",
"|u1"]]]]`` (fields in order, nested lists for nested records), v3 ``{"name": "structured",
"configuration": {"fields": [["a", "float64"], ...]}}`` with every field in native order.
Fields must be packed (no padding) and must not be sub-arrays or variable-length.

Byte order lives in the ``bytes`` codec, so v3 dtypes here are always native order.
Not supported (MetadataError): v3 ``struct``/``raw_bytes``/``fixed_length_ascii``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from zarrc.metadata._common import describe, is_int, metadata_error, split_extension

__all__ = [
    "parse_dtype_v2",
    "dtype_to_v2",
    "parse_dtype_v3",
    "dtype_to_v3",
    "normalize_dtype",
    "object_codec_id",
    "is_variable_length",
    "STRING_DTYPE",
    "V3_CORE_DTYPES",
]

FIELD_V2 = "dtype"
FIELD_V3 = "data_type"

#: The dtype of variable-length strings (``string`` in v3, ``|O`` + ``vlen-utf8`` in v2).
STRING_DTYPE: np.dtype[Any] = np.dtypes.StringDType()
_BYTES_DTYPE = np.dtype(object)

#: v3 core data type names and their (native-order) NumPy dtypes.
V3_CORE_DTYPES: dict[str, np.dtype[Any]] = {
    "bool": np.dtype(np.bool_),
    "int8": np.dtype(np.int8),
    "int16": np.dtype(np.int16),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
    "uint8": np.dtype(np.uint8),
    "uint16": np.dtype(np.uint16),
    "uint32": np.dtype(np.uint32),
    "uint64": np.dtype(np.uint64),
    "float16": np.dtype(np.float16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
    "complex64": np.dtype(np.complex64),
    "complex128": np.dtype(np.complex128),
}
_V3_NAME_OF = {(dt.kind, dt.itemsize): name for name, dt in V3_CORE_DTYPES.items()}

V3_STRING = "string"
V3_BYTES = "variable_length_bytes"
V3_UTF32 = "fixed_length_utf32"
V3_NTBYTES = "null_terminated_bytes"
_V3_TIME = {"numpy.datetime64": "M", "numpy.timedelta64": "m"}
_V3_TIME_NAME = {kind: name for name, kind in _V3_TIME.items()}

# Registered v3 extension data types we know of but do not read.
_V3_LATER = {"fixed_length_ascii", "raw_bytes", "struct"}
V3_STRUCTURED = "structured"

#: v2 object codec ids (the first filter of an ``|O`` array) and the dtypes they give.
_OBJECT_CODECS: dict[str, np.dtype[Any]] = {"vlen-utf8": STRING_DTYPE, "vlen-bytes": _BYTES_DTYPE}

# NumPy's time units ("μs" is zarr-python's alias of "us"); "generic" cannot hold a time.
_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
_UNIT_ALIASES = {"μs": "us"}
_MAX_SCALE = 2**31 - 1

_RAW_BITS = re.compile(r"r([1-9][0-9]*)\Z")

# Item sizes NumPy and the specs agree on, per kind (longdouble is not portable).
_SIZES = {"b": {1}, "i": {1, 2, 4, 8}, "u": {1, 2, 4, 8}, "f": {2, 4, 8}, "c": {8, 16}}


def is_variable_length(dtype: np.dtype[Any]) -> bool:
    """True for the variable-length dtypes: ``StringDType`` and ``object``."""
    return dtype.kind in "OT"


def object_codec_id(dtype: Any) -> str | None:
    """The v2 object codec id of a variable-length dtype (``vlen-utf8``/``vlen-bytes``)."""
    dt = np.dtype(dtype)
    if dt.kind == "T":
        return "vlen-utf8"
    if dt.kind == "O":
        return "vlen-bytes"
    return None


def _check_structured(dt: np.dtype[Any], field: str, key: str | None) -> None:
    """A record dtype zarrc stores: packed, plainly named, each field a storable scalar type."""
    fields = dt.fields
    if fields is None:  # not a record
        return
    offset = 0
    for name in dt.names or ():
        ft, at, *title = fields[name]
        if title or at != offset:
            raise metadata_error(key, field, f"structured data type {dt!r}: field {name!r} has "
                                 "a title or padding before it (only packed records are stored)")
        if ft.kind in "OT":
            raise metadata_error(key, field, f"structured data type {dt!r}: field {name!r} is "
                                 "variable-length")
        _check_supported(ft, field, key)
        offset += ft.itemsize
    if offset != dt.itemsize or not dt.names:
        raise metadata_error(key, field, f"structured data type {dt!r} has padding or no fields")


def _check_supported(dt: np.dtype[Any], field: str, key: str | None) -> np.dtype[Any]:
    """Reject dtypes zarrc cannot store: sub-arrays, padded records, odd sizes, unitless times."""
    if dt.kind in "OT":
        return dt
    if dt.subdtype is not None:
        raise metadata_error(key, field, f"sub-array data type {dt!r} is not supported")
    if dt.fields is not None:
        _check_structured(dt, field, key)
        return dt
    if dt.kind in _SIZES:
        if dt.itemsize not in _SIZES[dt.kind]:
            raise metadata_error(key, field, f"data type {dt.str!r} is not supported")
    elif dt.kind in "SUV":
        if dt.itemsize == 0:
            raise metadata_error(key, field, f"data type {dt.str!r} has no length")
    elif dt.kind in "Mm":
        if np.datetime_data(dt)[0] == "generic":
            raise metadata_error(key, field, f"data type {dt.str!r} needs a time unit")
    else:
        raise metadata_error(key, field, f"data type {dt.str!r} is not supported")
    return dt


def _filter_id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def parse_dtype_v2(
    obj: Any, key: str | None, filters: Sequence[dict[str, Any]] | None = None
) -> np.dtype[Any]:
    """Parse the ``dtype`` field of a ``.zarray`` document.

    Returns the dtype exactly as stored (big-endian stays big-endian). ``"|O"`` needs
    ``filters`` whose first entry is an object codec: ``vlen-utf8`` gives ``StringDType``,
    ``vlen-bytes`` ``object`` (what zarr-python 3.1.6 returns).

    Raises
    ------
    MetadataError
        For a malformed typestr, a structured dtype, or ``|O`` without a known object codec.
    """
    if isinstance(obj, list):
        return _check_supported(_parse_structured_v2(obj, key), FIELD_V2, key)
    if not isinstance(obj, str):
        raise metadata_error(key, FIELD_V2, f"expected a typestr string, got {describe(obj)}")
    if not (obj.isascii() and obj.isprintable()) or not obj:  # NumPy reads '\x00' as bool
        raise metadata_error(key, FIELD_V2, f"invalid data type {obj!r}")
    if obj.lstrip("<>|=").startswith("O"):
        first = _filter_id(filters[0]) if filters else None
        if first in _OBJECT_CODECS:
            return _OBJECT_CODECS[first]
        ids = [_filter_id(f) for f in filters or ()]
        raise metadata_error(key, FIELD_V2, f"object data type {obj!r} needs a 'vlen-utf8' or "
                             f"'vlen-bytes' first filter (other object codecs are not "
                             f"supported), got filters {ids}")
    try:
        dt = np.dtype(obj)
    except (TypeError, ValueError):
        raise metadata_error(key, FIELD_V2, f"invalid data type {obj!r}") from None
    if dt.kind in "OT":
        raise metadata_error(key, FIELD_V2, f"invalid data type {obj!r}")
    return _check_supported(dt, FIELD_V2, key)


def _parse_structured_v2(obj: list[Any], key: str | None) -> np.dtype[Any]:
    fields = []
    for entry in obj:
        if (not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str)
                or not isinstance(entry[1], (str, list))):
            raise metadata_error(key, FIELD_V2, f"a structured data type field must be [name, "
                                 f"type], got {describe(entry)} (sub-array fields are not "
                                 "supported)")
        name, ftype = entry
        fields.append((name, parse_dtype_v2(ftype, key)))
    try:
        return np.dtype(fields)
    except (TypeError, ValueError) as exc:
        raise metadata_error(key, FIELD_V2, f"invalid structured data type: {exc}") from None


def dtype_to_v2(dtype: Any) -> str | list[Any]:
    """Return the v2 ``dtype`` of ``dtype``: ``dtype.str``, ``"|O"`` for variable length, and
    ``[[name, type], ...]`` for a structured dtype."""
    dt = _check_supported(np.dtype(dtype), FIELD_V2, None)
    if is_variable_length(dt):
        return "|O"
    fields = dt.fields
    if fields is not None:
        return [[name, dtype_to_v2(fields[name][0])] for name in dt.names or ()]
    typestr: str = dt.str
    return typestr


def _config_int(
    config: dict[str, Any], name: str, field: str, key: str | None, lo: int, hi: int
) -> int:
    if name not in config:
        raise metadata_error(key, f"{field}.configuration.{name}", "required member is missing")
    value = config[name]
    if not is_int(value) or not lo <= value <= hi:
        raise metadata_error(key, f"{field}.configuration.{name}",
                             f"expected an integer in [{lo}, {hi}], got {describe(value)}")
    return value


def _check_config_keys(
    config: dict[str, Any], allowed: set[str], name: str, key: str | None
) -> None:
    extra = sorted(set(config) - allowed)
    if extra:
        raise metadata_error(key, f"{FIELD_V3}.configuration",
                             f"unexpected member(s) {extra} for data type {name!r}")


def _parse_time_v3(name: str, config: dict[str, Any], key: str | None) -> np.dtype[Any]:
    _check_config_keys(config, {"unit", "scale_factor"}, name, key)
    unit = config.get("unit")
    unit = _UNIT_ALIASES.get(unit, unit) if isinstance(unit, str) else unit
    if unit not in _TIME_UNITS:
        raise metadata_error(key, f"{FIELD_V3}.configuration.unit",
                             f"expected one of {list(_TIME_UNITS)}, got {describe(unit)}")
    scale = _config_int(config, "scale_factor", FIELD_V3, key, 1, _MAX_SCALE)
    return np.dtype(f"{_V3_TIME[name]}8[{scale}{unit}]")


def parse_dtype_v3(obj: Any, key: str | None) -> np.dtype[Any]:
    """Parse the ``data_type`` field of a v3 ``zarr.json`` into a native-order dtype.

    Accepts a core type name (short-hand or ``{"name": ...}`` object without configuration),
    raw bits ``r<N>`` (N a multiple of 8, giving ``V<N/8>``) and the extension types listed in
    the module docstring.
    """
    if not isinstance(obj, (str, dict)):
        raise metadata_error(key, FIELD_V3, f"expected a name or an object, got {describe(obj)}")
    name, config = split_extension(obj, FIELD_V3, key)
    if name in V3_CORE_DTYPES or _RAW_BITS.match(name) or name in (V3_STRING, V3_BYTES):
        if config:
            raise metadata_error(key, FIELD_V3, f"data type {name!r} takes no configuration")
    if name in V3_CORE_DTYPES:
        return V3_CORE_DTYPES[name]
    if name == V3_STRING:
        return STRING_DTYPE
    if name == V3_BYTES:
        return _BYTES_DTYPE
    if name in _V3_TIME:
        return _parse_time_v3(name, config, key)
    if name == V3_STRUCTURED:
        return _parse_structured_v3(config, key)
    if name in (V3_UTF32, V3_NTBYTES):
        _check_config_keys(config, {"length_bytes"}, name, key)
        size = _config_int(config, "length_bytes", FIELD_V3, key, 1, 2**31 - 1)
        if name == V3_UTF32:
            if size % 4:
                raise metadata_error(key, f"{FIELD_V3}.configuration.length_bytes",
                                     f"{size} is not a multiple of 4 (UTF-32 code points)")
            return np.dtype(f"U{size // 4}")
        return np.dtype(f"S{size}")
    match = _RAW_BITS.match(name)
    if match:
        bits = int(match.group(1))
        if bits % 8:
            raise metadata_error(key, FIELD_V3, f"raw data type {name!r}: bits must be a "
                                 "multiple of 8")
        return np.dtype(f"V{bits // 8}")
    if name in _V3_LATER:
        raise metadata_error(key, FIELD_V3, f"data type {name!r} is not supported yet")
    raise metadata_error(key, FIELD_V3, f"unknown data type {name!r}")


def _parse_structured_v3(config: dict[str, Any], key: str | None) -> np.dtype[Any]:
    _check_config_keys(config, {"fields"}, V3_STRUCTURED, key)
    entries = config.get("fields")
    if not isinstance(entries, list) or not entries:
        raise metadata_error(key, f"{FIELD_V3}.configuration.fields",
                             f"expected a non-empty list of [name, data_type], got "
                             f"{describe(entries)}")
    fields = []
    for entry in entries:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str):
            raise metadata_error(key, f"{FIELD_V3}.configuration.fields",
                                 f"expected [name, data_type], got {describe(entry)}")
        fields.append((entry[0], parse_dtype_v3(entry[1], key)))
    try:
        dt = np.dtype(fields)
    except (TypeError, ValueError) as exc:
        raise metadata_error(key, FIELD_V3, f"invalid structured data type: {exc}") from None
    return _check_supported(dt, FIELD_V3, key)


def dtype_to_v3(dtype: Any) -> str | dict[str, Any]:
    """Return the v3 ``data_type`` of ``dtype`` (byte order ignored), as zarr-python writes it.

    A name for core types, raw bits, ``string`` and ``variable_length_bytes``; an object with
    a configuration for datetimes, ``fixed_length_utf32`` and ``null_terminated_bytes``.

    Raises
    ------
    MetadataError
        If the dtype has no v3 representation (structured dtypes, unitless datetimes).
    """
    dt = np.dtype(dtype)
    name = _V3_NAME_OF.get((dt.kind, dt.itemsize))
    if name is not None:
        return name
    if dt.kind == "T":
        return V3_STRING
    if dt.kind == "O":
        return V3_BYTES
    if dt.fields is not None:
        _check_supported(dt, FIELD_V3, None)
        fields = [[name, dtype_to_v3(dt.fields[name][0])] for name in dt.names]
        return {"name": V3_STRUCTURED, "configuration": {"fields": fields}}
    if dt.fields is None and dt.subdtype is None and dt.itemsize > 0:
        if dt.kind == "V":
            return f"r{8 * dt.itemsize}"
        if dt.kind == "U":
            return {"name": V3_UTF32, "configuration": {"length_bytes": dt.itemsize}}
        if dt.kind == "S":
            return {"name": V3_NTBYTES, "configuration": {"length_bytes": dt.itemsize}}
        if dt.kind in "Mm":
            unit, scale = np.datetime_data(dt)
            if unit != "generic":
                return {"name": _V3_TIME_NAME[dt.kind],
                        "configuration": {"unit": unit, "scale_factor": scale}}
    raise metadata_error(None, FIELD_V3,
                         f"data type {dt.str!r} has no Zarr v3 representation "
                         "(not supported for zarr_format=3)")


# User spellings of the variable-length types (zarr-python: str, "str", "string" are strings).
_STRING_ALIASES = ("str", "string", "T", "variable_length_utf8")
_BYTES_ALIASES = ("variable_length_bytes",)


def _user_variable_length(user_dtype: Any) -> np.dtype[Any] | None:
    if user_dtype is str or (isinstance(user_dtype, str) and user_dtype in _STRING_ALIASES):
        return STRING_DTYPE
    if user_dtype is bytes or (isinstance(user_dtype, str) and user_dtype in _BYTES_ALIASES):
        return _BYTES_DTYPE
    if isinstance(user_dtype, np.dtypes.StringDType):
        return STRING_DTYPE
    return None


def normalize_dtype(user_dtype: Any, zarr_format: int) -> np.dtype[Any]:
    """Turn a user's dtype (``'f4'``, ``np.float32``, ``'>f8'``, ``'S5'``, ``str``...) into a dtype.

    v2 keeps the requested byte order; v3 returns native order (endianness is the ``bytes``
    codec's job). Strings that name a v3 type (``"r16"``) are accepted too. Variable-length
    strings: ``str``, ``"str"``, ``"string"``, ``"T"`` or any ``StringDType`` (all become
    ``StringDType()``); variable-length bytes: ``bytes`` or ``"variable_length_bytes"`` (an
    ``object`` dtype). A bare ``object`` dtype is ambiguous and rejected, as in zarr-python 3.

    Raises
    ------
    TypeError
        If NumPy cannot interpret ``user_dtype``.
    MetadataError
        If the dtype cannot be stored in ``zarr_format``.
    """
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    field = FIELD_V2 if zarr_format == 2 else FIELD_V3
    vlen = _user_variable_length(user_dtype)
    if vlen is not None:
        return vlen
    if isinstance(user_dtype, str) and _RAW_BITS.match(user_dtype):
        dt = parse_dtype_v3(user_dtype, None)
    else:
        dt = np.dtype(user_dtype)
    if dt.kind == "O":
        raise metadata_error(None, field, "the object data type is ambiguous: use str (or "
                             "'T') for variable-length strings, bytes for variable-length bytes")
    _check_supported(dt, field, None)
    if zarr_format == 3:
        if dt.byteorder not in "=|" or dt.fields is not None:  # records: every field native
            dt = dt.newbyteorder("=")
        dtype_to_v3(dt)  # raises if not representable
    return dt
