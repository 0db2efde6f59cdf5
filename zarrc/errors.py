"""The zarrc exception hierarchy (SPEC.md, "Errors").

Every error zarrc raises on its own derives from :class:`ZarrcError` and from the builtin a
Python user would already catch, so ``except KeyError`` or ``except ValueError`` keep working.
This module imports nothing of zarrc.
"""

from __future__ import annotations

__all__ = [
    "ZarrcError",
    "NodeNotFoundError",
    "ContainsArrayError",
    "ContainsGroupError",
    "MetadataError",
    "CodecError",
    "ChecksumError",
    "ReadOnlyError",
    "NotPicklableError",
]


class ZarrcError(Exception):
    """Base class of every error raised by zarrc itself."""


class NodeNotFoundError(ZarrcError, FileNotFoundError, KeyError):
    """No array or group exists at the requested path."""

    # KeyError.__str__ would wrap the message in quotes; keep the plain message.
    __str__ = Exception.__str__


class ContainsArrayError(ZarrcError, FileExistsError):
    """An array already exists where a node was to be created."""


class ContainsGroupError(ZarrcError, FileExistsError):
    """A group already exists where a node was to be created."""


class MetadataError(ZarrcError, ValueError):
    """Metadata is malformed, unsupported or inconsistent; the message names key and field."""


class CodecError(ZarrcError, ValueError):
    """A chunk failed to encode/decode, or a codec is unknown or misconfigured."""


class ChecksumError(CodecError):
    """A stored checksum does not match the data; the message names the chunk key."""


class ReadOnlyError(ZarrcError, PermissionError):
    """A write was attempted through a read-only array, group or store."""


class NotPicklableError(ZarrcError, TypeError):
    """An object holds state that cannot travel to another process by pickle (for example a
    zip archive open for writing); the message says what to do instead."""
