"""Stores: keys to bytes, with byte ranges and listing (docs/api.md, "Plug-ins").

:class:`Store` is the contract; :class:`MemoryStore`, :class:`LocalStore`, :class:`ZipStore`,
:class:`FsspecStore` (fsspec imported only when used), :class:`ObjectStore` (S3, GCS, Azure,
HTTP through obstore) and the databases :class:`SQLiteStore`, :class:`LMDBStore` and
:class:`RedisStore` implement it (optional libraries imported only when used).
:class:`FaultyStore`, :class:`RetryingStore` and :class:`CacheStore` wrap any store to inject
faults, retry transient failures and cache reads. :func:`make_store` turns a path, URL, dict or
``None`` into a store, with URL schemes added by :func:`register_store`.
zarr-python's further names: :class:`WrapperStore`, :class:`LoggingStore`, :class:`StorePath`
and :class:`Buffer` (the bytes ``MemoryStore`` keeps, with ``to_bytes()``).
"""

from zarrc.storage.base import ReadOnlyView, Store, normalize_key, normalize_prefix
from zarrc.storage.buffer import Buffer
from zarrc.storage.cache import CacheStore
from zarrc.storage.faulty import FaultyStore
from zarrc.storage.fsspec import FsspecStore
from zarrc.storage.lmdb import LMDBStore
from zarrc.storage.local import LocalStore
from zarrc.storage.logging_store import LoggingStore
from zarrc.storage.memory import MemoryStore
from zarrc.storage.objectstore import ObjectStore
from zarrc.storage.redis import RedisStore
from zarrc.storage.registry import (
    available_stores,
    make_store,
    register_store,
    unregister_store,
)
from zarrc.storage.retry import RetryingStore, RetryPolicy
from zarrc.storage.sqlite import SQLiteStore
from zarrc.storage.store_path import StoreLike, StorePath
from zarrc.storage.wrapper import WrapperStore
from zarrc.storage.zip import ZipStore

__all__ = [
    "Buffer",
    "CacheStore",
    "FaultyStore",
    "FsspecStore",
    "LMDBStore",
    "LocalStore",
    "LoggingStore",
    "MemoryStore",
    "ObjectStore",
    "ReadOnlyView",
    "RedisStore",
    "RetryPolicy",
    "RetryingStore",
    "SQLiteStore",
    "Store",
    "StoreLike",
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
