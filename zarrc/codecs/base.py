"""The three codec kinds of the Zarr v3 spec: array→array, array→bytes, bytes→bytes.

A codec is configured by keyword arguments (its JSON configuration) and is immutable after
construction.  It has one v3 name (``name``) and one v2 id (``codec_id``, defaulting to
``name``; ``None`` when the codec has no v2 form), plus alias lists, all class attributes, so
spec names are data.  Two configuration *dialects* exist: the v3 one (``from_config``) and the
numcodecs one (``from_config_v2``), used for v2 ids and ``numcodecs.*`` v3 names; they differ
only in defaults (e.g. gzip level 5 vs 1).  As zarr-python 3 does, a ``numcodecs.*`` entry read
from a v3 document is written back with the keys it was given; every other form is written
complete.

Signatures per kind (the pipeline hides them from the engine):

- array→array: ``encode(data) -> ndarray``, ``decode(data, out=None) -> ndarray``; the codec
  is bound to the chunk through :meth:`Codec.evolve` when it needs to know it.
- array→bytes: ``encode(data, spec) -> bytes-like``, ``decode(data, spec, out=None) -> ndarray``
  where ``spec`` is the :class:`ChunkSpec` the codec sees.
- bytes→bytes: ``encode(data) -> bytes-like``, ``decode(data, out=None) -> bytes-like``.  When
  ``out`` (a writable buffer of exactly the decoded size) is given, the decoded bytes end up in
  ``out`` and ``out`` is returned; the codec bounds its output by ``len(out)`` and raises
  :class:`~zarrc.errors.CodecError` on any other size.
"""

from __future__ import annotations

import inspect
import json
import math
import numbers
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from zarrc.errors import CodecError

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BytesBytesCodec",
    "ChunkSpec",
    "Codec",
    "NativeSpec",
    "MemoryOrder",
    "as_byte_array",
    "byte_view",
    "buffer_itemsize",
    "check_bool",
    "check_choice",
    "check_int",
    "deliver",
    "enum_value",
    "writable_byte_array",
]


#: A chunk's memory order: C (row-major) or F (column-major).
MemoryOrder = Literal["C", "F"]

_C = TypeVar("_C", bound="Codec")


