"""FsspecStore: a store over any fsspec filesystem (``s3://``, ``gs://``, ``http://``, ...).

fsspec is optional and imported only when a store is made from a URL; without it,
:meth:`FsspecStore.from_url` raises ``ImportError`` saying what to install. Every ``set`` is
atomic: on fsspec's local filesystem (``file://``, also behind ``dir://``) the store writes
files itself, by a temporary file renamed over the key as :class:`~zarrc.storage.LocalStore`
does (fsspec's own local writes go in place); other filesystems get one ``pipe_file``, a
whole-object PUT on object stores, which is atomic there.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from typing import Any

from zarrc.storage.atomic import TEMP_PREFIX, check_key, is_temporary, write_atomic
from zarrc.storage.base import (
    ByteRange,
    LocalFiles,
    Store,
    as_buffer,
    as_bytes,
    normalize_byte_range,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)

__all__ = ["FsspecStore", "fsspec_available"]

_INSTALL_HINT = "pip install fsspec (plus the filesystem's package, e.g. s3fs, gcsfs, aiohttp)"


def fsspec_available() -> bool:
    """Whether fsspec can be imported (without importing it)."""
    return importlib.util.find_spec("fsspec") is not None


def _import_fsspec() -> Any:
    try:
        import fsspec
    except ImportError as exc:
        raise ImportError(
            f"FsspecStore needs fsspec, which is not installed: {_INSTALL_HINT}"
        ) from exc
    return fsspec


_LOCAL_PROTOCOLS = frozenset({"file", "local"})


def is_local_filesystem(fs: Any) -> bool:
    """Whether ``fs`` keeps its files in local directories under their own paths: fsspec's
    ``LocalFileSystem`` or a subclass (whatever its protocol), or any filesystem whose
    protocols include ``"file"`` or ``"local"`` (fsspec's names for the local disk). Wrappers
    over a local filesystem are not (a store sees through ``dir://``, :func:`through_dirs`;
    caching filesystems get ``pipe_file``, which writes in place)."""
    protocol = getattr(fs, "protocol", ())
    protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
    if not _LOCAL_PROTOCOLS.isdisjoint(protocols):
        return True
    try:
        from fsspec.implementations.local import LocalFileSystem
    except ImportError:  # pragma: no cover - a filesystem object implies fsspec
        return False
    return isinstance(fs, LocalFileSystem)


def through_dirs(fs: Any, root: str) -> tuple[Any, str]:
    """``fs`` and ``root``, or, when ``fs`` is a ``dir://`` filesystem (fsspec's
    ``DirFileSystem``: the paths under one directory of another filesystem), the filesystem
    it wraps and the root's path there, through any number of such layers: a store over a
    local directory then writes atomically and reads natively, whichever way it was named."""
    try:
        from fsspec.implementations.dirfs import DirFileSystem
    except ImportError:  # pragma: no cover - a filesystem object implies fsspec
        return fs, root
    while isinstance(fs, DirFileSystem):
        relative = fs._strip_protocol(root).strip("/") if root else ""
        if ".." in relative.split("/"):  # as fsspec's own: the directory is a boundary
            raise ValueError(f"FsspecStore root {root!r} escapes the {fs.path!r} directory of "
                             "its dir:// filesystem")
        base = fs.path.rstrip(fs.fs.sep) if fs.path else ""
        if relative and base:
            root = f"{base}{fs.fs.sep}{relative}"
        else:  # a filesystem rooted at "" joins nothing (as fsspec's own DirFileSystem)
            root = relative or fs.path
        fs = fs.fs
    return fs, root


class FsspecStore(Store):
    """A store over an fsspec filesystem and a root path in it.

    On a local filesystem (:func:`is_local_filesystem`) a write goes to a temporary file in the
    key's directory (created when missing, whatever the filesystem's ``auto_mkdir``), renamed
    over the key's file: readers see the old value or the new one, and a process killed
    mid-write leaves the old value and at most a stray ``.zarrc-tmp-*`` file, which is never
    listed (keys with such a segment are refused). On other filesystems a write is one
    ``pipe_file``: whole-object PUTs on object stores are atomic.

    Parameters
    ----------
    fs
        An ``fsspec.AbstractFileSystem`` instance. A ``dir://`` one (``DirFileSystem``) is
        seen through (:func:`through_dirs`): :attr:`fs` and :attr:`root` are the wrapped
        filesystem's and the path in it.
    root
        The store root inside ``fs`` (protocol optional; ``""`` is the filesystem root).
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError`.
    fsync
        On a local filesystem, flush each written file to disk (``os.fsync``) before renaming
        it into place, as ``LocalStore(fsync=True)``; ignored elsewhere.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True

    def __init__(
        self, fs: Any, root: str = "", *, read_only: bool = False, fsync: bool = False
    ) -> None:
        super().__init__(read_only=read_only)
        fs, root = through_dirs(fs, root)
        self._fs = fs
        self._root = fs._strip_protocol(root).rstrip("/") if root else ""
        self._local = is_local_filesystem(fs)
        self._fsync = bool(fsync)
        # a local filesystem waits on the disk (about the cores), anything else on a network
        self.fetch_concurrency = max(2, os.cpu_count() or 1) if self._local else 64

    @classmethod
    def from_url(
        cls, url: str, *, read_only: bool = False, fsync: bool = False, **storage_options: Any
    ) -> FsspecStore:
        """Make a store from ``url`` (e.g. ``"s3://bucket/data.zarr"``) with fsspec; the
        filesystem's options as keywords or, as zarr-python takes them, in
        ``storage_options={...}``."""
        fsspec = _import_fsspec()
        nested = storage_options.pop("storage_options", None) or {}
        storage_options = {**nested, **storage_options}
        fs, root = fsspec.core.url_to_fs(url, **storage_options)
        return cls(fs, root, read_only=read_only, fsync=fsync)

    @property
    def fs(self) -> Any:
        """The fsspec filesystem."""
        return self._fs

    def local_files(self) -> LocalFiles | None:
        """On fsspec's own local filesystem the values are plain files below the root, written
        by :meth:`set` as ``LocalStore`` writes them (temporary file, rename): the native
        loops may read and, unless read-only, write them directly."""
        try:
            from fsspec.implementations.local import LocalFileSystem
        except ImportError:  # pragma: no cover - a filesystem object implies fsspec
            return None
        if type(self._fs) is not LocalFileSystem or not self._root.startswith("/"):
            return None
        return LocalFiles(self._root, TEMP_PREFIX, self._fsync, not self.read_only)

    @property
    def root(self) -> str:
        """The root path inside the filesystem (no protocol, no trailing ``/``)."""
        return self._root

    @property
    def url(self) -> str:
        """The root as a URL with the filesystem's protocol."""
        url: str = self._fs.unstrip_protocol(self._root)
        return url

    def with_read_only(self, read_only: bool = True) -> FsspecStore:
        """Return a store over the same filesystem and root with the given flag."""
        if read_only == self.read_only:
            return self
        return FsspecStore(self._fs, self._root, read_only=read_only, fsync=self._fsync)

    def _path(self, key: str, *, is_prefix: bool = False) -> str:
        """The filesystem path of a validated key (or prefix); on a local filesystem, keys
        named like temporary files are refused."""
        if not key:
            return self._root
        if self._local and not is_prefix:
            check_key(key)
        return f"{self._root}/{key}" if self._root else key

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        path = self._path(normalize_key(key))
        try:
            if byte_range is None:
                return bytes(self._fs.cat_file(path))
            start, stop = normalize_byte_range(byte_range)
            if stop is None and start is not None:
                # a plain offset or a suffix request: one ranged read, no size lookup
                return bytes(self._fs.cat_file(path, start=start))
            begin, end = resolve_byte_range(byte_range, self._fs.size(path))
            return bytes(self._fs.cat_file(path, start=begin, end=end)) if end > begin else b""
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One ``cat`` of every path (concurrent requests on async filesystems)."""
        keys = [normalize_key(k) for k in keys]
        if len(keys) < 2:
            return [self.get(key) for key in keys]
        paths = [self._path(key) for key in keys]
        found = self._fs.cat(sorted(set(paths)), on_error="return")
        result: list[bytes | None] = []
        for path, key in zip(paths, keys):
            value = found.get(path) if isinstance(found, dict) else None
            if value is None:
                result.append(self.get(key))
            elif isinstance(value, (FileNotFoundError, IsADirectoryError, NotADirectoryError)):
                result.append(None)
            elif isinstance(value, BaseException):
                raise value
            else:
                result.append(bytes(value))
        return result

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        """One ``cat_ranges`` call for every range (concurrent on async filesystems)."""
        path = self._path(normalize_key(key))
        ranges = [(max(0, int(a)), max(0, int(b))) for a, b in ranges]
        if not ranges:
            return [] if self.get(key, (0, 0)) is not None else None
        try:
            found = self._fs.cat_ranges([path] * len(ranges), [a for a, _ in ranges],
                                        [b for _, b in ranges], on_error="return")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        out = []
        for value in found:
            if isinstance(value, (FileNotFoundError, IsADirectoryError, NotADirectoryError)):
                return None
            if isinstance(value, BaseException):
                raise value
            out.append(bytes(value))
        return out

    def exists(self, key: str) -> bool:
        return bool(self._fs.isfile(self._path(normalize_key(key))))

    def _find(self, prefix: str, *, temporary: bool = False) -> list[str]:
        """Full keys of all objects under a normalized prefix; with ``temporary``, also the
        temporary files of writes in flight (or killed) on a local filesystem."""
        base = self._path(prefix, is_prefix=True)
        try:
            paths = self._fs.find(base, withdirs=False)
        except FileNotFoundError:
            return []
        strip = len(self._root) + 1 if self._root else 0
        keys = []
        for path in paths:
            path = self._fs._strip_protocol(path)
            key = path[strip:]
            if prefix and not key.startswith(prefix + "/"):
                continue  # find() on a file returns the file itself
            if self._local and not temporary and any(is_temporary(s) for s in key.split("/")):
                continue  # an in-flight (or a killed) write's temporary file
            keys.append(key)
        return keys

    def list_prefix(self, prefix: str) -> list[str]:
        return sorted(self._find(normalize_prefix(prefix)))

    def list_dir(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        base = self._path(prefix, is_prefix=True)
        try:
            entries = self._fs.ls(base, detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return []
        names = set()
        start = base.rstrip("/") + "/" if base else ""
        for entry in entries:
            entry = self._fs._strip_protocol(entry).rstrip("/")
            if entry.startswith(start) and entry != base:
                names.add(entry[len(start) :].split("/", 1)[0])
        if self._local:
            names = {name for name in names if not is_temporary(name)}
        return sorted(names)

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``: on a local filesystem by a temporary file renamed
        over the key's file (fsspec's ``pipe_file`` there truncates and writes in place, so a
        reader or a crash could see a torn value); elsewhere by one ``pipe_file``."""
        key = normalize_key(key)
        self._check_writable(key)
        if self._local:
            write_atomic(self._path(key), as_buffer(value), fsync=self._fsync)
        else:
            self._fs.pipe_file(self._path(key), as_bytes(value))

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        path = self._path(key)
        try:
            if not self._fs.isfile(path):
                return
            self._fs.rm_file(path)
        except FileNotFoundError:
            return
        self._prune(path.rsplit("/", 1)[0] if "/" in path else "")

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        # and debris of killed writes, as LocalStore's removal of the directory does
        paths = [self._path(key, is_prefix=True) for key in self._find(prefix, temporary=True)]
        if paths:
            try:
                self._fs.rm(paths)
            except FileNotFoundError:
                pass
        if self._local:
            base = self._path(prefix, is_prefix=True)
            try:
                found = self._fs.find(base, withdirs=True, detail=True)
            except FileNotFoundError:
                found = {}
            folders = [p for p, info in found.items() if info.get("type") == "directory"]
            for folder in sorted(folders, key=len, reverse=True):
                self._rmdir_quietly(folder)
            if prefix:
                self._rmdir_quietly(base)
                self._prune(base.rsplit("/", 1)[0] if "/" in base else "")

    def _rmdir_quietly(self, path: str) -> bool:
        try:
            self._fs.rmdir(path)
        except OSError:  # not empty, or gone
            return False
        return True

    def _prune(self, directory: str) -> None:
        """On a local filesystem (real directories that outlive their files), remove emptied
        parents up to (not including) root."""
        if not self._local:
            return
        while directory and directory != self._root and directory.startswith(self._root):
            if not self._rmdir_quietly(directory):
                return
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FsspecStore)
            and other._fs == self._fs
            and other._root == self._root
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((FsspecStore, self._root, self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"FsspecStore({self.url!r}{mode})"

    def __str__(self) -> str:
        return self.url
