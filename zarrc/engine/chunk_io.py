"""The chunk-I/O interface, and the choice of its implementation when an array is opened.

Four operations move an array's chunks, each on a plan from ``zarrc.indexing``:

- ``read_box(ctx, plan, box)``: the chunks of a box plan into the selection's box;
- ``read_points(ctx, points, out)``: the points of a point plan into a flat output;
- ``write_box(ctx, plan, values)``: the selection's box of values into its chunks;
- ``encode_shard(ctx, shard, key)``: the stored bytes of one whole shard.

There are two implementations: the reference (``zarrc.engine.reference``: Python, the codec
pipeline, any array) and the native one (``zarrc.engine.native``: the C loops). Which runs is
decided once per array, per operation, by :func:`choose_io` from what the array's store and
codecs declare (``Store.local_files``, ``BytesBytesCodec.native_spec``) and from what this
build has (``zarrc._ext.codec.native_codecs()``); no call site asks afterwards whether native
code worked. ``ZARRC_NO_NATIVE_IO=1`` in the environment when an array is opened gives it the
reference implementation throughout. An array that gets it only because this build lacks its
codec's library warns (``zarrc.errors.NativeCodecMissingWarning``, once per codec).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from zarrc.buildinfo import warn_missing_codec
from zarrc.engine import reference
from zarrc.engine.context import ArrayContext
from zarrc.engine.interfaces import NativeChainLike
from zarrc.engine.native import points as native_points
from zarrc.engine.native import read as native_read
from zarrc.engine.native import write as native_write
from zarrc.engine.native.state import NativeArray, chain_decodes, chain_encodes, missing_codec
from zarrc.indexing import BoxPlan, PointPlan

__all__ = ["REFERENCE", "ChunkIO", "choose_io", "native_disabled", "open_context"]


@dataclass(frozen=True)
class ChunkIO:
    """The four chunk operations of one array, and a name per operation for tests and
    diagnostics (``"reference"`` or ``"native"``)."""

    read_box: Callable[[ArrayContext, BoxPlan, np.ndarray], None]
    read_points: Callable[[ArrayContext, PointPlan, np.ndarray], None]
    write_box: Callable[[ArrayContext, BoxPlan, np.ndarray], None]
    encode_shard: Callable[[ArrayContext, np.ndarray, str], bytes | memoryview]
    kinds: tuple[str, ...] = ("reference",) * 4

    @property
    def name(self) -> str:
        """``"native"`` or ``"reference"`` when every operation agrees, else ``"mixed"``."""
        return self.kinds[0] if len(set(self.kinds)) == 1 else "mixed"


REFERENCE = ChunkIO(reference.read_box, reference.read_points, reference.write_box,
                    reference.encode_shard)


def native_disabled() -> bool:
    """True when ``ZARRC_NO_NATIVE_IO`` asks for the reference implementation."""
    return os.environ.get("ZARRC_NO_NATIVE_IO", "").strip() not in ("", "0")


def _reference(chain: NativeChainLike | None) -> ChunkIO:
    """REFERENCE for an array whose ``chain`` the native loops do not run; when only this
    build's missing codec library is why, warn (once per codec per process)."""
    codec = missing_codec(chain)
    if codec is not None:
        warn_missing_codec(codec)
    return REFERENCE


def choose_io(ctx: ArrayContext) -> ChunkIO:
    """The chunk-I/O implementation of each operation for the array ``ctx``: native where
    the array's dtype, grid, codecs (their native declarations) and this build allow it."""
    if native_disabled() or ctx.by_numpy or not ctx.regular or len(ctx.shape) > 64:
        return REFERENCE
    codec = ctx.pipeline.sharding
    if codec is None:
        chain = ctx.pipeline.native_chain()
        if not chain_decodes(chain):
            return _reference(chain)
        array = NativeArray(ctx, chain, ctx.chunks)
        writes = chain_encodes(chain)
        return ChunkIO(
            functools.partial(native_read.read_box, array),
            functools.partial(native_points.read_points, array),
            functools.partial(native_write.write_box, array) if writes else
            reference.write_box,
            reference.encode_shard,
            ("native", "native", "native" if writes else "reference", "reference"))
    chain = codec.inner_pipeline().native_chain()
    if not chain_decodes(chain):
        return _reference(chain)
    array = NativeArray(ctx, chain, tuple(codec.chunk_shape))
    encodes = chain_encodes(chain)
    return ChunkIO(
        functools.partial(native_read.read_shards, array),
        functools.partial(native_points.read_shard_points, array),
        reference.write_box,  # shards are written whole: encode_shard is the native part
        functools.partial(native_write.encode_shard, array) if encodes else
        reference.encode_shard,
        ("native", "native", "reference", "native" if encodes else "reference"))


def open_context(**fields: Any) -> ArrayContext:
    """The engine's view of an array being opened, with its chunk I/O chosen."""
    ctx = ArrayContext(**fields)
    return dataclasses.replace(ctx, io=choose_io(ctx))
