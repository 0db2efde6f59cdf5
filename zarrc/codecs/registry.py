"""The codec registry: v3 names and v2 ids to codec classes, loaded lazily.

Built-in codecs are listed below as ``"module:Class"`` strings, imported on first use; a test
checks that these tables agree with each class's own ``name``/``v3_aliases``/``codec_id``/
``v2_aliases`` (the authority).  Third-party codecs come from :func:`register_codec` or from the
``zarrc.codecs`` entry-point group, which is scanned only when a name is not otherwise known.

:func:`get_codec` accepts a codec instance, a name, a v3 dict ``{"name", "configuration"}``, a
numcodecs dict ``{"id", ...}`` or a numcodecs / zarr-python codec object.  v2 ids and
``numcodecs.*`` names are read in numcodecs' dialect (its defaults), other v3 names in the v3
dialect.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import threading
from typing import Any

from zarrc.codecs.base import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec, Codec
from zarrc.errors import CodecError, UnknownCodecError

__all__ = [
    "ENTRY_POINT_GROUP",
    "available_codecs",
    "codec_info",
    "get_codec",
    "get_codec_class",
    "register_codec",
    "unregister_codec",
]

ENTRY_POINT_GROUP = "zarrc.codecs"

_P = "zarrc.codecs."
#: v3 name -> "module:Class" of the built-in codecs.
_BUILTIN_V3 = {
    "bytes": _P + "bytes:BytesCodec",
    "endian": _P + "bytes:BytesCodec",
    "transpose": _P + "transpose:TransposeCodec",
    "gzip": _P + "deflate:GzipCodec",
    "numcodecs.gzip": _P + "deflate:GzipCodec",
    "numcodecs.zlib": _P + "deflate:ZlibCodec",
    "zstd": _P + "zstd:ZstdCodec",
    "numcodecs.zstd": _P + "zstd:ZstdCodec",
    "numcodecs.lz4": _P + "lz4:LZ4Codec",
    "blosc": _P + "blosc:BloscCodec",
    "numcodecs.blosc": _P + "blosc:BloscCodec",
    "numcodecs.bz2": _P + "bz2:BZ2Codec",
    "numcodecs.lzma": _P + "lzma:LZMACodec",
    "crc32c": _P + "crc32c:Crc32cCodec",
    "numcodecs.crc32c": _P + "crc32c:Crc32cCodec",
    "zarrc.snappy": _P + "snappy:SnappyCodec",
    "numcodecs.shuffle": _P + "shuffle:ShuffleCodec",
    "numcodecs.delta": _P + "delta:DeltaCodec",
    "numcodecs.fixedscaleoffset": _P + "scaleoffset:FixedScaleOffsetCodec",
    "numcodecs.quantize": _P + "scaleoffset:QuantizeCodec",
    "numcodecs.astype": _P + "astype:AsTypeCodec",
    "numcodecs.packbits": _P + "packbits:PackBitsCodec",
    "numcodecs.categorize": _P + "categorize:CategorizeCodec",
    "numcodecs.bitround": _P + "bitround:BitRoundCodec",
    "sharding_indexed": _P + "sharding:ShardingCodec",
    "vlen-utf8": _P + "vlen:VLenUTF8Codec",
    "vlen-bytes": _P + "vlen:VLenBytesCodec",
}
#: v2 (numcodecs) id -> "module:Class" of the built-in codecs.
_BUILTIN_V2 = {
    "gzip": _P + "deflate:GzipCodec",
    "zlib": _P + "deflate:ZlibCodec",
    "zstd": _P + "zstd:ZstdCodec",
    "lz4": _P + "lz4:LZ4Codec",
    "blosc": _P + "blosc:BloscCodec",
    "bz2": _P + "bz2:BZ2Codec",
    "lzma": _P + "lzma:LZMACodec",
    "crc32c": _P + "crc32c:Crc32cCodec",
    "snappy": _P + "snappy:SnappyCodec",
    "shuffle": _P + "shuffle:ShuffleCodec",
    "delta": _P + "delta:DeltaCodec",
    "fixedscaleoffset": _P + "scaleoffset:FixedScaleOffsetCodec",
    "quantize": _P + "scaleoffset:QuantizeCodec",
    "astype": _P + "astype:AsTypeCodec",
    "packbits": _P + "packbits:PackBitsCodec",
    "categorize": _P + "categorize:CategorizeCodec",
    "bitround": _P + "bitround:BitRoundCodec",
    "vlen-utf8": _P + "vlen:VLenUTF8Codec",
    "vlen-bytes": _P + "vlen:VLenBytesCodec",
}

_lock = threading.RLock()
_loaded: dict[int, dict[str, type[Codec]]] = {3: {}, 2: {}}
_lazy: dict[int, dict[str, str]] = {3: dict(_BUILTIN_V3), 2: dict(_BUILTIN_V2)}


def _names(cls: type[Codec], zarr_format: int) -> list[str]:
    if zarr_format == 3:
        return [cls.name, *cls.v3_aliases]
    return [n for n in (cls.codec_id, *cls.v2_aliases) if n is not None]


def register_codec(cls: type[Codec]) -> type[Codec]:
    """Register `cls` under its v3 name, v2 id and aliases (replacing earlier holders).

    Returns `cls`, so it can be used as a class decorator.
    """
    kinds = (ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec)
    if not (isinstance(cls, type) and issubclass(cls, kinds)):
        raise TypeError(
            f"register_codec: {cls!r} is not a subclass of ArrayArrayCodec, ArrayBytesCodec "
            "or BytesBytesCodec"
        )
    if not isinstance(getattr(cls, "name", None), str) or not cls.name:
        raise TypeError(f"register_codec: {cls.__name__} has no class attribute 'name'")
    with _lock:
        for fmt in (3, 2):
            for name in _names(cls, fmt):
                _loaded[fmt][name] = cls
                _lazy[fmt].pop(name, None)
    return cls


def unregister_codec(name: str) -> None:
    """Forget the codec known as `name` (a v3 name or v2 id), under all of its names."""
    with _lock:
        cls = _find(name, 3) or _find(name, 2)
        if cls is None:
            raise CodecError(f"unregister_codec: no codec named {name!r} is registered")
        for fmt in (3, 2):
            for key in [k for k, v in _loaded[fmt].items() if v is cls]:
                del _loaded[fmt][key]


def available_codecs() -> list[str]:
    """Every v3 name and v2 id a codec is known under (built-in, registered, entry points)."""
    with _lock:
        names = set(_loaded[3]) | set(_loaded[2]) | set(_lazy[3]) | set(_lazy[2])
    names.update(ep.name for ep in _entry_points())
    return sorted(names)


def codec_info(name: str, zarr_format: int = 3) -> dict[str, Any]:
    """What is known of a codec: name, kind, description, aliases, class, and whether it is
    available (its library imports). Importing it is attempted; a built-in whose library is
    missing is reported with ``available: False`` instead of raising."""
    try:
        cls = get_codec_class(name, zarr_format)
    except ImportError as exc:
        target = _lazy[zarr_format].get(name)
        if target is None:
            raise
        return {"name": name, "codec_id": None, "kind": None, "v3_names": (), "v2_ids": (),
                "class": target.replace(":", "."), "doc": "", "description": "",
                "available": False, "reason": str(exc)}
    doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    return {
        "name": cls.name,
        "codec_id": cls.codec_id,
        "kind": cls.kind,
        "v3_names": _names(cls, 3),
        "v2_ids": _names(cls, 2),
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "doc": doc,
        "description": doc,
        "available": True,
    }


def _import(target: str) -> type[Codec]:
    module_name, _, class_name = target.partition(":")
    cls: type[Codec] = getattr(importlib.import_module(module_name), class_name)
    return cls


def _find(name: str, zarr_format: int) -> type[Codec] | None:
    """The class registered under `name` for `zarr_format`, importing a built-in if needed."""
    with _lock:
        cls = _loaded[zarr_format].get(name)
        if cls is None and name in _lazy[zarr_format]:
            register_codec(_import(_lazy[zarr_format][name]))
            cls = _loaded[zarr_format].get(name)
        return cls


def _entry_points() -> list[Any]:
    try:
        return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken distribution must not break codec lookup
        return []


def _from_entry_point(name: str) -> type[Codec] | None:
    for ep in _entry_points():
        if ep.name != name:
            continue
        try:
            cls: type[Codec] = ep.load()
        except Exception as exc:
            raise CodecError(
                f"codec {name!r}: loading entry point {ep.value!r} of group "
                f"{ENTRY_POINT_GROUP!r} failed: {exc}"
            ) from exc
        register_codec(cls)
        with _lock:  # the entry-point name is an alias if the class does not list it
            for fmt in (3, 2):
                _loaded[fmt].setdefault(name, cls)
        return cls
    return None


def get_codec_class(name: str, zarr_format: int = 3) -> type[Codec]:
    """The codec class for a v3 name (``zarr_format=3``) or v2 id (``2``).

    A name of the other format is accepted too (``"zlib"`` finds ``numcodecs.zlib``).
    Unknown names raise CodecError naming them.
    """
    if not isinstance(name, str):
        raise CodecError(f"a codec name must be a string, got {name!r}")
    other = 2 if zarr_format == 3 else 3
    cls = _find(name, zarr_format) or _find(name, other) or _from_entry_point(name)
    if cls is None:
        raise UnknownCodecError(
            f"unknown codec {name!r} (zarr v{zarr_format}); register it with "
            f"zarrc.codecs.register_codec or the {ENTRY_POINT_GROUP!r} entry-point group"
        )
    return cls


def _is_numcodecs_name(cls: type[Codec], name: str) -> bool:
    """True if `name` selects numcodecs' dialect: a ``numcodecs.*`` name or a bare v2 id."""
    return name.startswith("numcodecs.") or name not in _names(cls, 3)


