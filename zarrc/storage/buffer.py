"""``Buffer``: bytes with zarr-python's Buffer methods (``to_bytes()``, ``as_numpy_array()``).

A ``bytes`` subclass, so it is what the Store contract promises (immutable bytes in, bytes
out) and also what zarr-python code expects of stored values: ``MemoryStore`` keeps its values
as Buffers, so ``store_dict[".zarray"].to_bytes()`` works as in zarr-python's user guide.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Buffer"]


class Buffer(bytes):
    """Immutable bytes with zarr-python's ``Buffer`` reading methods."""

    __slots__ = ()

    @classmethod
    def from_bytes(cls, data: Any) -> Buffer:
        """A Buffer holding a copy of ``data`` (any bytes-like object)."""
        return cls(data)

    def to_bytes(self) -> bytes:
        """The contents as plain ``bytes``."""
        return bytes(self)

    def as_numpy_array(self) -> np.ndarray:
        """A read-only 1-d ``uint8`` view of the contents."""
        return np.frombuffer(self, dtype=np.uint8)

    def as_buffer_like(self) -> memoryview:
        return memoryview(self)

    def __repr__(self) -> str:
        return f"Buffer({bytes(self)!r})"
