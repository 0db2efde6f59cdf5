"""The :class:`Store` contract (SPEC.md, the Store method table) and the helpers every store shares.

A store maps ``/``-separated string keys, relative to its root, to bytes. Key validation, byte-range
resolution and value conversion live here, in one place, so that every store applies the same
rules before it touches storage. This module imports only :mod:`zarrc.errors` and the standard
library.
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from zarrc.errors import ReadOnlyError, StoreError
from zarrc.storage import batch

__all__ = [
    "ByteRange",
    "FileRange",
    "LocalFiles",
    "ReadOnlyView",
    "Store",
    "as_buffer",
    "as_bytes",
    "normalize_byte_range",
    "normalize_key",
    "normalize_prefix",
    "resolve_byte_range",
    "validate_key",
]

ByteRange = tuple[int | None, int | None]
"""``(start, stop)`` as in ``value[start:stop]``: ``stop=None`` is the end, negatives count back."""


# --------------------------------------------------------------------------------------- keys


def _check_segments(text: str, what: str, original: str) -> None:
    """Reject every form of key that could name something outside the store root."""
    if "\x00" in text:
        raise ValueError(f"invalid store {what} {original!r}: contains a NUL byte")
    if "\\" in text:
        raise ValueError(f"invalid store {what} {original!r}: contains a backslash")
    if text.startswith("/"):
        raise ValueError(f"invalid store {what} {original!r}: must be relative (no leading '/')")
    segments = text.split("/")
    first = segments[0]
    if len(first) >= 2 and first[1] == ":" and first[0].isalpha():
        raise ValueError(f"invalid store {what} {original!r}: looks like a drive path")
    for segment in segments:
        if segment == "":
            raise ValueError(f"invalid store {what} {original!r}: empty path segment")
        if segment in (".", ".."):
            raise ValueError(f"invalid store {what} {original!r}: '{segment}' segment")


def normalize_key(key: str) -> str:
    """Validate a store key and return it.

    A key is a non-empty ``/``-separated relative path: no leading ``/``, drive letter,
    backslash, NUL byte, empty segment (``a//b``, trailing ``/``) or ``.``/``..`` segment.

    Raises
    ------
    TypeError
        If ``key`` is not a ``str``.
    ValueError
        If ``key`` is not a valid key; the message names the key.
    """
    if not isinstance(key, str):
        raise TypeError(f"store keys are str, got {type(key).__name__}: {key!r}")
    if key == "":
        raise ValueError("invalid store key '': keys must not be empty")
    _check_segments(key, "key", key)
    return key


validate_key = normalize_key
"""Alias of :func:`normalize_key` for callers that only want the check."""


def normalize_prefix(prefix: str) -> str:
    """Validate a listing prefix and return it without trailing ``/``.

    ``''`` (and ``'/'``-free forms such as ``'a/b'`` or ``'a/b/'``) are accepted; ``''`` means the
    whole store. Otherwise the rules of :func:`normalize_key` apply.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"store prefixes are str, got {type(prefix).__name__}: {prefix!r}")
    stripped = prefix[:-1] if prefix.endswith("/") else prefix
    if stripped == "":
        if prefix == "/":
            raise ValueError("invalid store prefix '/': must be relative (use '' for the root)")
        return ""
    _check_segments(stripped, "prefix", prefix)
    return stripped


# --------------------------------------------------------------------------------- byte ranges


def normalize_byte_range(byte_range: ByteRange) -> tuple[int | None, int | None]:
    """Check that ``byte_range`` is a ``(start, stop)`` pair of ints or ``None`` and return it."""
    try:
        start, stop = byte_range
    except (TypeError, ValueError):
        raise TypeError(f"byte_range must be a (start, stop) pair, got {byte_range!r}") from None
    for bound in (start, stop):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise TypeError(f"byte_range bounds must be int or None, got {byte_range!r}")
    return start, stop


def resolve_byte_range(byte_range: ByteRange | None, size: int) -> tuple[int, int]:
    """Return the absolute ``(start, stop)`` that ``value[start:stop]`` covers for a value of ``size``.

    The range clips like Python slicing: negative numbers count from the end, out-of-range
    bounds clip, and ``stop <= start`` gives an empty range (``stop == start``).
    """
    if byte_range is None:
        return 0, size
    start, stop = normalize_byte_range(byte_range)
    begin, end, _ = slice(start, stop).indices(size)
    return begin, max(begin, end)


