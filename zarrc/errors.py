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
    "StoreError",
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
class StoreError(ZarrcError, OSError):
    """A store failed to serve a request: a permanent failure (403, a write to a missing bucket,
    bad credentials) or a transient one (timeout, connection reset, HTTP 429/5xx) whose retries
    ran out. The message names the store, the key and the cause.

    ``transient`` says whether retrying the same request could succeed; ``store``, ``key`` and
    ``cause`` (also ``__cause__``) are kept for callers that want them.
    """

    def __init__(
        self,
        message: str,
        *,
        store: object = None,
        key: str | None = None,
        cause: BaseException | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.store = store
        self.key = key
        self.cause = cause
        self.transient = transient

    def __reduce__(self):
        # Survive pickling (e.g. across a process pool) with the key and the flag kept; the
        # store object and the cause may not pickle, so only their descriptions go along.
        return _rebuild_store_error, (str(self), self.key, self.transient)


def _rebuild_store_error(message: str, key: str | None, transient: bool) -> StoreError:
    return StoreError(message, key=key, transient=transient)
