"""MemoryStore: a store backed by a Python ``dict`` of ``bytes``.

Useful for tests, scratch arrays and ``store=None``. Values are copied into immutable
:class:`~zarrc.storage.buffer.Buffer` objects (``bytes`` with zarr-python's ``to_bytes()``) on
:meth:`~MemoryStore.set`, so later changes to the caller's buffer do not leak in and the
caller's dict holds what zarr-python's would. Single
dict operations are atomic under the GIL, which makes every ``set`` atomic for readers.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from zarrc.storage.base import (
    ByteRange,
    KeySnapshotStore,
    as_buffer,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)
from zarrc.storage.buffer import Buffer

__all__ = ["MemoryStore"]


class MemoryStore(KeySnapshotStore):
    """A store held in a ``dict`` mapping keys to ``bytes``.

    Parameters
    ----------
    data
        The mapping to use; it is used as is (not copied), so two stores made from the same
        dict share their contents. ``None`` starts an empty dict. Existing keys are validated;
        existing values must be bytes-like.
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError`.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True
    fetch_concurrency = 1  # nothing to wait for

    def __init__(
        self, data: MutableMapping[str, Any] | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        if data is None:
            data = {}
        for key, value in list(data.items()):
            normalize_key(key)
            if not isinstance(value, Buffer):
                data[key] = Buffer(as_buffer(value))
        self._data: MutableMapping[str, bytes] = data  # every value a Buffer now

    @property
    def data(self) -> MutableMapping[str, bytes]:
        """The backing mapping (shared, not a copy)."""
        return self._data

    def with_read_only(self, read_only: bool = True) -> MemoryStore:
        """Return a store over the same dict with the given ``read_only`` flag."""
        if read_only == self.read_only:
            return self
        return MemoryStore(self._data, read_only=read_only)

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        value = self._data.get(normalize_key(key))
        if value is None:
            return None
        if byte_range is None:
            return value
        start, stop = resolve_byte_range(byte_range, len(value))
        return value[start:stop]

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        data = self._data
        return [data.get(normalize_key(key)) for key in keys]

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        value = self._data.get(normalize_key(key))
        if value is None:
            return None
        return [value[max(0, int(start)):max(0, int(stop))] for start, stop in ranges]

    def exists(self, key: str) -> bool:
        return normalize_key(key) in self._data

    def _all_keys(self) -> list[str]:
        return list(self._data)

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._data[key] = Buffer(as_buffer(value))

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        self._data.pop(key, None)

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        for key in self._keys_under(prefix):
            self._data.pop(key, None)

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MemoryStore)
            and other._data is self._data
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((MemoryStore, id(self._data), self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"MemoryStore(<dict at {id(self._data):#x}, {len(self._data)} keys>{mode})"

    def __str__(self) -> str:
        """``memory://`` and the dict's id (zarr-python's form, used in node reprs)."""
        return f"memory://{id(self._data)}"
