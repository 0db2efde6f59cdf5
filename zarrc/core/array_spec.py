"""``ArrayConfig``: an array handle's runtime settings (zarr-python's ``zarr.core.array_spec``).

Not stored: ``order`` is the memory order of what reads return (for v2 arrays the stored
order), ``write_empty_chunks`` whether chunks equal to the fill value are stored. Unset
values come from ``zarrc.config`` (``array.order``, ``array.write_empty_chunks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zarrc import config as _config

__all__ = ["ArrayConfig", "parse_array_config"]


@dataclass(frozen=True)
class ArrayConfig:
    """``ArrayConfig(order='C', write_empty_chunks=False)``."""

    order: str = "C"
    write_empty_chunks: bool = False

    def __post_init__(self) -> None:
        if self.order not in ("C", "F"):
            raise ValueError(f"ArrayConfig: order must be 'C' or 'F', got {self.order!r}")
        if not isinstance(self.write_empty_chunks, bool):
            raise ValueError(f"ArrayConfig: write_empty_chunks must be a bool, got "
                             f"{self.write_empty_chunks!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArrayConfig:
        """Settings from a dict; missing ones from ``zarrc.config``."""
        unknown = set(data) - {"order", "write_empty_chunks"}
        if unknown:
            raise ValueError(f"ArrayConfig: unknown setting(s) {sorted(unknown)}; known: "
                             "order, write_empty_chunks")
        return cls(order=data.get("order", _config.get("array.order", "C")),
                   write_empty_chunks=data.get("write_empty_chunks",
                                               _config.get("array.write_empty_chunks", False)))

    def to_dict(self) -> dict[str, Any]:
        return {"order": self.order, "write_empty_chunks": self.write_empty_chunks}


def parse_array_config(data: Any) -> ArrayConfig:
    """An ArrayConfig from None (the global defaults), a dict or an ArrayConfig."""
    if data is None:
        return ArrayConfig.from_dict({})
    if isinstance(data, ArrayConfig):
        return data
    if isinstance(data, dict):
        return ArrayConfig.from_dict(data)
    raise TypeError(f"config must be a dict or an ArrayConfig, got {type(data).__name__}")
