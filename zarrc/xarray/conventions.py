"""How xarray lays a Dataset out in Zarr (its "Zarr encoding specification"), both ways.

A variable is an array whose dimension names are the v3 ``dimension_names`` or, in v2, the
``_ARRAY_DIMENSIONS`` attribute (hidden from the user's attributes, as are NCZarr's ``_nc*``).
A ``_FillValue`` attribute is JSON-safe: floats as the base64 of their little-endian float64
bytes, complex numbers as a pair of those, bytes as base64. The zarr ``fill_value`` masks
missing data (becomes ``_FillValue``) by default in v2 and not in v3. CF encoding itself
(times, scale_factor, ...) is xarray's, through ``xarray.conventions``.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import numpy as np

from zarrc.errors import MetadataError

__all__ = [
    "DIMENSION_KEY",
    "decode_fill_value",
    "encode_attribute",
    "encode_fill_value",
    "variable_dims_and_attrs",
]

DIMENSION_KEY = "_ARRAY_DIMENSIONS"


def _is_hidden(name: str) -> bool:
    return name == DIMENSION_KEY or name.lower().startswith("_nc")


def variable_dims_and_attrs(array: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The dimension names and the user's attributes of a zarrc array holding a variable."""
    attrs = dict(array.attrs)
    if array.zarr_format == 3:
        dims = tuple(array.dimension_names or ())
    else:
        dims = tuple(attrs.get(DIMENSION_KEY, ()) if array.ndim else ())
        attrs = {k: v for k, v in attrs.items() if not _is_hidden(k)}
    if len(dims) != array.ndim or any(not isinstance(d, str) for d in dims):
        field = "dimension_names" if array.zarr_format == 3 else f"attribute {DIMENSION_KEY!r}"
        raise MetadataError(f"array {array.name!r}: {field} must name each of its {array.ndim} "
                            f"dimensions for xarray, got {dims!r}")
    return dims, attrs


def _b64_double(value: Any) -> str:
    return base64.standard_b64encode(struct.pack("<d", float(value))).decode()


def _double_b64(text: str) -> float:
    return float(struct.unpack("<d", base64.standard_b64decode(text))[0])


# Kinds whose fill values are JSON as they are (booleans, integers, strings).
_PLAIN: dict[str, type] = {"b": bool, "i": int, "u": int, "U": str, "T": str}


def encode_fill_value(value: Any, dtype: np.dtype[Any]) -> Any:
    """A ``_FillValue`` attribute as JSON for an array of ``dtype`` (see the module docstring)."""
    kind = np.dtype(dtype).kind
    if kind in _PLAIN:
        return _PLAIN[kind](value)
    if kind == "f":
        return _b64_double(value)
    if kind == "c":
        value = complex(value)
        return [_b64_double(value.real), _b64_double(value.imag)]
    if kind == "S":
        return base64.standard_b64encode(bytes(value)).decode()
    raise TypeError(f"cannot encode _FillValue {value!r} for dtype {dtype}")


def decode_fill_value(value: Any, dtype: np.dtype[Any], name: str) -> Any:
    """The ``_FillValue`` attribute ``value`` of array ``name`` (of ``dtype``) as a value."""
    kind = np.dtype(dtype).kind
    try:
        if kind in _PLAIN:
            return _PLAIN[kind](value)
        if kind == "f":
            return _double_b64(value) if isinstance(value, str) else float(value)
        if kind == "c":
            return complex(_double_b64(value[0]), _double_b64(value[1]))
        if kind == "S":
            return base64.standard_b64decode(value)
    except (TypeError, ValueError, IndexError, struct.error) as exc:
        raise MetadataError(f"array {name!r}: attribute '_FillValue' {value!r} is not a valid "
                            f"fill value for {dtype}: {exc}") from None
    return value


def encode_attribute(value: Any) -> Any:
    """An attribute value as JSON: ndarrays as lists, NumPy scalars as Python scalars."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