@dataclass(frozen=True)
class ChunkSpec:
    """What a codec sees of one chunk: its shape, dtype, memory order and fill value."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    order: MemoryOrder = "C"
    fill_value: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        object.__setattr__(self, "dtype", np.dtype(self.dtype))
        if self.order not in ("C", "F"):
            raise ValueError(f"ChunkSpec: order must be 'C' or 'F', got {self.order!r}")

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize


@dataclass(frozen=True)
class NativeSpec:
    """What the native chunk loops may do for a bytes→bytes codec (see
    :meth:`BytesBytesCodec.native_spec`): decode it as the C codec ``name`` (``"zstd"``,
    ``"blosc"``, ``"lz4"``, ``"gzip"`` or ``"zlib"``) and, when ``encode``, encode it with these
    parameters, writing what the codec's :meth:`encode` writes (zstd: the same settings; the
    bytes may differ between library versions and decode everywhere)."""

    name: str
    encode: bool = False
    level: int = 0  # zstd level, blosc clevel
    checksum: bool = False  # zstd content checksum
    shuffle: int = 0  # blosc: 0 none, 1 byte, 2 bit
    typesize: int = 1  # blosc: the item size it shuffles
    blocksize: int = 0  # blosc: 0 automatic
    cname: str = ""  # blosc inner compressor


class Codec:
    """Base of every codec: names, configuration, JSON forms and the encode/decode contract."""

    name: ClassVar[str]
    codec_id: ClassVar[str | None]
    kind: ClassVar[str]
    #: Further v3 names and v2 ids this class answers to (the registry reads them).
    v3_aliases: ClassVar[tuple[str, ...]] = ()
    v2_aliases: ClassVar[tuple[str, ...]] = ()
    #: Defaults of the numcodecs dialect, merged under a v2 / ``numcodecs.*`` configuration.
    numcodecs_defaults: ClassVar[dict[str, Any]] = {}

    # The v3 name an instance was read under (an alias), if not ``name``.
    _json_name: str | None = None
    # The configuration keys given under a ``numcodecs.*`` v3 name: zarr-python writes those
    # configurations back as given, so do we.
    _given: tuple[str, ...] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and "codec_id" not in cls.__dict__:
            cls.codec_id = cls.name

    def __init__(self, **configuration: Any) -> None:
        if configuration:
            field_name = next(iter(configuration))
            raise CodecError(f"codec {self._label()!r}: unknown configuration field {field_name!r}")

    # -- configuration -------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The v3 configuration (JSON values), without the name."""
        return {}

    def get_config_v2(self) -> dict[str, Any]:
        """The numcodecs configuration (as ``get_config()`` of numcodecs), without the id."""
        return self.get_config()

    @classmethod
    def from_config(cls: type[_C], config: dict[str, Any] | None = None) -> _C:
        """Build from a v3 configuration; bad fields raise CodecError naming codec and field."""
        config = dict(config or {})
        allowed = _init_parameters(cls)
        if allowed is not None:
            for key in config:
                if key not in allowed:
                    raise CodecError(
                        f"codec {cls._class_label()!r}: unknown configuration field {key!r}"
                    )
        try:
            return cls(**config)
        except CodecError:
            raise
        except (TypeError, ValueError) as exc:
            raise CodecError(f"codec {cls._class_label()!r}: invalid configuration: {exc}") from exc

    @classmethod
    def from_config_v2(cls: type[_C], config: dict[str, Any] | None = None) -> _C:
        """Build from a numcodecs configuration (``id`` ignored), with numcodecs' defaults."""
        merged = dict(cls.numcodecs_defaults)
        merged.update({k: v for k, v in (config or {}).items() if k != "id"})
        return cls.from_config(merged)

    def to_json_v3(self) -> dict[str, Any]:
        """``{"name": ..., "configuration": {...}}`` exactly as zarr-python 3 writes it."""
        name = self._json_name or self.name
        if name.startswith("numcodecs."):
            config = self._numcodecs_v3_config()
            if self._given is not None:
                config = {k: config[k] for k in self._given if k in config}
            return {"name": name, "configuration": config}
        config = self.get_config()
        return {"name": name, "configuration": config} if config else {"name": name}

    def _numcodecs_v3_config(self) -> dict[str, Any]:
        """The configuration under a ``numcodecs.*`` v3 name (numcodecs' dialect)."""
        return self.get_config_v2()

    def to_json_v2(self) -> dict[str, Any]:
        """``{"id": ..., ...}`` exactly as numcodecs' ``get_config()`` writes it."""
        if self.codec_id is None:
            raise CodecError(f"codec {self.name!r} has no zarr v2 (numcodecs) form")
        return {"id": self.codec_id, **self.get_config_v2()}

    def to_dict(self) -> dict[str, Any]:
        """The codec's JSON form (zarr-python's ``Codec.to_dict``): ``to_json_v3()``."""
        return self.to_json_v3()

    @classmethod
    def from_dict(cls: type[_C], data: dict[str, Any]) -> _C:
        """A codec of this class from ``{"name": ..., "configuration": {...}}``."""
        config = data.get("configuration") or {}
        return cls.from_config(config).with_json_name(data.get("name", getattr(cls, "name", "")))

    def with_json_name(self: _C, name: str) -> _C:
        """This codec, remembering `name` (one of its v3 names) for :meth:`to_json_v3`."""
        if name != self.name:
            self._json_name = name
        return self

    # -- chunk binding -------------------------------------------------------------------
    def evolve(self, spec: ChunkSpec) -> Codec:
        """This codec adapted to and validated against the chunk `spec` it will see.

        Fills parameters left to the data type (blosc ``typesize``), drops ones it makes moot
        (``bytes`` endian of 1-byte types) and raises CodecError if `spec` is unsupported.
        """
        return self

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        """The chunk spec after encoding (changes only for array→array codecs)."""
        return spec

    # -- identity ------------------------------------------------------------------------
    def _label(self) -> str:
        return self._json_name or self._class_label()

    @classmethod
    def _class_label(cls) -> str:
        return getattr(cls, "name", None) or cls.__name__

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Codec)
        return (self.get_config(), self.get_config_v2()) == (
            other.get_config(),
            other.get_config_v2(),
        )

    def __hash__(self) -> int:
        return hash((type(self), json.dumps(self.get_config(), sort_keys=True, default=str)))

    def _repr_fields(self) -> list[tuple[str, Any]]:
        """``(name, value)`` pairs of the repr, as zarr-python shows its codec's fields."""
        return list(self.get_config().items())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._repr_fields())
        return f"{type(self).__name__}({args})"