def _from_name(
    name: str, config: dict[str, Any], zarr_format: int, numcodecs: bool, document: bool = False
) -> Codec:
    cls = get_codec_class(name, zarr_format)
    if numcodecs or _is_numcodecs_name(cls, name):
        codec = cls.from_config_v2(config)
    else:
        codec = cls.from_config(config)
    if name in _names(cls, 3):
        codec.with_json_name(name)
        if document and name.startswith("numcodecs."):  # written back as given
            codec._given = tuple(config)
    return codec


def get_codec(obj: Any, zarr_format: int = 3) -> Codec:
    """A codec instance for `obj`: a Codec, a name, a v3 dict, a numcodecs dict or object."""
    if isinstance(obj, Codec):
        return obj
    if isinstance(obj, str):
        return _from_name(obj, {}, zarr_format, numcodecs=zarr_format == 2)
    if isinstance(obj, dict):
        if "name" in obj:
            unknown = set(obj) - {"name", "configuration", "must_understand"}
            if unknown:
                raise CodecError(f"codec {obj['name']!r}: unknown key(s) {sorted(unknown)}")
            config = obj.get("configuration") or {}
            if not isinstance(config, dict):
                raise CodecError(f"codec {obj['name']!r}: 'configuration' must be an object")
            return _from_name(obj["name"], config, 3, numcodecs=False, document=True)
        if "id" in obj:
            config = {k: v for k, v in obj.items() if k != "id"}
            return _from_name(obj["id"], config, 2, numcodecs=True)
        raise CodecError(f"a codec dict needs a 'name' (v3) or an 'id' (numcodecs): {obj!r}")
    get_config = getattr(obj, "get_config", None)
    if callable(get_config) and isinstance(getattr(obj, "codec_id", None), str):
        return get_codec(get_config(), zarr_format)  # a numcodecs codec object
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        doc = to_dict()  # a zarr-python 3 codec object
        if isinstance(doc, dict):
            # parameters zarr-python left to the data type (BloscCodec's typesize/shuffle)
            tunable = getattr(obj, "_tunable_attrs", ())
            if tunable and isinstance(doc.get("configuration"), dict):
                config = {k: v for k, v in doc["configuration"].items() if k not in tunable}
                doc = {**doc, "configuration": config}
            return get_codec(doc, zarr_format)
    raise CodecError(f"cannot interpret {obj!r} as a codec")
