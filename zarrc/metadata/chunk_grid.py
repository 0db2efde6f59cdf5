"""Array shapes and the regular chunk grid (v3 spec "Regular chunk grid"; v2 ``chunks``).

``normalize_shape`` and ``normalize_chunks`` canonicalise user input (ValueError on bad input,
before anything is allocated); ``parse_chunk_grid`` and ``parse_shape`` validate stored JSON
(MetadataError naming key and field).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zarrc.metadata._common import describe, is_int, metadata_error, split_extension

if TYPE_CHECKING:
    from zarrc.metadata.rectilinear import RectilinearChunkGrid

__all__ = [
    "RegularChunkGrid",
    "parse_chunk_grid",
    "parse_shape",
    "parse_chunk_shape",
    "normalize_shape",
    "normalize_chunks",
    "INT64_MAX",
]

INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class RegularChunkGrid:
    """A grid of equally shaped chunks aligned with the array origin.

    Chunk sizes are >= 1; a size of 0 is tolerated only for a dimension of length 0 (which
    zarr-python writes for ``chunks=False`` on an empty array) and then gives no chunks.
    """

    chunk_shape: tuple[int, ...]

    def __post_init__(self) -> None:
        shape = tuple(_as_int(c, "chunk size") for c in self.chunk_shape)
        if any(c < 0 for c in shape):
            raise ValueError(f"chunk sizes must be non-negative integers, got {shape}")
        object.__setattr__(self, "chunk_shape", shape)

    @property
    def ndim(self) -> int:
        return len(self.chunk_shape)

    def grid_shape(self, array_shape: Sequence[int]) -> tuple[int, ...]:
        """Number of chunks along each dimension: ``ceil(shape / chunk)``."""
        if len(array_shape) != self.ndim:
            raise ValueError(f"array shape {tuple(array_shape)} does not match chunk shape "
                             f"{self.chunk_shape}")
        out = []
        for n, c in zip(array_shape, self.chunk_shape):
            if c == 0:
                if n != 0:
                    raise ValueError(f"chunk size 0 for a dimension of length {n}")
                out.append(0)
            else:
                out.append(-(-n // c))
        return tuple(out)

    def nchunks(self, array_shape: Sequence[int]) -> int:
        """Total number of chunks covering ``array_shape``."""
        return math.prod(self.grid_shape(array_shape))

    def to_json(self) -> dict[str, Any]:
        """The v3 ``chunk_grid`` object."""
        return {"name": "regular", "configuration": {"chunk_shape": list(self.chunk_shape)}}


# --------------------------------------------------------------------------- parsing JSON


def _json_int_list(obj: Any, field: str, key: str | None) -> tuple[int, ...]:
    if not isinstance(obj, list):
        raise metadata_error(key, field, f"expected an array of integers, got {describe(obj)}")
    for v in obj:
        if not is_int(v):
            raise metadata_error(key, field, f"expected integers, found {describe(v)}")
    return tuple(obj)


def parse_shape(obj: Any, field: str, key: str | None) -> tuple[int, ...]:
    """Validate a stored array shape: non-negative integers whose product fits int64."""
    shape = _json_int_list(obj, field, key)
    try:
        return _check_shape(shape)
    except ValueError as exc:
        raise metadata_error(key, field, str(exc)) from None


def parse_chunk_shape(
    obj: Any, shape: tuple[int, ...], field: str, key: str | None
) -> tuple[int, ...]:
    """Validate a stored chunk shape against the array shape (same length, sizes >= 1)."""
    chunks = _json_int_list(obj, field, key)
    if len(chunks) != len(shape):
        raise metadata_error(key, field, f"has {len(chunks)} dimensions but shape has "
                             f"{len(shape)}")
    for c, n in zip(chunks, shape):
        if c < 0 or (c == 0 and n != 0):
            raise metadata_error(key, field, f"chunk sizes must be >= 1, got {list(chunks)}")
    if math.prod(chunks) > INT64_MAX:
        raise metadata_error(key, field, f"chunk of {list(chunks)} elements overflows int64")
    return chunks


def parse_chunk_grid(
    obj: Any, ndim: int, key: str | None, shape: tuple[int, ...] | None = None
) -> RegularChunkGrid | RectilinearChunkGrid:
    """Parse the v3 ``chunk_grid`` field: ``"regular"`` or ``"rectilinear"``.

    ``shape`` (if given) is the array shape, used to allow a 0 chunk on a 0-length dimension.
    """
    name, config = split_extension(obj, "chunk_grid", key)
    if name == "rectilinear":
        from zarrc.metadata.rectilinear import parse_rectilinear

        return parse_rectilinear(config, tuple(shape) if shape is not None else (0,) * ndim, key)
    if name != "regular":
        raise metadata_error(key, "chunk_grid", f"unknown chunk grid {name!r}")
    field = "chunk_grid.configuration.chunk_shape"
    if "chunk_shape" not in config:
        raise metadata_error(key, field, "required member is missing")
    extra = sorted(set(config) - {"chunk_shape"})
    if extra:
        raise metadata_error(key, "chunk_grid.configuration", f"unexpected member(s) {extra}")
    if shape is None:
        shape = (1,) * ndim
    if len(shape) != ndim:
        raise ValueError("shape and ndim disagree")
    return RegularChunkGrid(parse_chunk_shape(config["chunk_shape"], shape, field, key))


# --------------------------------------------------------------------------- user input


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    return int(value)


def _check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    for n in shape:
        if n < 0:
            raise ValueError(f"shape must be non-negative, got {shape}")
        if n > INT64_MAX:
            raise ValueError(f"dimension {n} of shape {shape} overflows int64")
    if math.prod(shape) > INT64_MAX:
        raise ValueError(f"shape {shape} has more elements than int64 can count")
    return shape


def normalize_shape(shape: Any) -> tuple[int, ...]:
    """Canonicalise a user's shape: an int or a sequence of ints >= 0.

    Raises
    ------
    ValueError
        For negative or non-integer sizes, or a product that overflows int64.
    """
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, (str, bytes, dict)):
        raise ValueError(f"shape must be an int or a sequence of ints, got {shape!r}")
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be an int or a sequence of ints, got {shape!r}") from None
    return _check_shape(tuple(_as_int(n, "shape") for n in shape))


def guess_chunks(shape: tuple[int, ...], itemsize: int,
                 max_bytes: int = 64 * 1024 * 1024) -> tuple[int, ...]:
    """Chunk guess of h5py/zarr-python: halve dimensions in turn until the chunk is near a
    target size that grows with the array (PyTables rule, 128 KiB .. ``max_bytes``; zarr-python
    caps inner chunks of a sharded array at 1 MiB)."""
    increment, min_bytes = 256 * 1024, 128 * 1024
    if not shape:
        return ()
    chunks = [max(n, 1) for n in shape]
    if itemsize == 0:
        return tuple(chunks)
    total = float(math.prod(float(c) for c in chunks)) * itemsize
    target = increment * 2 ** math.log10(total / (1024.0 * 1024))
    target = min(max(target, min_bytes), max_bytes)
    idx = 0
    while True:
        nbytes = float(math.prod(float(c) for c in chunks)) * itemsize
        small = nbytes < target or abs(nbytes - target) / target < 0.5
        if small and nbytes < max_bytes:
            break
        if math.prod(chunks) == 1:
            break
        dim = idx % len(chunks)
        chunks[dim] = -(-chunks[dim] // 2)
        idx += 1
    return tuple(chunks)


def normalize_chunks(chunks: Any, shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Canonicalise a user's ``chunks`` for an array of ``shape`` (already normalised).

    ``"auto"``, ``None`` or ``True``: zarr-python's guess (a chunk near a size that grows with
    the array, >= 1 per dimension). ``False``: one chunk (the full shape). An int: that size in
    every dimension. A sequence: one entry per dimension, ``-1`` or ``None`` meaning the full
    dimension; dask-style regular chunks ``((5, 5, 2), ...)`` are accepted too.

    Raises
    ------
    ValueError
        For a wrong number of dimensions, sizes < 1, bools or non-integers in a sequence.
    """
    shape = tuple(shape)
    if chunks is None or chunks is True or (isinstance(chunks, str) and chunks == "auto"):
        return guess_chunks(shape, int(itemsize))
    if chunks is False:
        return tuple(max(n, 1) for n in shape)
    if isinstance(chunks, str):
        raise ValueError(f"chunks must be 'auto', an int or a sequence, got {chunks!r}")
    if isinstance(chunks, numbers.Integral):
        size = _as_int(chunks, "chunks")
        if size == -1:
            return tuple(max(n, 1) for n in shape)
        chunks = (size,) * len(shape)
    try:
        chunks = tuple(chunks)
    except TypeError:
        raise ValueError(f"chunks must be 'auto', an int or a sequence, got {chunks!r}") \
            from None
    if len(chunks) != len(shape):
        raise ValueError(f"chunks {chunks} must have one entry per dimension of shape {shape}")
    out = []
    for c, n in zip(chunks, shape):
        if isinstance(c, (tuple, list)):
            c = _dask_dim(c)
        if c is None or _is_minus_one(c):
            out.append(max(n, 1))
            continue
        c = _as_int(c, "chunk size")
        if c < 1:
            raise ValueError(f"chunk sizes must be >= 1, got {chunks}")
        out.append(c)
    if math.prod(out) > INT64_MAX:
        raise ValueError(f"chunks {tuple(out)} have more elements than int64 can count")
    return tuple(out)


def _is_minus_one(value: Any) -> bool:
    return (isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and int(value) == -1)


def _dask_dim(sizes: Sequence[Any]) -> int:
    """The chunk size of a dask-style dimension: equal sizes, the last one may be smaller."""
    ints = [_as_int(s, "chunk size") for s in sizes]
    if not ints:
        raise ValueError("empty dask-style chunk specification")
    first = ints[0]
    if any(s != first for s in ints[:-1]) or ints[-1] > first:
        raise ValueError(f"irregular chunk sizes {tuple(ints)} are not supported")
    return first