# ---------------------------------------------------------------------------------- values


def as_buffer(value: Any) -> memoryview:
    """Return a flat unsigned-byte view of ``value`` without copying.

    Accepts ``bytes``, ``bytearray``, ``memoryview`` and anything with the buffer protocol that
    is C-contiguous (NumPy arrays included). ``str`` and non-contiguous buffers are refused
    because their bytes would be ambiguous.
    """
    if isinstance(value, str):
        raise TypeError("store values are bytes-like, got str (encode it first)")
    try:
        view = memoryview(value)
    except TypeError:
        to_bytes = getattr(value, "to_bytes", None)  # a zarr-python Buffer
        if not callable(to_bytes) or isinstance(value, int):
            raise TypeError(f"store values are bytes-like, got {type(value).__name__}") from None
        view = memoryview(to_bytes())
    if not view.c_contiguous:
        raise ValueError("store values must be C-contiguous buffers")
    if view.format == "B" and view.ndim == 1:
        return view
    try:
        return view.cast("B")
    except (TypeError, ValueError):
        # 0-d views and non-native formats (e.g. big-endian or structured dtypes) cannot be
        # cast; their C-order bytes are still well defined, at the cost of one copy.
        return memoryview(view.tobytes())


def as_bytes(value: Any) -> bytes:
    """Return ``value`` (see :func:`as_buffer`) as an immutable ``bytes`` object."""
    if type(value) is bytes:
        return value
    return as_buffer(value).tobytes()


# ---------------------------------------------------------------------------- capabilities


@dataclass(frozen=True)
class LocalFiles:
    """A store whose values are plain local files, described as data for native I/O loops.

    Key ``k`` is the file ``root + "/" + k``; a missing file (or a directory) is an absent key.
    Writing a key, when ``writable``, is the store's own protocol: a fresh file named
    ``temp_prefix`` plus 16 hex digits in the key's directory (created, with its parents, when
    missing), flushed with ``fsync`` when ``fsync`` is true, then renamed over the key's file.
    A loop that follows this writes exactly what :meth:`Store.set` would.
    """

    root: str
    temp_prefix: str
    fsync: bool
    writable: bool


@dataclass(frozen=True)
class FileRange:
    """Where a value lies: bytes ``[offset, offset + size)`` of the plain local file ``path``
    (an uncompressed entry of an archive, a record of a pack file). A native loop may read it
    there itself, as it reads a :class:`LocalFiles` store's files (:meth:`Store.file_ranges`).
    ``crc32``: the value's CRC-32 when the store keeps one (a zip entry's), which a reader of
    the whole value checks as the store would."""

    path: str
    offset: int
    size: int
    crc32: int | None = None


_fetch_lock = threading.Lock()
_fetch_pool: ThreadPoolExecutor | None = None
_FETCH_THREADS = 256  # the shared pool's size at least; threads are made only when needed


def _fetch_threads(workers: int) -> ThreadPoolExecutor:
    """The shared thread pool of the default :meth:`Store.get_many`: large (calls in flight
    together each keep their own number running), made again larger when one call asks for
    more than it has (the old one finishes its work). It starts threads only as work needs
    them, so its size costs nothing."""
    global _fetch_pool
    with _fetch_lock:
        if _fetch_pool is None or _fetch_pool._max_workers < workers:
            old = _fetch_pool
            _fetch_pool = ThreadPoolExecutor(max_workers=max(workers, _FETCH_THREADS),
                                             thread_name_prefix="zarrc-get")
            if old is not None:
                old.shutdown(wait=False)
        return _fetch_pool


def _map_bounded(fn: Callable[[Any], Any], items: list[Any], limit: int) -> list[Any]:
    """``[fn(item) for item in items]`` on the shared pool, at most ``limit`` running at once
    for this call (other calls share the pool: several calls in flight together each keep
    their own number running). The first failure cancels what has not started and is raised."""
    pool = _fetch_threads(limit)
    out: list[Any] = [None] * len(items)
    todo = iter(enumerate(items))
    running: dict[Future[Any], int] = {}

    def start() -> None:
        for i, item in todo:
            running[pool.submit(fn, item)] = i
            return

    for _ in range(limit):
        start()
    try:
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                out[running.pop(future)] = future.result()
                start()
    finally:
        for future in running:
            future.cancel()
    return out


