"""Small helpers shared by the metadata parsers: error construction and JSON type checks.

Every parser error is a :class:`~zarrc.errors.MetadataError` whose message names the store key
of the document (when there is one) and the offending field, e.g.
``"arr/zarr.json: field 'fill_value': 300 is out of range for uint8"``.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from zarrc.errors import MetadataError

__all__ = [
    "metadata_error",
    "is_int",
    "is_number",
    "require",
    "expect_object",
    "expect_str",
    "parse_attributes",
    "split_extension",
    "describe",
]


def metadata_error(key: str | None, field: str, message: str) -> MetadataError:
    """Return (not raise) a MetadataError naming ``key`` and ``field``."""
    prefix = f"{key}: " if key else ""
    return MetadataError(f"{prefix}field {field!r}: {message}")


def is_int(value: Any) -> TypeGuard[int]:
    """True for a JSON integer: a Python int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> TypeGuard[float]:
    """True for a JSON number: int or float, never bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def require(doc: dict[str, Any], field: str, key: str | None) -> Any:
    """Return ``doc[field]``, raising MetadataError if the field is missing."""
    try:
        return doc[field]
    except KeyError:
        raise metadata_error(key, field, "required field is missing") from None


def expect_object(value: Any, field: str, key: str | None) -> dict[str, Any]:
    """Check that ``value`` is a JSON object (a dict with str keys)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise metadata_error(key, field, f"expected a JSON object, got {describe(value)}")
    return value


def expect_str(value: Any, field: str, key: str | None) -> str:
    """Check that ``value`` is a JSON string."""
    if not isinstance(value, str):
        raise metadata_error(key, field, f"expected a string, got {describe(value)}")
    return value


def parse_attributes(value: Any, field: str, key: str | None) -> dict[str, Any]:
    """Validate user attributes: null means none, otherwise a JSON object."""
    if value is None:
        return {}
    return dict(expect_object(value, field, key))


def split_extension(
    value: Any, field: str, key: str | None, *, allow_must_understand: bool = False
) -> tuple[str, dict[str, Any]]:
    """Split a v3 extension definition into ``(name, configuration)``.

    Accepts the object form ``{"name": ..., "configuration": {...}}`` and the short-hand name
    form ``"name"`` (v3 core spec, "Extension definition").
    """
    if isinstance(value, str):
        return value, {}
    obj = expect_object(value, field, key)
    if "name" not in obj:
        raise metadata_error(key, f"{field}.name", "required member is missing")
    name = expect_str(obj["name"], f"{field}.name", key)
    config = obj.get("configuration")
    config = {} if config is None else expect_object(config, f"{field}.configuration", key)
    allowed = {"name", "configuration"}
    if allow_must_understand:
        allowed.add("must_understand")
    extra = sorted(set(obj) - allowed)
    if extra:
        raise metadata_error(key, field, f"unexpected member(s) {extra} in {name!r}")
    return name, dict(config)


def describe(value: Any) -> str:
    """Name a JSON value's type the way the JSON spec does, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__

