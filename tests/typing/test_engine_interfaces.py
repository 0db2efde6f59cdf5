"""The stores satisfy the engine's store Protocol (``zarrc.engine.interfaces.ChunkStore``).

The engine names no store class (an import-linter contract), so nothing but this file shows
mypy a real store where the engine expects a ``ChunkStore``: mypy checks the assignments
below (scripts/test.sh runs it on this directory), and pytest runs the engine's
read-modify-write through each store as the Protocol.
"""

from __future__ import annotations

from pathlib import Path

from zarrc.engine.interfaces import ChunkStore
from zarrc.engine.update import update_key
from zarrc.storage import (
    CacheStore,
    FaultyStore,
    LocalStore,
    MemoryStore,
    RetryingStore,
    SQLiteStore,
    Store,
    ZipStore,
)


def _stores(tmp_path: Path) -> list[ChunkStore]:
    base: Store = MemoryStore()
    return [
        base,
        CacheStore(MemoryStore(), max_bytes=1 << 20),
        FaultyStore(MemoryStore()),
        RetryingStore(MemoryStore()),
        LocalStore(str(tmp_path / "local")),
        SQLiteStore(tmp_path / "db.sqlite"),
        ZipStore(tmp_path / "a.zip", mode="w"),
    ]


def test_update_key_through_the_protocol_changes_the_stored_value(tmp_path: Path) -> None:
    for store in _stores(tmp_path):
        store.set("c/0", b"abc")
        update_key(store, "c/0", lambda value, exclusive: (value or b"") + b"d")
        assert store.get("c/0") == b"abcd", store
        assert store.get_many(["c/0", "c/1"]) == [b"abcd", None], store
        assert store.get_ranges("c/0", [(1, 3)]) == [b"bc"], store
