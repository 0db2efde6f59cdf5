"""The stores, the codec pipeline, the sharding codec and the key encoding satisfy the engine's
Protocols (``zarrc.engine.interfaces``).

The engine names no store or codec class (an import-linter contract), so nothing but this file
shows mypy the real classes where the engine expects its Protocols: mypy checks the
conversions below (scripts/test.sh runs it on this directory), and pytest runs the engine's
read-modify-write through each store as the Protocol and reads a sharded array's pieces
through them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import zarrc
from zarrc.codecs.pipeline import CodecPipeline
from zarrc.codecs.sharding import ShardingCodec
from zarrc.engine.interfaces import ChunkStore, KeyEncoding, PipelineLike, ShardingLike
from zarrc.engine.update import update_key
from zarrc.metadata.chunk_key import ChunkKeyEncoding
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


def _pipeline(pipeline: CodecPipeline) -> PipelineLike:
    return pipeline


def _sharding(codec: ShardingCodec) -> ShardingLike:
    return codec


def _key_encoding(encoding: ChunkKeyEncoding) -> KeyEncoding:
    return encoding


def test_a_sharded_arrays_codecs_through_the_protocols() -> None:
    a = zarrc.create_array(MemoryStore(), shape=(8,), chunks=(2,), shards=(4,), dtype="i4")
    a[...] = np.arange(8, dtype="i4")
    ctx = a._ctx
    assert isinstance(ctx.pipeline, CodecPipeline)
    codec = ctx.pipeline.sharding
    assert isinstance(codec, ShardingCodec)
    assert _sharding(codec).chunks_per_shard() == (2,)
    inner = _pipeline(codec.inner_pipeline())
    assert inner.sharding is None
    assert isinstance(ctx.key_encoding, ChunkKeyEncoding)
    key = _key_encoding(ctx.key_encoding).encode((1,))
    stored = ctx.store.get(ctx.prefix + key)
    assert stored is not None
    index = codec.parse_index(stored[slice(*codec.index_byte_range(len(stored)))],
                              shard_size=len(stored))
    offset, nbytes = (int(v) for v in index.reshape(-1, 2)[0])
    decoded = inner.decode(stored[offset:offset + nbytes], key)
    np.testing.assert_array_equal(decoded, np.array([4, 5], dtype="i4"))
