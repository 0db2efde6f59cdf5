"""Data type objects as zarr-python 3 exposes them (``zarr.dtype``): ``Int16(endianness=...)``.

Each class wraps one kind of NumPy dtype and converts it to and from the JSON of both formats
and to and from NumPy (``from_native_dtype`` / ``to_native_dtype``), with its scalars
(``default_scalar``, ``cast_scalar``, ``to_json_scalar``, ``from_json_scalar``). The JSON is
what zarrc stores (:mod:`zarrc.metadata.dtype`, :mod:`zarrc.metadata.fill_value`), so these are
views of the metadata layer, not a second implementation. ``to_json(zarr_format=2)`` is
``{"name": <dtype field>, "object_codec_id": ...}`` as in zarr-python (the v2 ``dtype`` alone
cannot tell variable-length strings from bytes). :func:`parse_dtype` resolves any user input.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np

from zarrc.errors import DataTypeValidationError
from zarrc.metadata.dtype import (
    STRING_DTYPE,
    dtype_to_v2,
    dtype_to_v3,
    normalize_dtype,
    object_codec_id,
    parse_dtype_v2,
    parse_dtype_v3,
)
from zarrc.metadata.fill_value import (
    default_fill_value,
    fill_value_to_json,
    normalize_fill_value,
    parse_fill_value,
)

__all__ = [
    "ZDType", "DataTypeValidationError", "parse_dtype", "data_type_registry",
    "Bool", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float16", "Float32", "Float64", "Complex64", "Complex128",
    "FixedLengthUTF32", "VariableLengthUTF8", "NullTerminatedBytes", "RawBytes",
    "VariableLengthBytes", "DateTime64", "TimeDelta64", "Structured",
]

Endianness = Literal["little", "big"]
_ORDER = {"little": "<", "big": ">"}


def _endianness(dt: np.dtype) -> Endianness:
    order = dt.byteorder
    if order == "=":
        return sys.byteorder
    return "big" if order == ">" else "little"


@dataclass(frozen=True, kw_only=True)
class ZDType:
    """A Zarr data type: one NumPy dtype and its JSON forms (zarr-python's ``ZDType``)."""

    #: The NumPy ``kind`` (and, for fixed-size types, item size) this class stands for.
    _kind: ClassVar[str] = ""
    _itemsize: ClassVar[int | None] = None

    # -- NumPy ------------------------------------------------------------------------------
    @classmethod
    def _matches(cls, dt: np.dtype) -> bool:
        return (dt.kind == cls._kind and dt.fields is None
                and (cls._itemsize is None or dt.itemsize == cls._itemsize))

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        return cls()

    @classmethod
    def from_native_dtype(cls, dtype: Any) -> ZDType:
        """This class's instance for a NumPy dtype; DataTypeValidationError if it is another."""
        dt = np.dtype(dtype)
        if not cls._matches(dt):
            raise DataTypeValidationError(
                f"Invalid data type: {dt}. Expected a dtype that {cls.__name__} represents")
        return cls._from_matching(dt)

    def to_native_dtype(self) -> np.dtype:
        """The NumPy dtype."""
        raise NotImplementedError

    # -- JSON -------------------------------------------------------------------------------
    def to_json(self, zarr_format: int) -> Any:
        """The ``data_type`` (v3) or ``{"name": dtype, "object_codec_id": ...}`` (v2)."""
        dt = self.to_native_dtype()
        if zarr_format == 2:
            return {"name": dtype_to_v2(dt), "object_codec_id": object_codec_id(dt)}
        if zarr_format == 3:
            return dtype_to_v3(dt)
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")

    @classmethod
    def from_json(cls, data: Any, *, zarr_format: int) -> ZDType:
        """The data type of a JSON form (as :meth:`to_json` gives)."""
        if zarr_format == 2:
            if not isinstance(data, dict) or "name" not in data:
                raise DataTypeValidationError(f"expected {{'name': ..., 'object_codec_id': ...}}"
                                              f", got {data!r}")
            codec = data.get("object_codec_id")
            dt = parse_dtype_v2(data["name"], None, [{"id": codec}] if codec else None)
        elif zarr_format == 3:
            dt = parse_dtype_v3(data, None)
        else:
            raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
        return cls.from_native_dtype(dt)

    # -- scalars ----------------------------------------------------------------------------
    def default_scalar(self) -> Any:
        """The fill value used when none is given."""
        return default_fill_value(self.to_native_dtype())

    def cast_scalar(self, data: Any) -> Any:
        """``data`` as a scalar of this type (ValueError for lossy input)."""
        return normalize_fill_value(data, self.to_native_dtype(), 3)

    def to_json_scalar(self, data: Any, *, zarr_format: int) -> Any:
        """A scalar's JSON form (the ``fill_value`` encoding of that format)."""
        dt = self.to_native_dtype()
        return fill_value_to_json(self.cast_scalar(data), dt, zarr_format)

    def from_json_scalar(self, data: Any, *, zarr_format: int) -> Any:
        """The scalar a JSON ``fill_value`` encodes."""
        return parse_fill_value(data, self.to_native_dtype(), zarr_format, None)


@dataclass(frozen=True, kw_only=True)
class _Plain(ZDType):
    """A type without parameters or byte order (one-byte and variable-length types)."""

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{self._kind}{self._itemsize}")


@dataclass(frozen=True, kw_only=True)
class _Ordered(ZDType):
    """A fixed-size type with a byte order."""

    endianness: Endianness = "little"

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        return cls(endianness=_endianness(dt))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{_ORDER[self.endianness]}{self._kind}{self._itemsize}")


_Base = TypeVar("_Base", bound=ZDType)


def _fixed(name: str, base: type[_Base], kind: str, itemsize: int) -> type[_Base]:
    cls: type[_Base] = dataclass(frozen=True, kw_only=True)(
        type(name, (base,), {"_kind": kind, "_itemsize": itemsize, "__module__": __name__,
                             "__qualname__": name, "__doc__": f"The {name} data type."}))
    return cls


Bool = _fixed("Bool", _Plain, "b", 1)
Int8 = _fixed("Int8", _Plain, "i", 1)
UInt8 = _fixed("UInt8", _Plain, "u", 1)
Int16 = _fixed("Int16", _Ordered, "i", 2)
Int32 = _fixed("Int32", _Ordered, "i", 4)
Int64 = _fixed("Int64", _Ordered, "i", 8)
UInt16 = _fixed("UInt16", _Ordered, "u", 2)
UInt32 = _fixed("UInt32", _Ordered, "u", 4)
UInt64 = _fixed("UInt64", _Ordered, "u", 8)
Float16 = _fixed("Float16", _Ordered, "f", 2)
Float32 = _fixed("Float32", _Ordered, "f", 4)
Float64 = _fixed("Float64", _Ordered, "f", 8)
Complex64 = _fixed("Complex64", _Ordered, "c", 8)
Complex128 = _fixed("Complex128", _Ordered, "c", 16)


@dataclass(frozen=True, kw_only=True)
class FixedLengthUTF32(ZDType):
    """NumPy ``U<length>``: fixed-length UTF-32 strings."""

    _kind: ClassVar[str] = "U"
    length: int
    endianness: Endianness = "little"

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        return cls(length=dt.itemsize // 4, endianness=_endianness(dt))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{_ORDER[self.endianness]}U{self.length}")


@dataclass(frozen=True, kw_only=True)
class _Sized(ZDType):
    """A byte string of a fixed ``length``."""

    length: int

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        return cls(length=dt.itemsize)

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{self._kind}{self.length}")


@dataclass(frozen=True, kw_only=True)
class NullTerminatedBytes(_Sized):
    """NumPy ``S<length>``: fixed-length, NUL-padded bytes."""

    _kind: ClassVar[str] = "S"


@dataclass(frozen=True, kw_only=True)
class RawBytes(_Sized):
    """NumPy ``V<length>`` without fields: opaque bytes (v3 ``r<8*length>``)."""

    _kind: ClassVar[str] = "V"


@dataclass(frozen=True, kw_only=True)
class VariableLengthUTF8(ZDType):
    """Variable-length strings: NumPy ``StringDType`` (v3 ``string``, v2 ``|O`` + vlen-utf8)."""

    _kind: ClassVar[str] = "T"

    def to_native_dtype(self) -> np.dtype:
        dt: np.dtype[Any] = STRING_DTYPE  # Any to mypy: NumPy types StringDType for 3.11+
        return dt


@dataclass(frozen=True, kw_only=True)
class VariableLengthBytes(ZDType):
    """Variable-length bytes: an ``object`` array of ``bytes`` (v2 ``|O`` + vlen-bytes)."""

    _kind: ClassVar[str] = "O"

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(object)


@dataclass(frozen=True, kw_only=True)
class _Time(ZDType):
    endianness: Endianness = "little"
    scale_factor: int = 1
    unit: str = "generic"

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        unit, scale = np.datetime_data(dt)
        return cls(endianness=_endianness(dt), scale_factor=scale, unit=unit)

    def to_native_dtype(self) -> np.dtype:
        return np.dtype(f"{_ORDER[self.endianness]}{self._kind}8[{self.scale_factor}{self.unit}]")


@dataclass(frozen=True, kw_only=True)
class DateTime64(_Time):
    """NumPy ``datetime64`` with a unit and a scale factor (``M8[10s]``)."""

    _kind: ClassVar[str] = "M"


@dataclass(frozen=True, kw_only=True)
class TimeDelta64(_Time):
    """NumPy ``timedelta64`` with a unit and a scale factor (``m8[ns]``)."""

    _kind: ClassVar[str] = "m"


@dataclass(frozen=True, kw_only=True)
class Structured(ZDType):
    """A NumPy record dtype: ``fields`` is ``((name, ZDType), ...)`` in order."""

    _kind: ClassVar[str] = "V"
    fields: tuple[tuple[str, ZDType], ...]

    @classmethod
    def _matches(cls, dt: np.dtype) -> bool:
        return dt.fields is not None

    @classmethod
    def _from_matching(cls, dt: np.dtype) -> ZDType:
        fields, names = dt.fields, dt.names
        assert fields is not None and names is not None  # _matches: a record dtype
        return cls(fields=tuple((name, _resolve(fields[name][0])) for name in names))

    def to_native_dtype(self) -> np.dtype:
        return np.dtype([(name, field.to_native_dtype()) for name, field in self.fields])


#: Every data type class, by zarr-python's name for it.
data_type_registry = {cls.__name__: cls for cls in (
    Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64,
    Complex64, Complex128, FixedLengthUTF32, VariableLengthUTF8, NullTerminatedBytes, RawBytes,
    VariableLengthBytes, DateTime64, TimeDelta64, Structured)}


def _resolve(dt: np.dtype) -> ZDType:
    """The one data type class that accepts ``dt``."""
    matches = [cls for cls in data_type_registry.values() if cls._matches(dt)]
    if len(matches) != 1:
        raise DataTypeValidationError(f"no Zarr data type matches the NumPy dtype {dt!r}")
    return matches[0]._from_matching(dt)


def parse_dtype(dtype_spec: Any, *, zarr_format: int) -> ZDType:
    """A :class:`ZDType` from a ZDType, a NumPy dtype or its string, ``str``/``bytes``, or (v3)
    a ``data_type`` JSON value such as ``{"name": "numpy.datetime64", ...}``."""
    if isinstance(dtype_spec, ZDType):
        return dtype_spec
    if dtype_spec is str or dtype_spec is bytes:  # NumPy would read these as U0 / S0
        return _resolve(normalize_dtype(dtype_spec, zarr_format))
    if isinstance(dtype_spec, dict):
        if zarr_format != 3:
            raise ValueError("a data type given as a dict is v3 JSON: pass zarr_format = 3")
        return _resolve(parse_dtype_v3(dtype_spec, None))
    if isinstance(dtype_spec, str):
        try:
            return _resolve(parse_dtype_v3(dtype_spec, None))  # "int8", "string", "r16"
        except ValueError:
            pass
    if isinstance(dtype_spec, np.dtype):
        return _resolve(dtype_spec)
    try:
        dt = np.dtype(dtype_spec)
    except TypeError:
        dt = None
    if dt is not None and dt.kind != "O":
        return _resolve(dt)
    return _resolve(normalize_dtype(dtype_spec, zarr_format))
