"""Data types: v2 typestr strings and v3 data type names <-> NumPy dtypes.

v2 (spec "Data type encoding") stores a NumPy typestr with explicit byte order, e.g. ``"<f4"``,
``">i8"``, ``"|b1"``, ``"|S5"``, ``"<U3"``, ``"<M8[ns]"``, ``"|V8"``; zarr-python writes
``dtype.str``. v3 (spec "Data types") names the core types ``bool``, ``int8``..``uint64``,
``float16``/``32``/``64``, ``complex64``/``128`` and raw bits ``r<N>``; their byte order lives in
the ``bytes`` codec, so v3 dtypes here are always native order.

Not supported yet (MetadataError "not supported yet"): v2 object (``"|O"``) and structured
dtypes; v3 extension data types (strings, bytes, datetimes, structs).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from zarrc.metadata._common import describe, metadata_error, split_extension

__all__ = [
    "parse_dtype_v2",
    "dtype_to_v2",
    "parse_dtype_v3",
    "dtype_to_v3",
    "normalize_dtype",
    "V3_CORE_DTYPES",
]

FIELD_V2 = "dtype"
FIELD_V3 = "data_type"

#: v3 core data type names and their (native-order) NumPy dtypes.
V3_CORE_DTYPES: dict[str, np.dtype] = {
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

# Registered v3 extension data types we know of but do not read yet (zarr-extensions).
_V3_LATER = {
    "string", "bytes", "variable_length_utf8", "variable_length_bytes",
    "null_terminated_bytes", "fixed_length_utf32", "fixed_length_ascii", "raw_bytes",
    "numpy.datetime64", "numpy.timedelta64", "struct", "structured",
}

_RAW_BITS = re.compile(r"r([1-9][0-9]*)\Z")

# Item sizes NumPy and the specs agree on, per kind (longdouble is not portable).
_SIZES = {"b": {1}, "i": {1, 2, 4, 8}, "u": {1, 2, 4, 8}, "f": {2, 4, 8}, "c": {8, 16}}


def _check_supported(dt: np.dtype, field: str, key: str | None) -> np.dtype:
    """Reject dtypes zarrc cannot store (yet): object, structured, sub-array, odd sizes."""
    if dt.kind == "O":
        raise metadata_error(key, field, "object data type ('|O') is not supported yet")
    if dt.fields is not None or dt.subdtype is not None:
        raise metadata_error(key, field, f"structured data type {dt.str!r} is not supported yet")
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


def parse_dtype_v2(obj: Any, key: str | None) -> np.dtype:
    """Parse the ``dtype`` field of a ``.zarray`` document.

    Returns the dtype exactly as stored (big-endian stays big-endian).

    Raises
    ------
    MetadataError
        For a malformed typestr, or an object/structured dtype (not supported yet).
    """
    if isinstance(obj, list):
        raise metadata_error(key, FIELD_V2, "structured data types are not supported yet")
    if not isinstance(obj, str):
        raise metadata_error(key, FIELD_V2, f"expected a typestr string, got {describe(obj)}")
    if obj.lstrip("<>|=").startswith("O"):
        raise metadata_error(key, FIELD_V2, f"object data type {obj!r} is not supported yet")
    try:
        dt = np.dtype(obj)
    except (TypeError, ValueError):
        raise metadata_error(key, FIELD_V2, f"invalid data type {obj!r}") from None
    return _check_supported(dt, FIELD_V2, key)


def dtype_to_v2(dtype: Any) -> str:
    """Return the v2 typestr for ``dtype`` (``dtype.str``, as zarr-python writes it)."""
    dt = _check_supported(np.dtype(dtype), FIELD_V2, None)
    return dt.str


def parse_dtype_v3(obj: Any, key: str | None) -> np.dtype:
    """Parse the ``data_type`` field of a v3 ``zarr.json`` into a native-order dtype.

    Accepts a core type name (short-hand or ``{"name": ...}`` object without configuration)
    and raw bits ``r<N>`` (N a multiple of 8), which become ``V<N/8>``.
    """
    if not isinstance(obj, (str, dict)):
        raise metadata_error(key, FIELD_V3, f"expected a name or an object, got {describe(obj)}")
    name, config = split_extension(obj, FIELD_V3, key)
    if name in V3_CORE_DTYPES or _RAW_BITS.match(name):
        if config:
            raise metadata_error(key, FIELD_V3, f"data type {name!r} takes no configuration")
    if name in V3_CORE_DTYPES:
        return V3_CORE_DTYPES[name]
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


def dtype_to_v3(dtype: Any) -> str:
    """Return the v3 ``data_type`` name of ``dtype`` (byte order ignored).

    Raises
    ------
    MetadataError
        If the dtype has no v3 core representation (e.g. ``S5``, ``U3``, datetimes).
    """
    dt = np.dtype(dtype)
    name = _V3_NAME_OF.get((dt.kind, dt.itemsize))
    if name is not None:
        return name
    if dt.kind == "V" and dt.fields is None and dt.subdtype is None and dt.itemsize > 0:
        return f"r{8 * dt.itemsize}"
    raise metadata_error(None, FIELD_V3,
                         f"data type {dt.str!r} has no Zarr v3 core representation "
                         "(not supported yet for zarr_format=3)")


def normalize_dtype(user_dtype: Any, zarr_format: int) -> np.dtype:
    """Turn a user's dtype (``'f4'``, ``np.float32``, ``'>f8'``, ``'S5'``...) into a dtype.

    v2 keeps the requested byte order; v3 returns native order (endianness is the ``bytes``
    codec's job). Strings that name a v3 type (``"r16"``) are accepted too.

    Raises
    ------
    TypeError
        If NumPy cannot interpret ``user_dtype``.
    MetadataError
        If the dtype cannot be stored in ``zarr_format``.
    """
    if zarr_format not in (2, 3):
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    if isinstance(user_dtype, str) and _RAW_BITS.match(user_dtype):
        dt = parse_dtype_v3(user_dtype, None)
    else:
        dt = np.dtype(user_dtype)
    _check_supported(dt, FIELD_V2 if zarr_format == 2 else FIELD_V3, None)
    if zarr_format == 3:
        dt = dt.newbyteorder("=") if dt.byteorder not in "=|" else dt
        dtype_to_v3(dt)  # raises if not representable
    return dt
