"""Types of :mod:`zarrc._ext.chunkwrite` (compiled from ``chunkwrite.pyx``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

from zarrc._ext.chunkio import Decompressor, _ChunkBox

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

_Int64Array = np.ndarray[Any, np.dtype[np.int64]]

OUT_PARTIAL: int
OUT_EMPTY: int

class ChunkWrite(_ChunkBox):
    @property
    def encode_bound(self) -> int: ...
    @property
    def scratch_nbytes(self) -> int: ...
    @property
    def to_files(self) -> bool: ...
    def __init__(
        self,
        directory: bytes | None,
        key_encoding: str,
        separator: str,
        chunk_shape: Sequence[int],
        array_shape: Sequence[int],
        itemsize: int,
        codec: str | None,
        order: str,
        plans: Sequence[_Int64Array],
        box: _Buf,
        fill: bytes,
        lists: Sequence[_Int64Array | None] | None = ...,
        *,
        level: int = ...,
        checksum: bool = ...,
        shuffle: int = ...,
        typesize: int = ...,
        blocksize: int = ...,
        cname: str = ...,
        skip_empty: bool = ...,
        temp_prefix: str | None = ...,
        fsync: bool = ...,
    ) -> None: ...
    def run(
        self,
        dec: Decompressor,
        dbuf: _Buf,
        out: _Buf,
        begin: int,
        end: int,
        stats: _Int64Array | None = ...,
    ) -> tuple[int, int, int, _Int64Array]: ...

class ChunkEncode(_ChunkBox):
    @property
    def encode_bound(self) -> int: ...
    @property
    def scratch_nbytes(self) -> int: ...
    def __init__(
        self,
        chunk_shape: Sequence[int],
        itemsize: int,
        codec: str | None,
        order: str,
        box: _Buf,
        fill: bytes,
        *,
        level: int = ...,
        checksum: bool = ...,
        shuffle: int = ...,
        typesize: int = ...,
        blocksize: int = ...,
        cname: str = ...,
    ) -> None: ...
    def run(
        self, dec: Decompressor, origins: _Int64Array, dbuf: _Buf, out: _Buf
    ) -> tuple[int, _Int64Array]: ...
