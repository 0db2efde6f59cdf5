"""Shared machinery of the numcodecs-compatible filters (delta, fixedscaleoffset, astype, …).

These codecs have no Zarr v3 spec: zarr-python 3 wraps numcodecs under ``numcodecs.<id>``
names and writes their configuration *as the user gave it* (``"dtype": "i4"`` stays ``"i4"``),
adding only what it derives from the array (e.g. ``"dtype": "float64"`` for
``fixedscaleoffset``).  v2 documents hold numcodecs' ``get_config()`` (normalized typestrs such
as ``"<i4"``).  :class:`NumcodecsFilter` keeps both: the raw v3 configuration and the parsed
values from which the v2 form is computed.

numcodecs applies its filters to the chunk's bytes reinterpreted as the codec's ``dtype``
(``ensure_ndarray(buf).view(dtype)``), flattened; :func:`flat_view` does the same, in C order.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc.codecs.base import ArrayArrayCodec, ChunkSpec, Codec
from zarrc.errors import CodecError

__all__ = [
    "NumcodecsFilter",
    "check_number",
    "deliver_array",
    "flat_view",
    "parse_dtype",
    "raw_dtype",
    "rebind",
    "shaped",
]


def parse_dtype(codec: str, field: str, value: Any, allow_object: bool = False) -> np.dtype[Any]:
    """`value` (a typestr, NumPy dtype or type) as a dtype; CodecError naming the field."""
    if value is None:
        raise CodecError(f"codec {codec!r}: {field!r} is required")
    try:
        dtype: np.dtype[Any] = np.dtype(value)
    except (TypeError, ValueError):
        raise CodecError(f"codec {codec!r}: {field!r} is not a data type: {value!r}") from None
    if dtype.hasobject and not allow_object:
        raise CodecError(f"codec {codec!r}: {field!r} cannot be an object data type")
    return dtype


def raw_dtype(value: Any) -> Any:
    """The JSON form of a dtype argument: strings as given (zarr-python), else ``dtype.str``."""
    return value if isinstance(value, str) else np.dtype(value).str


def check_number(codec: str, field: str, value: Any) -> Any:
    """`value` if it is a real number (not a bool); kept as given, as numcodecs does."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise CodecError(f"codec {codec!r}: {field!r} must be a number, got {value!r}")
    return value


def flat_view(data: Any, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """The bytes of `data` (C order) reinterpreted as a 1-D array of `dtype`, without copying.

    CodecError if the byte count is not a multiple of the item size.
    """
    arr = np.asarray(data)
    if arr.dtype == dtype:
        return np.ascontiguousarray(arr).reshape(-1)
    if arr.dtype.hasobject or dtype.hasobject:
        raise CodecError(f"cannot view {arr.dtype} data as {dtype}")
    raw = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
    if raw.size % dtype.itemsize:
        raise CodecError(f"{raw.size} bytes are not a whole number of {dtype} items")
    return raw.view(dtype)


def shaped(result: npt.NDArray[Any], like: Any) -> npt.NDArray[Any]:
    """`result` (1-D) in the shape of the input `like` when the element counts agree."""
    shape: tuple[int, ...] = np.shape(like)
    if len(shape) > 1 and result.size == int(np.prod(shape)):
        return result.reshape(shape)
    return result


def deliver_array(result: npt.NDArray[Any], out: npt.NDArray[Any] | None) -> npt.NDArray[Any]:
    """`result`, or copied into `out` (same element count) and `out` returned."""
    if out is None:
        return result
    np.copyto(out, result.reshape(out.shape), casting="unsafe")
    return out


def rebind(new: Codec, old: Codec) -> Codec:
    """Carry the v3 name and given-keys record of `old` over to its evolved copy `new`."""
    new._json_name = old._json_name
    new._given = old._given
    return new


class NumcodecsFilter(ArrayArrayCodec):
    """Base of the numcodecs array→array filters: raw v3 config plus the numcodecs config.

    Subclasses set ``self._raw`` (the keys given, with their JSON values) in ``__init__`` and
    implement :meth:`get_config_v2` (numcodecs' ``get_config()`` without ``id``).
    """

    _raw: dict[str, Any]

    def get_config(self) -> dict[str, Any]:
        """The configuration zarr-python 3 writes under ``numcodecs.<id>``: keys as given."""
        return dict(self._raw)

    def _numcodecs_v3_config(self) -> dict[str, Any]:
        return self.get_config()

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, NumcodecsFilter)
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash((type(self), repr(sorted(self._identity()[0].items()))))

    def _identity(self) -> tuple[dict[str, Any], Any]:
        try:
            v2 = self.get_config_v2()
        except CodecError:  # a required field is left to the array (v3 only)
            v2 = {"__raw__": self.get_config()}
        return v2, getattr(self, "_shape", None)

    def _check_spec(self, spec: ChunkSpec) -> None:
        """Refuse chunk types a flat byte view cannot carry (object, strings of NumPy 2)."""
        if spec.dtype.hasobject or spec.dtype.kind == "T":
            raise CodecError(f"codec {self._label()!r} cannot encode dtype {spec.dtype}")
