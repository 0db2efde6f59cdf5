"""``node.attrs``: a mutable mapping whose every change is persisted at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from zarrc.errors import ReadOnlyError
from zarrc.metadata.jsonio import MAX_DEPTH, nesting_depth

__all__ = ["Attributes"]

_MAX_ATTRIBUTE_DEPTH = MAX_DEPTH - 4

Change = Callable[[dict[str, Any]], dict[str, Any]]
"""A change to the attributes: the stored ones in, the new ones out."""


class Attributes(MutableMapping[str, Any]):
    """The attributes of one array or group.

    Reads come from the node's metadata as loaded. Each change is applied by ``update`` to the
    attributes *as stored*, re-read under the node's lock, and the whole attribute document
    (``.zattrs`` in v2, ``zarr.json`` in v3) is written in one atomic store ``set``: changes
    made through other handles or processes in the meantime are kept. Values must be
    JSON-serializable; a value that is not raises ``TypeError`` before anything is stored.
    """

    def __init__(self, load: Callable[[], dict[str, Any]], update: Callable[[Change], None],
                 read_only: bool) -> None:
        self._load = load
        self._update_stored = update
        self._read_only = read_only

    def _change(self, change: Change) -> None:
        if self._read_only:
            raise ReadOnlyError("attributes of a read-only node cannot be changed")

        def checked(current: dict[str, Any]) -> dict[str, Any]:
            new = change(current)
            # Consolidated metadata holds them four levels down in its document.
            if nesting_depth(new) > _MAX_ATTRIBUTE_DEPTH:
                raise ValueError(f"attributes nest too deep: at most {_MAX_ATTRIBUTE_DEPTH} "
                                 "levels of dicts and lists, so every document can hold them")
            try:
                json.dumps(new, allow_nan=True)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"attribute values must be JSON-serializable: {exc}") from None
            return new

        self._update_stored(checked)

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._change(lambda current: {**current, key: value})

    def __delitem__(self, key: str) -> None:
        def without(current: dict[str, Any]) -> dict[str, Any]:
            del current[key]  # KeyError if no longer stored: nothing is written
            return current

        self._change(without)

    def update(self, other: Any = (), /, **kw: Any) -> None:  # one store write, not one per key
        changes = dict(other, **kw)
        self._change(lambda current: {**current, **changes})

    def put(self, attributes: dict[str, Any]) -> None:
        """Replace all attributes at once."""
        new = dict(attributes)
        self._change(lambda current: new)

    def asdict(self) -> dict[str, Any]:
        return dict(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"Attributes({self._load()!r})"
