"""Chunk encoding: ``create_array``'s codec arguments → the configurations to store.

:func:`normalize_codecs` accepts what SPEC.md allows for ``filters``, ``serializer``,
``compressors`` and ``codecs`` (a Codec, a name, a v3 dict, a numcodecs dict or object, a list of
them, ``None``, ``"auto"``) and returns what zarr-python 3.1.6 would write:

- v3: the ``codecs`` list.  ``"auto"`` means no filters, the ``bytes`` serializer
  (``endian: "little"`` for types with a byte order, no configuration otherwise; ``vlen-utf8``
  for ``StringDType`` and ``vlen-bytes`` for ``object``) and ``zstd`` level 0 without
  checksum.  Codecs are bound to the dtype (blosc's typesize and shuffle, ``bytes``' endian).
  ``order`` is an in-memory choice in v3 and changes nothing.
- v2: ``(filters, compressor)``: filters ``None`` when absent or empty; ``"auto"`` compressor
  ``{"id": "zstd", "level": 0}`` (zarr-python drops zstd's ``checksum`` when false).  A
  variable-length dtype (``|O``) gets its object codec (``{"id": "vlen-utf8"}`` /
  ``{"id": "vlen-bytes"}``) as the first filter; ``"auto"`` filters are just that, and given
  filters that lack it get it prepended (zarr-python raises instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from zarrc.codecs.base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
)
from zarrc.codecs.pipeline import CodecPipeline, split_v3_codecs
from zarrc.codecs.registry import get_codec
from zarrc.errors import CodecError, MetadataError

__all__ = ["default_serializer", "normalize_codecs"]

_K = TypeVar("_K", bound=Codec)

V3JSON = tuple[dict[str, Any], ...]
V2JSON = tuple[tuple[dict[str, Any], ...] | None, dict[str, Any] | None]


def _is_auto(value: Any) -> bool:
    return isinstance(value, str) and value == "auto"


def _as_list(value: Any) -> list[Any]:
    """A codec argument as a list: None → [], one codec → [it], a sequence → its items."""
    if value is None:
        return []
    if isinstance(value, (str, dict, Codec)) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _typed(items: list[Any], kind: type[_K], field: str, zarr_format: int) -> list[_K]:
    codecs = [get_codec(item, zarr_format) for item in items]
    typed: list[_K] = []
    for codec in codecs:
        if not isinstance(codec, kind):
            raise CodecError(
                f"{field}: codec {codec._label()!r} is {codec.kind.replace('_', '→')}, "
                f"expected {kind.kind.replace('_', '→')}"
            )
        typed.append(codec)
    return typed


def default_serializer(dtype: npt.DTypeLike) -> ArrayBytesCodec:
    """zarr-python 3's default array→bytes codec for `dtype`."""
    from zarrc.codecs.bytes import BytesCodec

    dt = np.dtype(dtype)
    if dt.kind in "TO":
        from zarrc.codecs.vlen import VLenBytesCodec, VLenUTF8Codec

        return VLenUTF8Codec() if dt.kind == "T" else VLenBytesCodec()
    if dt.hasobject:
        raise CodecError(f"no built-in serializer for the dtype {dt}")
    return BytesCodec(endian="little" if dt.byteorder != "|" else None)


def _default_compressor() -> BytesBytesCodec:
    from zarrc.codecs.zstd import ZstdCodec

    return ZstdCodec(level=0, checksum=False)


def normalize_codecs(
    *,
    zarr_format: int,
    dtype: Any,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    codecs: Any = None,
    order: str = "C",
    chunk_shape: Sequence[int] | None = None,
) -> V3JSON | V2JSON:
    """The stored codec configuration for ``create_array``'s arguments.

    Parameters
    ----------
    zarr_format : {2, 3}
    dtype : dtype-like
        The array's data type (v2: with its byte order).
    filters, compressors, serializer, codecs
        As ``create_array`` takes them; ``codecs`` (v3 only) excludes the other three.
    order : {"C", "F"}
        The chunk memory order (stored separately in v2; no effect on v3 codecs).
    chunk_shape : sequence of int, optional
        When given (v3), the codec list is also checked against it (e.g. transpose's rank).

    Returns
    -------
    tuple of dict (v3) or (filters, compressor) (v2)

    Raises
    ------
    CodecError
        A codec is unknown, misconfigured, of the wrong kind or out of order.
    ValueError, TypeError
        Arguments that do not fit together (``codecs`` with ``compressors``, two v2
        compressors), as zarr-python raises them.
    """
    if order not in ("C", "F"):
        raise ValueError(f"order must be 'C' or 'F', got {order!r}")
    dtype = np.dtype(dtype)
    if zarr_format == 3:
        return _normalize_v3(dtype, filters, compressors, serializer, codecs, chunk_shape)
    if zarr_format == 2:
        if codecs is not None:
            raise ValueError("codecs= describes a zarr v3 pipeline; use filters/compressors")
        if not _is_auto(serializer):
            raise ValueError("zarr v2 arrays have no serializer; leave serializer='auto'")
        return _normalize_v2(dtype, filters, compressors)
    raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")


