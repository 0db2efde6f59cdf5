"""Types of :mod:`zarrc._ext.chunkio` (compiled from ``chunkio.pyx``): the names the engine uses."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

# numpy declares the buffer protocol (__buffer__) to type checkers only for Python >= 3.12
_Buf = Buffer | np.ndarray[Any, Any]

_Int64Array = np.ndarray[Any, np.dtype[np.int64]]

CODECS: dict[str | None, int]
KEY_ENCODINGS: dict[str, int]
PLAN_COLS: int
PLAN_INDEXED: int
E_DATA: int
E_SIZE: int
E_BUFSIZE: int
E_IO: int
E_PATH: int
CHUNK_ERRORS: frozenset[int]

def decodes(codec: str | None) -> bool: ...
def encodes(codec: str | None) -> bool: ...
def blosc_has(cname: str) -> bool: ...
def read_file_ranges(fd: int, ranges: _Int64Array, buf: _Buf) -> tuple[int, int, int, int]: ...

class Decompressor:
    """One thread's coding state (zstd contexts, a libdeflate decompressor); never share it."""

    def __init__(self) -> None: ...

class _ChunkBox:
    @property
    def chunk_nbytes(self) -> int: ...
    @property
    def total(self) -> int: ...

class ChunkRead(_ChunkBox):
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
        plans: Sequence[_Int64Array] | None = ...,
        stats: _Int64Array | None = ...,
    ) -> tuple[int, int]: ...
