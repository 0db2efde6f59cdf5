"""Turning what a user passes as ``store`` into a :class:`~zarrc.storage.Store` (SPEC.md, "Plug-ins").

:func:`make_store` accepts a Store, ``None``, a ``dict``, a local path or a URL. URL schemes map to
factories ``factory(url, **storage_options) -> Store``. Built in: ``memory://``, ``file://`` and
``zip://``. Others come from :func:`register_store`, then from the ``zarrc.stores`` entry-point group
(looked up once, on the first scheme nobody registered), then from fsspec when it is installed.
A factory that has a ``mode`` keyword parameter is also told the open mode.

``memory://`` alone is a new empty store each time; ``memory://name`` is a process-wide store of
that name, shared by every ``make_store("memory://name")`` until the process ends.

Object stores (``s3://``, ``gs://``, ``az://``, ``http(s)://`` and their aliases) open as an
:class:`~zarrc.storage.ObjectStore` when obstore is installed, else through fsspec, else fail
naming the extra to install. Databases: ``sqlite:///abs/path.db``, ``lmdb:///abs/path`` and
``redis://host:port/db``.
"""

from __future__ import annotations

import inspect
import os
import re
import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from zarrc.storage.base import Store
from zarrc.storage.fsspec import FsspecStore, fsspec_available
from zarrc.storage.local import LocalStore
from zarrc.storage.memory import MemoryStore
from zarrc.storage.objectstore import OBJECT_SCHEMES, ObjectStore, obstore_available
from zarrc.storage.zip import ZipStore

__all__ = ["available_stores", "make_store", "register_store", "unregister_store"]

StoreFactory = Callable[..., Store]

ENTRY_POINT_GROUP = "zarrc.stores"
MODES = ("r", "r+", "a", "w", "w-")

