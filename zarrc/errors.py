"""The zarrc exception hierarchy (docs/api.md, "Errors"), with zarr-python 3's names in it.

Every error zarrc raises on its own derives from :class:`ZarrcError` and from the builtin a
Python user would already catch, so ``except KeyError`` or ``except ValueError`` keep working.
zarr-python's classes are here under their names, placed so that code written for either
library catches what zarrc raises: ``ArrayNotFoundError`` and ``GroupNotFoundError`` are
``NodeNotFoundError``s, ``MetadataValidationError`` is ``MetadataError``, ``BaseZarrError``
(a ``ValueError``, as in zarr-python) is the base of the not-found, already-exists, metadata,
codec and read-only errors, and the indexing errors are ``IndexError``s. This module imports
nothing of zarrc.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ZarrcError",
    "NodeNotFoundError",
    "ContainsArrayError",
    "ContainsGroupError",
    "MetadataError",
    "CodecError",
    "ChecksumError",
    "CodecConfigError",
    "UnknownCodecConfigError",
    "ReadOnlyError",
    "NotPicklableError",
    "StoreError",
    "BaseZarrError",
    "ArrayNotFoundError",
    "GroupNotFoundError",
    "ContainsArrayAndGroupError",
    "MetadataValidationError",
    "NodeTypeValidationError",
    "UnknownCodecError",
    "DataTypeValidationError",
    "ArrayIndexError",
    "BoundsCheckError",
    "NegativeStepError",
    "VindexInvalidSelectionError",
    "ZarrUserWarning",
    "ZarrDeprecationWarning",
    "ZarrFutureWarning",
    "ZarrRuntimeWarning",
    "UnstableSpecificationWarning",
    "NativeCodecMissingWarning",
]


class ZarrcError(Exception):
    """Base class of every error raised by zarrc itself."""


class BaseZarrError(ZarrcError, ValueError):
    """zarr-python's base error: the zarrc errors that are ``ValueError``s (not found, already
    exists, bad metadata or codec, read-only)."""


class NodeNotFoundError(BaseZarrError, FileNotFoundError, KeyError):
    """No array or group exists at the requested path."""

    # KeyError.__str__ would wrap the message in quotes; keep the plain message.
    __str__ = Exception.__str__


class ContainsArrayError(BaseZarrError, FileExistsError):
    """An array already exists where a node was to be created."""


class ContainsGroupError(BaseZarrError, FileExistsError):
    """A group already exists where a node was to be created."""


class MetadataError(BaseZarrError):
    """Metadata is malformed, unsupported or inconsistent; the message names key and field."""


class CodecError(BaseZarrError):
    """A chunk failed to encode/decode, or a codec is unknown or misconfigured."""


class ChecksumError(CodecError):
    """A stored checksum does not match the data; the message names the chunk key."""


class CodecConfigError(MetadataError, CodecError):
    """Metadata (stored, or asked for by ``create_array``) names an unknown codec or configures
    one badly: bad metadata, and a codec error; the message names the document and the codec."""


class ReadOnlyError(BaseZarrError, PermissionError):
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

    def __reduce__(self) -> tuple[Any, tuple[str, str | None, bool]]:
        # Survive pickling (e.g. across a process pool) with the key and the flag kept; the
        # store object and the cause may not pickle, so only their descriptions go along.
        return _rebuild_store_error, (str(self), self.key, self.transient)


def _rebuild_store_error(message: str, key: str | None, transient: bool) -> StoreError:
    return StoreError(message, key=key, transient=transient)


# -- zarr-python 3's names ---------------------------------------------------------------------

MetadataValidationError = MetadataError


class ArrayNotFoundError(NodeNotFoundError):
    """No array exists at the requested path (there may be a group)."""


class GroupNotFoundError(NodeNotFoundError):
    """No group exists at the requested path (there may be an array)."""


class ContainsArrayAndGroupError(BaseZarrError):
    """Both array and group metadata exist at one path."""


class NodeTypeValidationError(MetadataError):
    """A metadata document's ``node_type`` is not the one expected or not a node type."""


class UnknownCodecError(CodecError):
    """No codec is registered under the requested name."""


class UnknownCodecConfigError(CodecConfigError, UnknownCodecError):
    """Metadata names a codec that is not registered: a :class:`CodecConfigError` and
    zarr-python's :class:`UnknownCodecError`."""


class ArrayIndexError(ZarrcError, IndexError):
    """A selection zarrc cannot apply to the array."""


class BoundsCheckError(ArrayIndexError):
    """An integer index is outside its dimension."""


class NegativeStepError(ArrayIndexError):
    """zarr-python's error for negative slice steps; zarrc supports them and never raises it."""


class VindexInvalidSelectionError(ArrayIndexError):
    """A vectorized (``vindex``) selection that is not coordinate arrays or one mask."""


class ZarrUserWarning(UserWarning):
    """A warning about how zarrc is being used."""


class ZarrDeprecationWarning(DeprecationWarning):
    """A zarr-python behaviour zarrc keeps but that will change."""


class ZarrFutureWarning(FutureWarning):
    """A behaviour that will change in a future version."""


class ZarrRuntimeWarning(RuntimeWarning):
    """Something unexpected happened at run time but the operation went on."""


class UnstableSpecificationWarning(ZarrFutureWarning):
    """A feature whose specification is not final (e.g. v3 consolidated metadata)."""


class NativeCodecMissingWarning(ZarrRuntimeWarning):
    """zarrc was built without a codec's C library, so that codec's chunks take a slower
    Python path; the message names the packages to install (once per codec per process)."""


class DataTypeValidationError(MetadataError):
    """A value is not a data type zarrc stores, or not the one a data type class stands for."""
