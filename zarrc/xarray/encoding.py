"""The Zarr side of a variable's ``encoding``: which keys configure the array, and its chunks.

Mirrors xarray's zarr engine (``extract_zarr_variable_encoding``): the keys it takes are
``chunks``, ``shards``, ``compressors``, ``filters``, ``serializer``, ``write_empty_chunks``,
``chunk_key_encoding``, ``cache_metadata`` (ignored) and, in v3, ``fill_value``; zarrc also
takes the older ``compressor`` (one codec). Keys given in ``to_zarr(encoding=...)`` must be
among them; keys that came with the data (``ds.var.encoding``, e.g. from reading) are kept if
they fit and dropped otherwise, so a Dataset read from v3 writes as v2 and the other way round.
Codecs may be zarrc's, zarr-python's or numcodecs' objects, or their JSON dicts;
:func:`codec_json` gives a codec's JSON, the form ``engine="zarrc"`` reports.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from zarrc.codecs import Codec
from zarrc.errors import CodecError
from zarrc.xarray.errors import ToZarrError

__all__ = ["V2_DEFAULT_COMPRESSOR", "codec_json", "zarr_encoding"]

_KEYS = frozenset({"chunks", "shards", "compressors", "compressor", "filters", "serializer",
                   "write_empty_chunks", "chunk_key_encoding", "cache_metadata"})
_SAFE_TO_DROP = frozenset({"source", "original_shape", "preferred_chunks"})
# What xarray's zarr engine stores in v2 when no compressor is asked for (zarr-python's
# legacy ``create`` default, numcodecs' Blosc defaults); its v3 default is zarrc's (zstd).
V2_DEFAULT_COMPRESSOR = {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
                         "blocksize": 0}


def codec_json(codec: object, zarr_format: int) -> dict[str, Any]:
    """The JSON of a codec object as an array of ``zarr_format`` stores it: v3
    ``{"name": ..., "configuration": {...}}``, v2 numcodecs' ``{"id": ..., ...}``. ``codec``
    is a zarrc :class:`~zarrc.codecs.Codec` or one of the ``numcodecs.*`` descriptions
    ``Array.filters`` / ``compressors`` give for codecs stored under such names."""
    if isinstance(codec, Codec):
        return codec.to_json_v3() if zarr_format == 3 else codec.to_json_v2()
    form = "to_dict" if zarr_format == 3 else "get_config"
    doc = getattr(codec, form, None)
    out = doc() if callable(doc) else None
    if not isinstance(out, dict):
        raise CodecError(f"codec {codec!r} has no zarr v{zarr_format} JSON form")
    return out


def _valid_keys(zarr_format: int) -> frozenset[str]:
    return _KEYS | {"fill_value"} if zarr_format == 3 else _KEYS


def zarr_encoding(var: xr.Variable, name: Hashable, zarr_format: int,
                  strict: bool) -> dict[str, Any]:
    """The ``create_array`` keywords of CF-encoded ``var`` from its ``encoding``.

    ``strict``: the keys were given in ``to_zarr(encoding=...)``, so an unknown key, or chunks
    or shards of the wrong rank, raise :class:`ToZarrError` naming ``name``; otherwise those are
    dropped (chunks then follow the data, as xarray's engine does).
    """
    allowed = _valid_keys(zarr_format)
    enc = {k: v for k, v in var.encoding.items() if k not in _SAFE_TO_DROP}
    unknown = sorted(str(k) for k in set(enc) - allowed)
    if strict and unknown:
        hint = (" (use _FillValue for the zarr v2 fill value)"
                if zarr_format == 2 and "fill_value" in unknown else "")
        raise ToZarrError(f"variable {name!r}: unexpected encoding parameters for zarr: "
                          f"{unknown}{hint}")
    enc = {k: v for k, v in enc.items() if k in allowed}
    enc.pop("cache_metadata", None)
    if "compressor" in enc:
        if "compressors" in enc:
            raise ToZarrError(f"variable {name!r}: encoding has both 'compressor' and "
                              f"'compressors'; give one")
        one = enc.pop("compressor")
        enc["compressors"] = () if one is None else (one,)
    if zarr_format == 2:
        if enc.get("serializer") is not None and not strict:
            del enc["serializer"]  # read from v3; v2 arrays have none
        enc.setdefault("compressors", (dict(V2_DEFAULT_COMPRESSOR),))
    enc["chunks"] = _chunks(enc.get("chunks"), var, name, strict)
    shards = _shards(enc.pop("shards", None), var, name, strict)
    if shards is not None:
        enc["shards"] = shards
    return enc


def _chunks(given: Any, var: xr.Variable, name: Hashable, strict: bool) -> Any:
    """The chunk shape: ``given`` (an int for every dimension, or one per dimension) or,
    without it, the data's dask block shape (the largest block per dimension: blocks of
    other sizes then share chunks, which ``safe_chunks`` refuses and ``safe_chunks=False``
    merges under zarrc's chunk locks), else "auto"."""
    if given is not None and not (isinstance(given, tuple | list) and not given):
        if isinstance(given, str) and given == "auto":
            return given
        shape = _rank_checked("chunks", given, var, name, strict)
        if shape is not None:
            return shape
    if var.chunks is None:
        return "auto"
    return tuple(max(1, max(c)) if c else 1 for c in var.chunks)


def _shards(given: Any, var: xr.Variable, name: Hashable, strict: bool) -> Any:
    if given is None or (isinstance(given, str) and given == "auto") or isinstance(given, Mapping):
        return given
    return _rank_checked("shards", given, var, name, strict)


def _rank_checked(key: str, given: Any, var: xr.Variable, name: Hashable,
                  strict: bool) -> tuple[int, ...] | None:
    """``given`` (an int or a sequence of ints) as one int per dimension of ``var``; None if
    its rank differs and not ``strict`` (an encoding left from a variable of another rank)."""
    if _is_int(given):
        return (int(given),) * var.ndim
    try:
        shape = tuple(int(n) if _is_int(n) else n for n in given)
    except TypeError:
        shape = ()
    if not shape and var.ndim or not all(_is_int(n) for n in shape):
        raise ToZarrError(f"variable {name!r}: encoding[{key!r}] must be an int or a tuple "
                          f"of ints, got {given!r}")
    if len(shape) != var.ndim:
        if strict:
            raise ToZarrError(f"variable {name!r}: encoding[{key!r}]={given!r} has "
                              f"{len(shape)} entries for {var.ndim} dimensions {var.dims}")
        return None
    return shape


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