_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*$")
# Two characters at least, so that a Windows drive ("C://x") is never read as a scheme.
_URL_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+)(://|::)")

_lock = threading.RLock()
_factories: dict[str, tuple[StoreFactory, bool]] = {}
_entry_points: dict[str, EntryPoint] | None = None
_named_memory: dict[str, dict[str, bytes]] = {}


# -------------------------------------------------------------------------- the registry


def _normalize_scheme(scheme: str) -> str:
    if not isinstance(scheme, str):
        raise TypeError(f"a store scheme is a str, got {type(scheme).__name__}")
    name = scheme.lower().removesuffix("://")
    if not _SCHEME_RE.match(name):
        raise ValueError(f"invalid URL scheme {scheme!r}: letters, digits, '+', '.', '-' only")
    return name


def _accepts_mode(factory: StoreFactory) -> bool:
    """Whether ``factory`` has a keyword parameter called ``mode``."""
    try:
        parameter = inspect.signature(factory).parameters.get("mode")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


def register_store(scheme: str, factory: StoreFactory) -> None:
    """Make URLs ``scheme://...`` open with ``factory(url, **storage_options)``.

    A registration replaces any earlier factory of the same scheme, built-in ones included.
    """
    name = _normalize_scheme(scheme)
    if not callable(factory):
        raise TypeError(f"store factory for {name!r} must be callable, got {factory!r}")
    with _lock:
        _factories[name] = (factory, _accepts_mode(factory))


def unregister_store(scheme: str) -> None:
    """Forget the factory of ``scheme``; raise ``KeyError`` if there is none."""
    name = _normalize_scheme(scheme)
    with _lock:
        if _factories.pop(name, None) is None:
            raise KeyError(f"no store is registered for URL scheme {name!r}")


def _discover_entry_points() -> dict[str, EntryPoint]:
    """The ``zarrc.stores`` entry points not loaded yet, read from the installed packages once."""
    global _entry_points
    if _entry_points is None:
        _entry_points = {ep.name.lower(): ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return _entry_points


def available_stores() -> list[str]:
    """The URL schemes with a registered or installed (entry-point) store factory."""
    with _lock:
        return sorted(set(_factories) | set(_discover_entry_points()))


def _lookup(scheme: str) -> tuple[StoreFactory, bool] | None:
    """The factory of ``scheme``: registered first, else loaded from its entry point."""
    with _lock:
        found = _factories.get(scheme)
        if found is not None:
            return found
        entry = _discover_entry_points().pop(scheme, None)
        if entry is None:
            return None
        factory = entry.load()
        _factories[scheme] = (factory, _accepts_mode(factory))
        return _factories[scheme]


# ------------------------------------------------------------------ built-in factories


def _zip_mode(mode: str, path: str) -> str:
    """The ZipStore mode for a zarr open mode: ``r`` reads, every other mode appends.

    ``w`` appends too: overwriting a node deletes that node's keys, not the whole archive.
    """
    if mode == "r":
        return "r"
    if mode == "r+" and not os.path.exists(path):
        raise FileNotFoundError(f"zip archive {path!r} does not exist (mode 'r+')")
    return "a"


def _path_store(path: str, mode: str, options: dict[str, Any]) -> Store:
    if path.lower().endswith(".zip"):
        return ZipStore(path, _zip_mode(mode, path), **options)
    return LocalStore(path, read_only=mode == "r", **options)


def _memory_factory(url: str, *, mode: str = "a", **options: Any) -> MemoryStore:
    """``memory://`` is a new empty store; ``memory://name`` is the process-wide store ``name``."""
    if options:
        raise TypeError(f"memory:// takes no storage options, got {sorted(options)}")
    name = url.split("://", 1)[1]
    if not name:
        return MemoryStore(read_only=mode == "r")
    with _lock:
        data = _named_memory.setdefault(name, {})
    return MemoryStore(data, read_only=mode == "r")


def _file_factory(url: str, *, mode: str = "a", **options: Any) -> Store:
    """``file://path`` is the same as ``path`` (``file:///abs`` is ``/abs``)."""
    return _path_store(url.split("://", 1)[1], mode, options)


def _zip_factory(url: str, *, mode: str = "a", **options: Any) -> ZipStore:
    """``zip://path/to/archive.zip`` is a ZipStore, whatever the file's extension."""
    path = url.split("://", 1)[1]
    return ZipStore(path, _zip_mode(mode, path), **options)


def _path_from_url(url: str) -> str:
    """The absolute file path of ``scheme:///abs/path``; ``ValueError`` for any other form."""
    scheme, _, rest = url.partition("://")
    if not rest.startswith("/") or rest.startswith("//"):
        raise ValueError(
            f"invalid {scheme}:// URL {url!r}: expected {scheme}:// followed by an absolute "
            f"path, e.g. {scheme}:///data/arrays.db"
        )
    return rest


def _sqlite_factory(url: str, *, mode: str = "a", **options: Any) -> Store:
    """``sqlite:///abs/path.db``: a SQLiteStore."""
    from zarrc.storage.sqlite import SQLiteStore

    return SQLiteStore(_path_from_url(url), read_only=mode == "r", **options)


def _lmdb_factory(url: str, *, mode: str = "a", **options: Any) -> Store:
    """``lmdb:///abs/path``: an LMDBStore."""
    from zarrc.storage.lmdb import LMDBStore

    return LMDBStore(_path_from_url(url), read_only=mode == "r", **options)


def _redis_factory(url: str, *, mode: str = "a", **options: Any) -> Store:
    """``redis://host:port/db`` (``rediss://``: TLS): a RedisStore."""
    from zarrc.storage.redis import RedisStore

    return RedisStore(url, read_only=mode == "r", **options)


def _object_factory(url: str, *, mode: str = "a", **options: Any) -> Store:
    """An ObjectStore where obstore is installed, else an FsspecStore, else an ImportError
    naming the extra to install."""
    scheme = url.split("://", 1)[0].lower()
    read_only = mode == "r"
    if obstore_available():
        return ObjectStore.from_url(url, read_only=read_only, **options)
    hint = (
        f"{scheme}:// URLs need obstore: pip install 'zarrc[{OBJECT_SCHEMES[scheme]}]' "
        "(or fsspec with its filesystem package, e.g. s3fs, gcsfs, adlfs, aiohttp)"
    )
    if not fsspec_available():
        raise ImportError(hint)
    try:
        return FsspecStore.from_url(url, read_only=read_only, **options)
    except ImportError as exc:  # fsspec is there, its filesystem package is not
        raise ImportError(f"{hint}: {exc}") from exc


for _scheme, _factory in (
    ("memory", _memory_factory),
    ("file", _file_factory),
    ("zip", _zip_factory),
    *((scheme, _object_factory) for scheme in OBJECT_SCHEMES),
    ("sqlite", _sqlite_factory),
    ("lmdb", _lmdb_factory),
    ("redis", _redis_factory),
    ("rediss", _redis_factory),
):
    register_store(_scheme, _factory)


# -------------------------------------------------------------------------- make_store


def make_store(
    store_like: Any,
    *,
    mode: str = "a",
    storage_options: dict[str, Any] | None = None,
) -> Store:
    """Return the Store that ``store_like`` names, opened for ``mode``.

    Parameters
    ----------
    store_like
        A :class:`Store` (returned as is, or as a read-only view for mode ``"r"``); ``None``
        (a new MemoryStore); a ``dict`` (a MemoryStore over it); a ``str``/``os.PathLike`` path
        (a LocalStore directory, or a ZipStore when it ends in ``.zip``); or a URL
        ``scheme://...`` (see the module docstring).
    mode
        zarr's open mode (``r``, ``r+``, ``a``, ``w``, ``w-``). ``r`` gives a read-only store;
        node-level meaning (create, overwrite) is the caller's business.
    storage_options
        Keyword arguments for a URL's factory or for LocalStore/ZipStore.

    Raises
    ------
    ValueError
        For an unknown mode, or a URL scheme no factory or fsspec handles (named in the message).
    TypeError
        For an unsupported ``store_like``, or ``storage_options`` that cannot be used.
    """
    if mode not in MODES:
        raise ValueError(f"invalid mode {mode!r}; expected one of {MODES}")
    options = dict(storage_options or {})
    read_only = mode == "r"

    if isinstance(store_like, Store) or store_like is None or isinstance(store_like, dict):
        if options:
            raise TypeError(
                f"storage_options {sorted(options)} cannot be used with {type(store_like).__name__}"
            )
        if store_like is None:
            return MemoryStore(read_only=read_only)
        if isinstance(store_like, dict):
            return MemoryStore(store_like, read_only=read_only)
        return store_like.with_read_only(True) if read_only else store_like

    if isinstance(store_like, os.PathLike):
        store_like = os.fspath(store_like)
    if not isinstance(store_like, str):
        raise TypeError(
            "store must be a zarrc.storage.Store, a path, a URL, a dict or None; "
            f"got {type(store_like).__name__}"
        )

    match = _URL_RE.match(store_like)
    if match is None:
        return _path_store(store_like, mode, options)
    return _open_url(store_like, match.group(1).lower(), match.group(2) == "::", mode, options)


def _open_url(url: str, scheme: str, chained: bool, mode: str, options: dict[str, Any]) -> Store:
    """Open ``url`` with its scheme's factory, or with fsspec."""
    read_only = mode == "r"
    found = None if chained else _lookup(scheme)
    if found is not None:
        factory, accepts_mode = found
        store = factory(url, mode=mode, **options) if accepts_mode else factory(url, **options)
        if not isinstance(store, Store):
            raise TypeError(
                f"the store factory for {scheme!r} returned {type(store).__name__}, not a Store"
            )
    elif fsspec_available():
        store = FsspecStore.from_url(url, read_only=read_only, **options)
    else:
        raise ValueError(
            f"no store is registered for URL scheme {scheme!r} ({url!r}): register one with "
            "zarrc.storage.register_store, or install fsspec (pip install fsspec, plus e.g. "
            "s3fs for s3://)"
        )
    if read_only and not store.read_only:
        store = store.with_read_only(True)
    return store
