"""The ``transpose`` codec: permute the chunk's axes before serialization.

Zarr v3 core codec ``transpose`` (array→array; no v2 form), configuration
``{"order": [permutation]}``: encoding gives ``chunk.transpose(order)``, so encoded axis ``i``
is decoded axis ``order[i]``.  Early v3 drafts also allowed ``"C"`` (identity) and ``"F"``
(reversed axes); those are accepted on read and resolved against the chunk's rank.
Encoding and decoding are views; decoding into a caller's array goes through
``out.transpose(order)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from zarrc._ext.copy import transpose_into
from zarrc.codecs.base import ArrayArrayCodec, ChunkSpec, check_int
from zarrc.errors import CodecError

__all__ = ["TransposeCodec"]


class TransposeCodec(ArrayArrayCodec):
    """Permute axes: encoded axis ``i`` is the chunk's axis ``order[i]``."""

    name = "transpose"
    codec_id = None

    def __init__(self, *, order: Any) -> None:
        if isinstance(order, str):
            if order not in ("C", "F"):
                raise CodecError(f"codec 'transpose': 'order' must be a permutation, got {order!r}")
            self.order: tuple[int, ...] | str = order
            return
        try:
            items = list(order)
        except TypeError:
            raise CodecError(
                f"codec 'transpose': 'order' must be a list of integers, got {order!r}"
            ) from None
        perm = tuple(check_int("transpose", "order", i, 0) for i in items)
        if sorted(perm) != list(range(len(perm))):
            raise CodecError(
                f"codec 'transpose': 'order' must be a permutation of 0..n-1, got {list(perm)}"
            )
        self.order = perm

    def get_config(self) -> dict[str, Any]:
        order = self.order
        return {"order": order if isinstance(order, str) else list(order)}

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [("order", self.order)]

    def _perm(self) -> tuple[int, ...]:
        assert not isinstance(self.order, str), "evolve() resolves 'C'/'F' first"
        return self.order

    def evolve(self, spec: ChunkSpec) -> TransposeCodec:
        if isinstance(self.order, str):
            perm = tuple(range(spec.ndim))
            return TransposeCodec(order=perm if self.order == "C" else perm[::-1])
        if len(self.order) != spec.ndim:
            raise CodecError(
                f"codec 'transpose': 'order' {list(self.order)} has {len(self.order)} entries "
                f"but the chunk has {spec.ndim} dimensions"
            )
        return self

    def resolve(self, spec: ChunkSpec) -> ChunkSpec:
        perm = self._perm()
        return ChunkSpec(tuple(spec.shape[i] for i in perm), spec.dtype, "C", spec.fill_value)

    def encode(self, data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        encoded: npt.NDArray[Any] = np.asarray(data).transpose(self._perm())
        return encoded

    def decode(
        self, data: npt.NDArray[Any], out: npt.NDArray[Any] | None = None
    ) -> npt.NDArray[Any]:
        inverse = tuple(int(a) for a in np.argsort(self._perm()))
        src = np.asarray(data)
        if out is None:
            decoded: npt.NDArray[Any] = src.transpose(inverse)
            return decoded
        if out.dtype == src.dtype and not out.dtype.hasobject:
            transpose_into(out, src, inverse)  # one native strided copy, GIL released
        else:
            np.copyto(out, src.transpose(inverse))
        return out

    def encoded_view(self, out: npt.NDArray[Any]) -> npt.NDArray[Any]:
        view: npt.NDArray[Any] = out.transpose(self._perm())
        return view
