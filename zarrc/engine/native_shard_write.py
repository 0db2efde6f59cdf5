"""Native encoding of whole shards: the inner chunks gathered and compressed in C.

For an array whose pipeline is exactly ``sharding_indexed`` over an inner chain the C encoders
know (the raw bytes of the dtype, optionally through zstd or blosc), :func:`encode_shard_native`
encodes every inner chunk of a shard (in the codec's Morton order, skipping those of fill) into
one reused buffer with ``zarrc._ext.chunkio.ChunkEncode``, the GIL released; the sharding codec
then adds the index (:meth:`~zarrc.codecs.sharding.ShardingCodec.assemble`). The result is what
``ShardingCodec.encode`` produces, with the same libraries' versions.
"""

from __future__ import annotations

import numpy as np

from zarrc.engine import native
from zarrc.engine.context import ArrayContext

__all__ = ["encode_shard_native"]

_SHARD_SLOT = 1  # the thread scratch slot that holds encoded shards


def encode_shard_native(ctx: ArrayContext, shard: np.ndarray) -> bytes | None:
    """The encoded bytes of ``shard`` (a whole shard's values, any strides), or None when the
    C encoders cannot produce them (the caller then uses the codec pipeline)."""
    codec = ctx.pipeline.sharding
    if codec is None or not native.available() or ctx.by_numpy or not ctx.regular:
        return None
    if shard.dtype != ctx.dtype:
        return None
    if shard.shape != tuple(ctx.pipeline.spec.shape):
        return None
    from zarrc.engine.native_shard import inner_chain  # loads crc32c: only for sharded arrays

    chain, _, inner = inner_chain(ctx, codec)
    if chain is None or chain[0] not in native.chunkio.WRITE_CODECS:
        return None
    name, order = chain
    itemsize = ctx.dtype.itemsize
    fill = ctx.fill_bytes or bytes(itemsize)
    encoder = native.chunkio.ChunkEncode(tuple(codec.chunk_shape), itemsize, name, order, shard,
                                         fill, **native.encoder_settings(inner, itemsize))
    origins = codec.inner_order() * np.asarray(codec.chunk_shape, dtype=np.int64)
    state = native.thread_state()
    out = state.scratch(len(origins) * encoder.encode_bound, _SHARD_SLOT)
    used, placed = encoder.run(state.dec, origins, state.decoded(encoder.scratch_nbytes), out)
    return codec.assemble(placed, [memoryview(out)[:used]])
