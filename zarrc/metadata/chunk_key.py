"""Chunk key encodings: chunk grid coordinates -> store keys (v3 spec "Chunk key encodings").

``default`` (v3): ``"c" + sep + sep.join(coords)``, just ``"c"`` for a 0-d array; separator
``"/"`` unless configured ``"."``. ``v2`` (v2 arrays, and v3 arrays converted from v2):
``sep.join(coords)``, ``"0"`` for a 0-d array; separator ``"."`` unless configured ``"/"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zarrc.metadata._common import describe, metadata_error, split_extension

__all__ = ["ChunkKeyEncoding", "parse_chunk_key_encoding"]

FIELD = "chunk_key_encoding"
_DEFAULT_SEPARATOR = {"default": "/", "v2": "."}


@dataclass(frozen=True)
class ChunkKeyEncoding:
    """How chunk coordinates become store keys (relative to the array's prefix)."""

    name: str = "default"
    separator: str | None = None

    def __post_init__(self) -> None:
        if self.name not in _DEFAULT_SEPARATOR:
            raise ValueError(f"unknown chunk key encoding {self.name!r}")
        if self.separator is None:
            object.__setattr__(self, "separator", _DEFAULT_SEPARATOR[self.name])
        elif self.separator not in ("/", "."):
            raise ValueError(f"chunk key separator must be '/' or '.', got {self.separator!r}")

    def _sep(self) -> str:
        """The separator (``__post_init__`` filled in the encoding's default)."""
        return self.separator or _DEFAULT_SEPARATOR[self.name]

    def encode(self, coords: tuple[int, ...]) -> str:
        """The store key of the chunk at grid index ``coords``."""
        sep = self._sep()
        if self.name == "default":
            return "c" + "".join(sep + str(int(c)) for c in coords)
        return sep.join(str(int(c)) for c in coords) if coords else "0"

    def decode(self, key: str, ndim: int) -> tuple[int, ...] | None:
        """The grid index encoded in ``key``, or ``None`` if ``key`` is no chunk key here."""
        sep = self._sep()
        if self.name == "default":
            if key == "c":
                return () if ndim == 0 else None
            if not key.startswith("c" + sep):
                return None
            parts = key[2:].split(sep)
        else:
            if ndim == 0:
                return () if key == "0" else None
            parts = key.split(sep)
        if len(parts) != ndim or not all(p.isdigit() and p.isascii() for p in parts):
            return None
        return tuple(int(p) for p in parts)

    def to_json(self) -> dict[str, Any]:
        """The v3 ``chunk_key_encoding`` object."""
        return {"name": self.name, "configuration": {"separator": self.separator}}


def parse_chunk_key_encoding(obj: Any, key: str | None) -> ChunkKeyEncoding:
    """Parse the v3 ``chunk_key_encoding`` field (object or short-hand name)."""
    name, config = split_extension(obj, FIELD, key)
    if name not in _DEFAULT_SEPARATOR:
        raise metadata_error(key, FIELD, f"unknown chunk key encoding {name!r}")
    extra = sorted(set(config) - {"separator"})
    if extra:
        raise metadata_error(key, f"{FIELD}.configuration", f"unexpected member(s) {extra}")
    separator = config.get("separator", _DEFAULT_SEPARATOR[name])
    if separator not in ("/", "."):
        raise metadata_error(key, f"{FIELD}.configuration.separator",
                             f"must be '/' or '.', got {describe(separator)}")
    return ChunkKeyEncoding(name, separator)
