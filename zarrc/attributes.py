"""``node.attrs``: a mutable mapping whose every change is persisted at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from zarrc.errors import ReadOnlyError

__all__ = ["Attributes"]


class Attributes(MutableMapping):
    """The attributes of one array or group.

    Reads come from the node's metadata as loaded; each write replaces the whole attribute
    document (``.zattrs`` in v2, ``zarr.json`` in v3) in one atomic store ``set``. Values must
    be JSON-serializable; a value that is not raises ``TypeError`` before anything is stored.
    """

    def __init__(self, load: Callable[[], dict], save: Callable[[dict], None], read_only: bool):
        self._load = load
        self._save = save
        self._read_only = read_only

    def _update(self, new: dict) -> None:
        if self._read_only:
            raise ReadOnlyError("attributes of a read-only node cannot be changed")
        try:
            json.dumps(new, allow_nan=True)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"attribute values must be JSON-serializable: {exc}") from None
        self._save(new)

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._update({**self._load(), key: value})

    def __delitem__(self, key: str) -> None:
        current = dict(self._load())
        del current[key]
        self._update(current)

    def update(self, other=(), /, **kw) -> None:  # one store write, not one per key
        new = dict(self._load())
        new.update(other, **kw)
        self._update(new)

    def put(self, attributes: dict) -> None:
        """Replace all attributes at once."""
        self._update(dict(attributes))

    def asdict(self) -> dict:
        return dict(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"Attributes({self._load()!r})"
