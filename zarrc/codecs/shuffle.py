"""Byte shuffle (numcodecs ``Shuffle``), bytes→bytes, in the native kernel.

Spec: numcodecs 0.16 ``Shuffle(elementsize=4)``: with ``n = len // elementsize`` elements,
byte ``j`` of element ``i`` moves to ``j * n + i`` (all first bytes, then all second bytes, …),
which groups similar bytes for a following compressor.  ``elementsize <= 1`` copies; a length
that is not a multiple of ``elementsize`` is refused, as numcodecs refuses it.  Names: v2 id
``shuffle``; v3 name ``numcodecs.shuffle`` (zarr-python 3's ``zarr.codecs.numcodecs.Shuffle``,
bytes→bytes, which fills a missing ``elementsize`` with the array's item size — so does
:meth:`ShuffleCodec.evolve`; a v2 filter without it uses numcodecs' default 4).

Runs in :mod:`zarrc._ext.shuffle` with the GIL released, decoding straight into the caller's
buffer when one is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc._ext.shuffle import shuffle_decode as _kernel_decode  # the kernels are required
from zarrc._ext.shuffle import shuffle_encode as _kernel_encode
from zarrc.codecs.base import (
    BytesBytesCodec,
    ChunkSpec,
    as_byte_array,
    check_int,
    writable_byte_array,
)
from zarrc.errors import CodecError

__all__ = ["ShuffleCodec"]

#: numcodecs' default element size, used when a v2 configuration omits it.
DEFAULT_ELEMENTSIZE = 4


class ShuffleCodec(BytesBytesCodec):
    """Transpose the bytes of ``elementsize``-byte elements (numcodecs layout)."""

    name = "numcodecs.shuffle"
    codec_id = "shuffle"
    can_decode_into = True

    def __init__(self, *, elementsize: int | None = None) -> None:
        self.elementsize = (
            None if elementsize is None else check_int("shuffle", "elementsize", elementsize, 0)
        )

    @property
    def _size(self) -> int:
        return DEFAULT_ELEMENTSIZE if self.elementsize is None else self.elementsize

    def get_config(self) -> dict[str, Any]:
        return {} if self.elementsize is None else {"elementsize": self.elementsize}

    def get_config_v2(self) -> dict[str, Any]:
        return {"elementsize": self._size}

    def _numcodecs_v3_config(self) -> dict[str, Any]:
        return self.get_config()

    def evolve(self, spec: ChunkSpec) -> ShuffleCodec:
        if self.elementsize is not None:
            return self
        evolved = ShuffleCodec(elementsize=spec.dtype.itemsize)
        evolved._json_name = self._json_name
        evolved._given = None if self._given is None else (*self._given, "elementsize")
        return evolved

    def encoded_size(self, size: int) -> int:
        return size

    def _run(
        self,
        kernel: Callable[[npt.NDArray[np.uint8], npt.NDArray[np.uint8], int], None],
        data: Any,
        out: Any,
        what: str,
    ) -> Any:
        src = as_byte_array(data)
        size = self._size
        if size > 1 and src.size % size:
            raise CodecError(
                f"codec 'shuffle': {src.size} bytes are not a multiple of elementsize {size}"
            )
        if out is None:
            dst = np.empty(src.size, dtype=np.uint8)
            result: Any = dst
        else:
            dst = writable_byte_array(out, "shuffle")
            result = out
            if dst.size != src.size:
                raise CodecError(f"codec 'shuffle': {what}d {src.size} bytes, expected {dst.size}")
        if size <= 1:
            dst[...] = src
        elif np.may_share_memory(src, dst):
            kernel(src.copy(), dst, size)
        else:
            kernel(src, dst, size)
        return result

    def encode(self, data: Any) -> npt.NDArray[Any]:
        encoded: npt.NDArray[Any] = self._run(_kernel_encode, data, None, "encode")
        return encoded

    def decode(self, data: Any, out: Any = None) -> Any:
        return self._run(_kernel_decode, data, out, "decode")