def _normalize_v3(
    dtype: np.dtype[Any],
    filters: Any,
    compressors: Any,
    serializer: Any,
    codecs: Any,
    chunk_shape: Sequence[int] | None,
) -> V3JSON:
    if codecs is not None:
        if not all(_is_auto(v) for v in (filters, compressors, serializer)):
            raise ValueError("codecs= excludes filters=, serializer= and compressors=")
        chain = [get_codec(item, 3) for item in _as_list(codecs)]
        try:
            aa, ab, bb = split_v3_codecs(chain)
        except MetadataError as exc:
            raise CodecError(str(exc)) from exc
    else:
        aa = [] if _is_auto(filters) else _typed(_as_list(filters), ArrayArrayCodec, "filters", 3)
        if _is_auto(serializer):
            ab = default_serializer(dtype)
        else:
            if serializer is None or isinstance(serializer, (list, tuple)):
                raise CodecError(f"serializer: expected one array→bytes codec, got {serializer!r}")
            ab = _typed([serializer], ArrayBytesCodec, "serializer", 3)[0]
        if _is_auto(compressors):
            bb = [_default_compressor()]
        else:
            bb = _typed(_as_list(compressors), BytesBytesCodec, "compressors", 3)
    spec = ChunkSpec(tuple(chunk_shape) if chunk_shape is not None else (), dtype)
    if chunk_shape is not None:
        aa = [codec.evolve(spec) for codec in aa]
        for codec in aa:
            spec = codec.resolve(spec)
    ab = ab.evolve(spec)
    bb = [codec.evolve(spec) for codec in bb]
    result = tuple(codec.to_json_v3() for codec in (*aa, ab, *bb))
    if chunk_shape is not None:  # full check, as opening the array will do
        try:
            CodecPipeline.from_v3(result, ChunkSpec(tuple(chunk_shape), dtype))
        except MetadataError as exc:
            raise CodecError(str(exc)) from exc
    return result


def _v2_config(codec: Codec, field: str) -> dict[str, Any]:
    if isinstance(codec, ArrayBytesCodec):
        raise CodecError(f"{field}: codec {codec._label()!r} has no place in a zarr v2 array")
    return codec.to_json_v2()


def _object_codec_id(dtype: np.dtype[Any]) -> str | None:
    if dtype.kind == "T":
        return "vlen-utf8"
    if dtype.kind == "O":
        return "vlen-bytes"
    return None


def _normalize_v2(dtype: np.dtype[Any], filters: Any, compressors: Any) -> V2JSON:
    if compressors is None:
        compressor = None
    elif _is_auto(compressors):
        compressor = {"id": "zstd", "level": 0}
    else:
        items = _as_list(compressors)
        if len(items) > 1:
            raise TypeError(
                f"zarr v2 arrays take a single compressor, got {len(items)}: {compressors!r}"
            )
        compressor = None
        if items:
            compressor = _v2_config(get_codec(items[0], 2), "compressors")
            if compressor["id"] == "zstd" and not compressor.get("checksum", False):
                compressor.pop("checksum", None)  # zarr-python's hotfix (issue 2647)
    object_id = _object_codec_id(dtype)
    if filters is None or _is_auto(filters):
        configs = []
    else:
        configs = [_v2_filter(get_codec(item, 2), object_id) for item in _as_list(filters)]
    if object_id is not None:
        if object_id not in [c["id"] for c in configs[:1]]:
            configs.insert(0, {"id": object_id})
        if any(c["id"] in ("vlen-utf8", "vlen-bytes") for c in configs[1:]):
            raise CodecError(f"filters: only one object codec ({object_id!r}) may be given")
    return tuple(configs) or None, compressor


def _v2_filter(codec: Codec, object_id: str | None) -> dict[str, Any]:
    """A v2 filter's configuration; the dtype's object codec is the one array→bytes allowed."""
    if isinstance(codec, ArrayBytesCodec) and codec.codec_id == object_id:
        return codec.to_json_v2()
    return _v2_config(codec, "filters")