# ---------------------------------------------------------------------------------- the ABC


class Store(abc.ABC):
    """Keys to bytes, with byte ranges and listing (SPEC.md, "Plug-ins").

    Keys are ``/``-separated and relative to the store root (see :func:`normalize_key`).
    :meth:`get` returns ``bytes`` (never a mutable buffer), or ``None`` for an absent key.
    Writes through a read-only store raise :class:`~zarrc.errors.ReadOnlyError`.

    Listing uses path semantics: prefix ``'a'`` (or ``'a/'``) covers ``'a/b'`` and
    ``'a/b/c'`` but not ``'ab'``; prefix ``''`` covers the whole store.

    Capability flags describe the store class; :attr:`read_only` describes the instance.

    Writing a backend (a plug-in; see ``docs/stores.md``): implement :meth:`get` (with byte
    ranges: ``None`` for an absent key), :meth:`exists`, :meth:`list_prefix`, :meth:`list_dir`,
    :meth:`set` (atomic for readers) and :meth:`delete`, validating keys and prefixes with
    :func:`normalize_key` / :func:`normalize_prefix` and refusing writes with
    ``self._check_writable(key)``. Everything else has a working default that a backend may
    override for speed: ``get_many`` (many keys in flight or one batched request),
    ``get_ranges`` (several byte ranges of one key, coalesced), :meth:`get_many_buffers` and
    :meth:`get_ranges_buffers` (the same values in buffers shared with the client library, no
    copy), ``get_many_batches``, ``fetch_concurrency`` (requests
    worth keeping in flight), :meth:`delete_prefix` (one bulk delete), :meth:`list_dir` (a
    listing with a delimiter instead of a full listing), :meth:`lock` (a lock other processes
    see) and the optional conditional writes below. A backend that can fail transiently (a
    network) retries with :class:`zarrc.storage.RetryPolicy` or is wrapped in
    :class:`zarrc.storage.RetryingStore`; its permanent failures are
    :class:`zarrc.errors.StoreError`.
    """

    supports_partial_reads: bool = True
    """``get(key, byte_range)`` reads only the range (otherwise it reads and slices)."""
    supports_listing: bool = True
    """``list_prefix`` / ``list_dir`` work."""
    supports_writes: bool = True
    """The class can write (a given instance may still be read-only)."""
    fetch_concurrency: int = 8
    """Requests worth keeping in flight at once: about the core count for a local disk,
    32-128 for an object store, a database's connection pool. The engine fetches this many
    keys (or byte ranges) per batch, separately from its decode threads (``zarrc.config``
    ``threads``); the default :meth:`get_many` keeps that many :meth:`get` calls running."""
    get_many_batches: bool = True
    """A :meth:`get_many` of many keys costs less than as many calls of one key (one request,
    query or transaction serves them all), so the engine asks for a read's keys in batches.
    A store whose every key is a request of its own says False (:class:`ObjectStore`): the
    engine then asks for one key per call, each from a fetch thread of its own, and the value
    comes back to the thread that waits for it without a hop through the store's own
    machinery for keeping many requests in flight."""
    _read_only: bool = False  # a subclass that skips __init__ is read-write

    def __init__(self, *, read_only: bool = False) -> None:
        self._read_only = bool(read_only)

    # -- state ------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Whether writes through this store raise :class:`~zarrc.errors.ReadOnlyError`."""
        return self._read_only

    def _check_writable(self, key: str) -> None:
        """Raise :class:`ReadOnlyError` naming ``key`` if this store is read-only."""
        if self._read_only:
            raise ReadOnlyError(f"cannot write {key!r}: {self!r} is read-only")

    def with_read_only(self, read_only: bool = True) -> Store:
        """Return a store over the same data with the given ``read_only`` flag.

        The base class returns ``self`` when the flag already matches and otherwise wraps
        ``self`` in a :class:`ReadOnlyView`; stores override it to return their own class.
        """
        if read_only == self.read_only:
            return self
        if read_only:
            return ReadOnlyView(self)
        raise ValueError(f"{self!r} cannot be reopened writable; open it again instead")

    def close(self) -> None:
        """Release resources; the base class has none. Closing twice is harmless."""
        return None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reads ------------------------------------------------------------------------------

    @abc.abstractmethod
    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        """Return the value of ``key`` (or ``value[start:stop]``), or ``None`` if it is absent."""

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """The values of ``keys``, in order, ``None`` for an absent key.

        The default runs up to :attr:`fetch_concurrency` :meth:`get` calls at once (threads
        of a shared pool); stores with batched requests override it.
        """
        keys = list(keys)
        workers = min(int(self.fetch_concurrency), len(keys))
        if workers <= 1:
            return [self.get(key) for key in keys]
        return _map_bounded(self.get, keys, workers)

    def get_many_buffers(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        """:meth:`get_many`'s values, each as ``bytes`` or a read-only ``memoryview``.

        For readers that only look at the bytes (the engine's decoders): a store whose client
        library hands over its own buffers (obstore's) returns views of them here instead of
        copying each value into ``bytes``, which for large chunks costs page faults and a copy
        under the GIL. The default returns :meth:`get_many` (so a wrapper that adds faults,
        retries or a cache to ``get_many`` adds them here too); override it only where the
        values come without a copy.
        """
        return list(batch.many_values(keys, self.get_many(keys)))

    def get_ranges_buffers(self, key: str,
                           ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview] | None:
        """:meth:`get_ranges`'s values, each as ``bytes`` or a read-only ``memoryview`` (see
        :meth:`get_many_buffers`); the default returns :meth:`get_ranges`."""
        found = self.get_ranges(key, ranges)
        return None if found is None else list(found)

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        """The bytes of each absolute ``[start, stop)`` range of ``key``'s value, in order, or
        ``None`` if ``key`` is absent. A range past the end gives what there is (shorter).

        The default makes one :meth:`get` per range; stores that can read several ranges
        per request (one open file, a multi-range request) override it.
        """
        out: list[bytes] = []
        for start, stop in ranges:
            data = self.get(key, (int(start), int(stop)))
            if data is None:
                return None
            out.append(data)
        return out

    def local_files(self) -> LocalFiles | None:
        """The store's values as plain local files (:class:`LocalFiles`), so native loops may
        read and write them directly; ``None`` (the default) when they are not."""
        return None

    def file_ranges(self, keys: Sequence[str]) -> list[FileRange | bytes | None] | None:
        """Where the values of ``keys`` lie in local files, so native loops may read them
        there into buffers of their own (a generalization of :meth:`local_files` to values
        that are ranges of a file, e.g. uncompressed entries of a zip archive).

        Per key, in order: a :class:`FileRange` (the file holds the value's bytes as they
        are, and keeps them while the store is open and the key unchanged), the value itself
        (``bytes``: the store keeps it in another form, e.g. compressed), or ``None`` (absent).
        ``None`` for the whole answer (the default) means the store keeps no values in local
        files; a store that can answer returns a list for any keys, also for none (so
        ``file_ranges(()) is not None`` says whether it can). Reads through these ranges
        bypass the store; a reader of a whole value checks its ``crc32`` when given.
        """
        return None

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether ``key`` holds a value."""

    @abc.abstractmethod
    def list_prefix(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (full keys, sorted); ``''`` lists the whole store."""

    @abc.abstractmethod
    def list_dir(self, prefix: str) -> list[str]:
        """The sorted, distinct names directly under ``prefix``: keys and "folders"."""

    # -- writes -----------------------------------------------------------------------------

    @abc.abstractmethod
    def set(self, key: str, value: Any) -> None:
        """Store ``value`` (bytes-like) under ``key`` atomically: readers see old or new."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; an absent key is not an error."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every key under ``prefix`` (``''``: everything); used when overwriting."""
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        for key in self.list_prefix(prefix):
            self.delete(key)

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        """A lock on ``key`` shared with other processes using the same store, for
        read-modify-write. The base class has none (threads of one process are serialized by
        the engine); stores that other processes can reach override it. A metadata document's
        lock may be held while chunk locks are taken (never the reverse): a chunk key must
        never have to wait for a document key's lock held by the same writer."""
        return contextlib.nullcontext()

    # -- optional: conditional writes (issue 15) --------------------------------------------
    # Stores that can compare-and-swap one key (S3 If-Match/If-None-Match, GCS generations,
    # Azure ETags, a database transaction) set the flag and implement both methods; zarrc's
    # read-modify-write of a partial chunk then retries on conflict instead of taking a lock
    # (zarrc.engine.update), so writers in several processes lose nothing without a lock.

    supports_conditional_writes: bool = False
    """:meth:`get_versioned` and :meth:`set_if` work."""

    def get_versioned(self, key: str) -> tuple[bytes | None, str | None]:
        """``(value, version)`` of ``key`` read at one moment; ``(None, None)`` if absent.

        ``version`` is an opaque token (an ETag, a generation, a content hash) that changes
        whenever the value does; only :meth:`set_if` interprets it.
        """
        raise StoreError(f"{self!r} has no conditional writes (get_versioned of {key!r})")

    def set_if(self, key: str, value: Any, *, version: str | None) -> bool:
        """Store ``value`` under ``key`` only if its current version is ``version`` (``None``:
        only if ``key`` is absent), atomically; return whether it was stored."""
        raise StoreError(f"{self!r} has no conditional writes (set_if of {key!r})")


class KeySnapshotStore(Store):
    """A store that can list all its keys at once (in memory, a zip index): listing is
    derived from that snapshot, so it is safe against concurrent writes."""

    @abc.abstractmethod
    def _all_keys(self) -> list[str]:
        """Every key, as a list taken at one moment."""

    def _keys_under(self, prefix: str) -> list[str]:
        """A snapshot of the keys under a normalized prefix."""
        keys = self._all_keys()
        if prefix == "":
            return keys
        start = prefix + "/"
        return [key for key in keys if key.startswith(start)]

    def list_prefix(self, prefix: str) -> list[str]:
        return sorted(self._keys_under(normalize_prefix(prefix)))

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        skip = len(prefix) + 1 if prefix else 0
        return sorted({key[skip:].split("/", 1)[0] for key in self._keys_under(prefix)})


class ReadOnlyView(Store):
    """A read-only view of another store: reads pass through, writes raise ReadOnlyError.

    :meth:`Store.with_read_only` returns one for stores that have no read-only mode of their
    own. Closing the view leaves the wrapped store open.
    """

    def __init__(self, store: Store) -> None:
        super().__init__(read_only=True)
        self._store = store
        self.supports_partial_reads = store.supports_partial_reads
        self.supports_listing = store.supports_listing
        self.fetch_concurrency = store.fetch_concurrency
        self.get_many_batches = store.get_many_batches

    @property
    def wrapped(self) -> Store:
        """The store this view reads from."""
        return self._store

    def with_read_only(self, read_only: bool = True) -> Store:
        """Return ``self``, or the wrapped store when ``read_only`` is false."""
        return self if read_only else self._store

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        return self._store.get(normalize_key(key), byte_range)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return self._store.get_many([normalize_key(k) for k in keys])

    def get_many_buffers(self, keys: Sequence[str]) -> list[bytes | memoryview | None]:
        return self._store.get_many_buffers([normalize_key(k) for k in keys])

    def get_ranges_buffers(self, key: str,
                           ranges: Sequence[tuple[int, int]]) -> list[bytes | memoryview] | None:
        return self._store.get_ranges_buffers(normalize_key(key), ranges)

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        return self._store.get_ranges(normalize_key(key), ranges)

    def local_files(self) -> LocalFiles | None:
        found = self._store.local_files()
        return None if found is None else LocalFiles(found.root, found.temp_prefix,
                                                     found.fsync, False)

    def file_ranges(self, keys: Sequence[str]) -> list[FileRange | bytes | None] | None:
        return self._store.file_ranges([normalize_key(k) for k in keys])

    def exists(self, key: str) -> bool:
        return self._store.exists(normalize_key(key))

    def list_prefix(self, prefix: str) -> list[str]:
        return self._store.list_prefix(normalize_prefix(prefix))

    def list_dir(self, prefix: str) -> list[str]:
        return self._store.list_dir(normalize_prefix(prefix))

    def set(self, key: str, value: Any) -> None:
        self._check_writable(normalize_key(key))

    def delete(self, key: str) -> None:
        self._check_writable(normalize_key(key))

    def delete_prefix(self, prefix: str) -> None:
        self._check_writable(normalize_prefix(prefix))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReadOnlyView) and self._store == other._store

    def __hash__(self) -> int:
        return hash((ReadOnlyView, self._store))

    def __repr__(self) -> str:
        return f"ReadOnlyView({self._store!r})"

    def __str__(self) -> str:
        return str(self._store)
