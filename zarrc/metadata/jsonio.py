"""Read and write metadata documents as JSON bytes.

Parsing accepts the ``NaN``/``Infinity`` tokens that zarr-python writes into ``.zattrs`` and
``zarr.json`` attributes. Writing matches zarr-python 3.1.6: two-space indent, keys in
insertion order, ASCII only, and non-finite floats in user attributes written as tokens
(fill values are already encoded as strings by :mod:`zarrc.metadata.fill_value`).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from zarrc.metadata._common import metadata_error

__all__ = ["MAX_DEPTH", "nesting_depth", "parse_json", "dump_json"]

MAX_DEPTH = 128
"""How deep a metadata document may nest. Far beyond any real document, and far below what
would exhaust Python's recursion limit in the code that copies and writes documents."""


def nesting_depth(doc: Any) -> int:
    """How many arrays and objects deep ``doc`` nests (0 for a scalar), without recursion."""
    depth, stack = 0, [(doc, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, (list, tuple)):
            continue
        depth = max(depth, level)
        stack.extend((item, level + 1) for item in value)
    return depth


def parse_json(data: bytes | bytearray | memoryview | str, key: str | None) -> dict[str, Any]:
    """Decode one metadata document, which must be a JSON object.

    Parameters
    ----------
    data : bytes-like or str
        The stored document (UTF-8, or any encoding ``json.loads`` detects).
    key : str
        The store key, named in errors.

    Raises
    ------
    MetadataError
        If ``data`` is not valid JSON or not a JSON object.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    too_deep = metadata_error(key, "(document)", f"nested more than {MAX_DEPTH} levels deep")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise metadata_error(key, "(document)", f"invalid JSON: {exc}") from None
    except RecursionError:  # deeper than json's own parser follows
        raise too_deep from None
    if nesting_depth(doc) > MAX_DEPTH:
        raise too_deep
    if not isinstance(doc, dict):
        raise metadata_error(key, "(document)", "expected a JSON object at the top level")
    return doc


def _default(obj: Any) -> Any:
    """Let NumPy scalars and arrays in user attributes serialise as plain JSON."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def dump_json(doc: Any, *, indent: int | None = 2) -> bytes:
    """Encode a metadata document the way zarr-python 3 does (indent 2, ASCII).

    ``indent=None`` gives the single-line form zarr-python uses for ``.zmetadata``.
    """
    text = json.dumps(doc, indent=indent, ensure_ascii=True, allow_nan=True, default=_default)
    return text.encode("ascii")
