"""What ``resize`` leaves of the chunks outside the shape it keeps: the fill value only.

Before a resize stores its new shape it resets to the fill value everything of the stored
chunks outside ``keep`` (the old and the new shape's common part): chunks the new shape drops
are deleted, chunks it cuts are rewritten. So data dropped by shrinking never reappears when
the array grows again, and growing exposes the fill value only, even where a handle with an
out-of-date, larger shape wrote past the array's end.

Under the array's metadata lock that is all (the lock keeps other resizes and appends out).
On a store with conditional writes and no cross-process lock, another process may grow the
array and write its new part at any moment, so what lies past the old shape is changed only
if it is still what was read while the array's document still held the shape read: see
:func:`clear_outside`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zarrc.engine.chunks import chunk_to_update
from zarrc.engine.context import ArrayContext
from zarrc.engine.pool import run_tasks
from zarrc.engine.update import Conflict, update_chunk

__all__ = ["clear_outside"]


def _kept(ctx: ArrayContext, coords: tuple[int, ...], keep: tuple[int, ...]) -> tuple[slice, ...]:
    """The chunk-local slices of chunk ``coords`` inside ``keep`` (empty when it is past)."""
    return tuple(slice(0, max(0, min(c, n - s))) for s, c, n in
                 zip(ctx.chunk_start(coords), ctx.chunk_shape(coords), keep))


def _dropped(
    ctx: ArrayContext, coords: tuple[int, ...], old: tuple[int, ...], new: tuple[int, ...]
) -> bool:
    """True when chunk ``coords`` lies wholly past the new shape in a dimension that shrinks:
    it holds only data this resize drops, whatever other writers do."""
    return any(s >= n for s, n, o in zip(ctx.chunk_start(coords), new, old) if n < o)


def _cleared(
    ctx: ArrayContext,
    coords: tuple[int, ...],
    key: str,
    keep: tuple[slice, ...],
    data: bytes | None,
    may_delete: bool,
) -> bytes | memoryview | None:
    """Chunk ``key`` (stored ``data``) with everything outside ``keep`` reset to the fill:
    its encoded bytes, ``None`` to delete it (only if ``may_delete``), or ``data`` itself when
    nothing is stored or nothing changes."""
    if data is None:
        return data
    original = chunk_to_update(ctx, coords, data, key)
    chunk = original.copy()
    ctx.fill(chunk)
    chunk[keep] = original[keep]
    if ctx.by_numpy and np.array_equal(chunk, original) or (
            not ctx.by_numpy and chunk.tobytes() == original.tobytes()):
        return data
    if may_delete and ctx.is_empty(chunk):
        return None
    return ctx.pipeline_for(coords).encode(chunk, key)


def _clear_locked(ctx: ArrayContext, coords: tuple[int, ...], keep: tuple[int, ...]) -> None:
    key = ctx.key(coords)
    local = _kept(ctx, coords, keep)
    if any(k.stop == 0 for k in local):
        ctx.store.delete(key)
        return
    update_chunk(ctx.store, key,
                 lambda data, may_delete: _cleared(ctx, coords, key, local, data, may_delete))


def _clear_checked(
    ctx: ArrayContext,
    chunks: list[tuple[int, ...]],
    keep: tuple[int, ...],
    unchanged: Callable[[], bool],
) -> None:
    """Clear ``chunks`` only if each still holds what was read while ``unchanged()`` (the
    array's document as read) held: read them with their versions, check the document, then
    write each conditionally. Raises :class:`Conflict` when anything changed in between."""
    found: dict[tuple[int, ...], tuple[bytes | None, str | None]] = {}

    def read(coords: tuple[int, ...]) -> None:
        found[coords] = ctx.store.get_versioned(ctx.key(coords))

    run_tasks(read, chunks)
    if not unchanged():
        raise Conflict
    # Read before the check, so any chunk another process wrote after growing the array
    # since has a new version: its conditional write below fails instead of clearing it.

    def clear(coords: tuple[int, ...]) -> None:
        key = ctx.key(coords)
        data, version = found[coords]
        new = _cleared(ctx, coords, key, _kept(ctx, coords, keep), data, False)
        if new is not data and not ctx.store.set_if(key, new, version=version):
            raise Conflict

    run_tasks(clear, chunks)


def clear_outside(
    ctx: ArrayContext,
    stored: list[tuple[int, ...]],
    old_shape: tuple[int, ...],
    new_shape: tuple[int, ...],
    *,
    unchanged: Callable[[], bool] | None = None,
) -> None:
    """Before a resize from ``old_shape`` to ``new_shape`` is stored: reset to the fill value
    whatever of the ``stored`` chunks (their coordinates) lies outside both shapes' common part.

    ``unchanged`` is None when the caller holds the array's metadata lock and the store has no
    conditional writes: chunks are deleted or updated under their locks. Otherwise it says
    whether the array's document still holds what the resize read; chunks wholly past the new
    shape in a dimension that shrinks are deleted (they hold dropped data whoever writes what),
    every other change is a conditional write made only if nothing changed since the document
    was checked (else :class:`Conflict`: the caller reads the document again).
    """
    keep = tuple(min(o, n) for o, n in zip(old_shape, new_shape))
    changed = [d for d, (o, n) in enumerate(zip(old_shape, new_shape)) if o != n]
    todo = [c for c in stored if any(
        s + c_len > keep[d] for d, s, c_len in
        ((d, ctx.chunk_start(c)[d], ctx.chunk_shape(c)[d]) for d in changed))]
    if unchanged is None:
        run_tasks(lambda coords: _clear_locked(ctx, coords, keep), todo)
        return
    dropped = {c for c in todo if _dropped(ctx, c, old_shape, new_shape)}
    run_tasks(lambda coords: ctx.store.delete(ctx.key(coords)), dropped)
    rest = [c for c in todo if c not in dropped]
    if rest:
        _clear_checked(ctx, rest, keep, unchanged)