class ArrayArrayCodec(Codec):
    """array→array: ``encode(ndarray) -> ndarray``, ``decode(ndarray, out=None) -> ndarray``."""

    kind = "array_array"

    def evolve(self, spec: ChunkSpec) -> ArrayArrayCodec:
        """See :meth:`Codec.evolve`; an array→array codec stays one."""
        return self

    def encode(self, data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        raise NotImplementedError

    def decode(
        self, data: npt.NDArray[Any], out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        raise NotImplementedError

    def encoded_view(self, out: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """A view of `out` in the encoded layout, such that decoding it yields `out`.

        Lets the pipeline decode straight into the caller's array (transpose returns
        ``out.transpose(order)``); ``None`` when the codec is not a pure re-indexing.
        """
        return None


class ArrayBytesCodec(Codec):
    """array→bytes: ``encode(ndarray, spec) -> bytes-like``, ``decode(data, spec, out=None)``."""

    kind = "array_bytes"

    def evolve(self, spec: ChunkSpec) -> ArrayBytesCodec:
        """See :meth:`Codec.evolve`; an array→bytes codec stays one."""
        return self

    def encode(self, data: npt.NDArray[Any], spec: ChunkSpec) -> Any:
        raise NotImplementedError

    def decode(
        self, data: Any, spec: ChunkSpec, out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        raise NotImplementedError

    def encoded_size(self, spec: ChunkSpec) -> int | None:
        """The encoded size in bytes of a chunk of `spec`, if it does not depend on the data."""
        return None

    def raw_view(self, out: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any] | None:
        """A writable 1-D uint8 view of `out` that holds the encoded bytes verbatim, or None.

        When not None, the pipeline writes the encoded bytes into it and then calls
        :meth:`finish_raw`; that is how a chunk is decoded straight into the caller's array.
        """
        return None

    def finish_raw(self, out: npt.NDArray[Any], spec: ChunkSpec) -> None:
        """Complete decoding in place after the encoded bytes were written via :meth:`raw_view`."""


class BytesBytesCodec(Codec):
    """bytes→bytes: ``encode(data) -> bytes-like``, ``decode(data, out=None) -> bytes-like``."""

    kind = "bytes_bytes"
    #: True when ``decode(data, out)`` writes into ``out`` without an intermediate buffer.
    can_decode_into: ClassVar[bool] = False

    def evolve(self, spec: ChunkSpec) -> BytesBytesCodec:
        """See :meth:`Codec.evolve`; a bytes→bytes codec stays one."""
        return self

    def encode(self, data: Any) -> Any:
        raise NotImplementedError

    def decode(self, data: Any, out: Any = None) -> Any:
        raise NotImplementedError

    def encoded_size(self, size: int) -> int | None:
        """The encoded size of `size` input bytes, if it does not depend on the data."""
        return None

    def decoded_bound(self, data: Any) -> int | None:
        """At most how many bytes `data` decodes to, read off its headers without decoding;
        None when the format does not tell. A reader rejects a stored chunk too small for its
        shape with this before allocating for the shape (say, after a corrupted chunk shape)."""
        return None

    def native_spec(self, itemsize: int) -> NativeSpec | None:
        """What the native chunk loops may do for this codec when it is handed a buffer of
        ``itemsize``-byte items (numcodecs' view of the data): a :class:`NativeSpec`, or
        None (the default) when they may not touch it. The native engine reads and writes
        a codec's chunks itself only through this declaration; a plug-in codec gets the
        native path by returning one of the C codecs it is byte-compatible with."""
        return None


# -- helpers shared by the codec modules ------------------------------------------------------
_INIT_PARAMS: dict[type[Codec], frozenset[str] | None] = {}


def _init_parameters(cls: type[Codec]) -> frozenset[str] | None:
    """The keyword names ``cls.__init__`` accepts, or None if it takes ``**kwargs``."""
    if cls not in _INIT_PARAMS:
        params = inspect.signature(cls.__init__).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params) and cls.__init__ is not Codec.__init__:
            _INIT_PARAMS[cls] = None
        else:
            _INIT_PARAMS[cls] = frozenset(
                p.name
                for p in params
                if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
            )
    return _INIT_PARAMS[cls]


def as_byte_array(data: Any) -> npt.NDArray[np.uint8]:
    """`data` (any bytes-like or contiguous ndarray) as a 1-D uint8 array, without copying.

    C- or F-contiguous arrays give their memory order (numcodecs' ``order="A"``); other
    strided arrays are copied to C order.
    """
    if not isinstance(data, np.ndarray):
        return np.frombuffer(data, dtype=np.uint8)
    arr = data
    if arr.dtype.hasobject:
        raise CodecError("object arrays cannot be encoded as bytes")
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.ascontiguousarray(arr)
    return arr.reshape(-1, order="A").view(np.uint8)


def byte_view(data: Any) -> memoryview:
    """:func:`as_byte_array` of `data` as a memoryview of unsigned bytes (no copy).

    What to hand the standard library's compressors: to a type checker an ndarray is not a
    ``collections.abc.Buffer`` before Python 3.12, a memoryview is.
    """
    return as_byte_array(data).data


def buffer_itemsize(data: Any) -> int:
    """The element size of `data` as numcodecs sees it (1 for plain bytes)."""
    if isinstance(data, np.ndarray):
        itemsize: int = data.dtype.itemsize
        return itemsize
    try:
        return memoryview(data).itemsize
    except TypeError:
        return 1


def writable_byte_array(out: Any, codec: str) -> npt.NDArray[np.uint8]:
    """`out` as a writable, contiguous 1-D uint8 array sharing its memory."""
    if isinstance(out, np.ndarray):
        if not (out.flags.c_contiguous or out.flags.f_contiguous):
            raise CodecError(f"codec {codec!r}: decode target must be contiguous")
        arr = out.reshape(-1, order="A").view(np.uint8)
    else:
        arr = np.frombuffer(out, dtype=np.uint8)
    if not arr.flags.writeable:
        raise CodecError(f"codec {codec!r}: decode target is read-only")
    return arr


def deliver(decoded: Any, out: Any, codec: str) -> Any:
    """Return `decoded`, or copy it into `out` (checking the size) and return `out`."""
    if out is None:
        return decoded
    target = writable_byte_array(out, codec)
    src = np.frombuffer(decoded, dtype=np.uint8)
    if src.size != target.size:
        raise CodecError(f"codec {codec!r}: decoded {src.size} bytes, expected {target.size}")
    target[...] = src
    return out


def check_int(
    codec: str, name: str, value: Any, lo: int | None = None, hi: int | None = None
) -> int:
    """`value` as an int within [lo, hi]; CodecError naming codec and field otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise CodecError(f"codec {codec!r}: {name!r} must be an integer, got {value!r}")
    number = int(value)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        bounds = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        raise CodecError(f"codec {codec!r}: {name!r} must be in {bounds}, got {number}")
    return number


def check_bool(codec: str, name: str, value: Any) -> bool:
    """`value` as a bool (JSON true/false only)."""
    if not isinstance(value, (bool, np.bool_)):
        raise CodecError(f"codec {codec!r}: {name!r} must be true or false, got {value!r}")
    return bool(value)


def enum_value(value: Any) -> Any:
    """The value of an enum member (zarr-python's ``BloscShuffle.shuffle`` ...), else `value`."""
    return value.value if isinstance(value, Enum) else value


def check_choice(codec: str, name: str, value: Any, choices: tuple[Any, ...]) -> Any:
    """`value` (or an enum member's value) if it is one of `choices`."""
    value = enum_value(value)
    if isinstance(value, bool) or value not in choices:
        raise CodecError(f"codec {codec!r}: {name!r} must be one of {list(choices)}, got {value!r}")
    return value
