"""What the database stores share: their URL schemes and the version of a value.

``sqlite:///abs/path.db`` and ``lmdb:///abs/path`` name a file (an absolute path after the
scheme); ``redis://host:port/db`` (and ``rediss://``) a server. Each store module is imported
only when its scheme is opened. A value's version, for conditional writes, is the SHA-1 of its
bytes: Redis can compute it inside a script, and equal contents having equal versions is
harmless for a read-modify-write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

__all__ = ["content_version", "database_factories", "path_from_url"]


def content_version(value: Any) -> str:
    """The version token of a stored value (the hex SHA-1 of its bytes)."""
    return hashlib.sha1(value, usedforsecurity=False).hexdigest()


def path_from_url(url: str) -> str:
    """The absolute file path of ``scheme:///abs/path``; ``ValueError`` for any other form."""
    scheme, _, rest = url.partition("://")
    if not rest.startswith("/") or rest.startswith("//"):
        raise ValueError(
            f"invalid {scheme}:// URL {url!r}: expected {scheme}:// followed by an absolute "
            f"path, e.g. {scheme}:///data/arrays.db"
        )
    return rest


def _sqlite(url: str, *, mode: str = "a", **options: Any) -> Any:
    from zarrc.storage.sqlite import SQLiteStore

    return SQLiteStore(path_from_url(url), read_only=mode == "r", **options)


def _lmdb(url: str, *, mode: str = "a", **options: Any) -> Any:
    from zarrc.storage.lmdb import LMDBStore

    return LMDBStore(path_from_url(url), read_only=mode == "r", **options)


def _redis(url: str, *, mode: str = "a", **options: Any) -> Any:
    from zarrc.storage.redis import RedisStore

    return RedisStore(url, read_only=mode == "r", **options)


def database_factories() -> dict[str, Callable[..., Any]]:
    """``{scheme: factory(url, mode=..., **storage_options)}`` for the registry."""
    return {"sqlite": _sqlite, "lmdb": _lmdb, "redis": _redis, "rediss": _redis}
