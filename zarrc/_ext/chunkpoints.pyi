"""Types of :mod:`zarrc._ext.chunkpoints` (compiled from ``chunkpoints.pyx``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

from zarrc._ext.chunkio import Decompressor

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

_Int64Array = np.ndarray[Any, np.dtype[np.int64]]

class PointRead:
    @property
    def chunk_nbytes(self) -> int: ...
    @property
    def total(self) -> int: ...
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
        coords: _Int64Array,
        bounds: _Int64Array,
        items: _Int64Array,
        positions: _Int64Array,
        out: _Buf,
        fill: bytes,
    ) -> None: ...
    def run(
        self,
        dec: Decompressor,
        rbuf: _Buf,
        dbuf: _Buf,
        begin: int,
        end: int,
        stats: _Int64Array | None = ...,
    ) -> tuple[int, int, int, int]: ...
    def run_buffers(
        self,
        dec: Decompressor,
        buffers: Sequence[_Buf | None],
        dbuf: _Buf,
        begin: int,
        end: int,
        stats: _Int64Array | None = ...,
    ) -> tuple[int, int]: ...
