"""Stores: keys to bytes, with byte ranges and listing (SPEC.md, "Nodes and stores", "Plug-ins").

:class:`Store` is the contract; :class:`MemoryStore`, :class:`LocalStore`, :class:`ZipStore` and
:class:`FsspecStore` (fsspec imported only when used) implement it; :func:`make_store` turns a
path, URL, dict or ``None`` into a store, with URL schemes added by :func:`register_store`.
zarr-python's further names: :class:`WrapperStore`, :class:`LoggingStore`, :class:`StorePath`
and :class:`Buffer` (the bytes ``MemoryStore`` keeps, with ``to_bytes()``).
"""

from zarrc.storage.base import ReadOnlyView, Store, normalize_key, normalize_prefix
from zarrc.storage.buffer import Buffer
from zarrc.storage.fsspec import FsspecStore
from zarrc.storage.local import LocalStore
from zarrc.storage.memory import MemoryStore
from zarrc.storage.registry import (
    available_stores,
    make_store,
    register_store,
    unregister_store,
)
from zarrc.storage.store_path import StorePath
from zarrc.storage.wrapper import LoggingStore, WrapperStore
from zarrc.storage.zip import ZipStore

__all__ = [
    "Buffer",
    "FsspecStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "ReadOnlyView",
    "Store",
    "StorePath",
    "WrapperStore",
    "ZipStore",
    "available_stores",
    "make_store",
    "normalize_key",
    "normalize_prefix",
    "register_store",
    "unregister_store",
]
