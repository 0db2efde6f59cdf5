"""LocalStore: a directory of files, one file per key.

Key ``"a/b/c"`` is the file ``<root>/a/b/c``. Every :meth:`~LocalStore.set` writes a temporary
file in the destination directory and renames it over the key with :func:`os.replace`, so a reader
sees the old value or the new one and a failed write leaves the old value and no debris.
:meth:`~LocalStore.delete` removes directories that become empty, up to (not including) the root,
so that listings show no empty "folders" (zarr-python leaves them; both are valid).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from zarrc.storage import lockfile
from zarrc.storage.atomic import TEMP_PREFIX, check_key, is_temporary, write_atomic
from zarrc.storage.base import (
    ByteRange,
    LocalFiles,
    Store,
    as_buffer,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)

__all__ = ["LocalStore", "TEMP_PREFIX"]



class LocalStore(Store):
    """A store over a local directory.

    Parameters
    ----------
    root
        The directory. It is resolved once (``os.path.realpath``), so a symlinked root is fine.
        It need not exist yet: directories are created on the first write.
    read_only
        Refuse writes with :class:`~zarrc.errors.ReadOnlyError`.
    fsync
        Flush each written file to disk (``os.fsync``) before renaming it into place. Slower;
        protects against power loss, not just against crashes of the process.
    confine_symlinks
        Also resolve symlinks inside the root on every access and refuse keys that resolve
        outside it. By default keys are confined lexically (no ``..``, no absolute paths) and
        symlinks placed inside the store are trusted like the root itself.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True
    fetch_concurrency = max(2, os.cpu_count() or 1)

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        read_only: bool = False,
        fsync: bool = False,
        confine_symlinks: bool = False,
    ) -> None:
        super().__init__(read_only=read_only)
        self._root = os.path.realpath(os.fspath(root))
        self._display_root = os.fspath(root).replace(os.sep, "/")  # str(): as given
        self._root_sep = self._root.rstrip(os.sep) + os.sep
        if os.path.exists(self._root) and not os.path.isdir(self._root):
            raise NotADirectoryError(f"LocalStore root {self._root!r} is not a directory")
        self._fsync = bool(fsync)
        self._confine_symlinks = bool(confine_symlinks)

    @property
    def root(self) -> str:
        """The resolved absolute path of the store directory."""
        return self._root

    def with_read_only(self, read_only: bool = True) -> LocalStore:
        """Return a store over the same directory with the given ``read_only`` flag."""
        if read_only == self.read_only:
            return self
        store = LocalStore(
            self._root,
            read_only=read_only,
            fsync=self._fsync,
            confine_symlinks=self._confine_symlinks,
        )
        store._display_root = self._display_root
        return store

    # -- paths ------------------------------------------------------------------------------

    def _path(self, key: str, *, is_prefix: bool = False) -> str:
        """The file path of a validated key (or prefix), checked to stay inside the root."""
        if key == "":
            return self._root
        if not is_prefix:
            check_key(key)
        path = self._root_sep + (key if os.sep == "/" else key.replace("/", os.sep))
        # Defence in depth: validation already rules out '..' and absolute segments.
        if not os.path.normpath(path).startswith(self._root_sep):
            raise ValueError(f"invalid store key {key!r}: resolves outside {self._root!r}")
        if self._confine_symlinks:
            real = os.path.realpath(path)
            if real != self._root and os.path.commonpath([self._root, real]) != self._root:
                raise ValueError(
                    f"invalid store key {key!r}: a symlink leads outside {self._root!r}"
                )
        return path

    # -- locking ----------------------------------------------------------------------------

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        """An exclusive ``flock`` on ``key`` shared by this user's processes on this machine.

        The lock files are outside the store, so it holds only data: in a directory of the
        temporary directory that only this user can enter, opened so that no planted link
        is followed (:mod:`zarrc.storage.lockfile`). Where ``fcntl`` is missing (Windows)
        this is a no-op and only threads of one process are serialized (by the engine).
        """
        return lockfile.hold(self._path(normalize_key(key)))

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        path = self._path(normalize_key(key))
        try:
            with open(path, "rb", buffering=0) as f:
                if byte_range is None:
                    return f.readall()
                size = os.fstat(f.fileno()).st_size
                start, stop = resolve_byte_range(byte_range, size)
                if stop == start:
                    return b""
                f.seek(start)
                return f.read(stop - start)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        """One open file, one ``pread`` per range (clipped to the file's end)."""
        path = self._path(normalize_key(key))
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        try:
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                return None
            size = os.fstat(fd).st_size
            out = []
            for start, stop in ranges:
                begin, end = max(0, int(start)), min(int(stop), size)
                out.append(_pread_all(fd, end - begin, begin) if end > begin else b"")
            return out
        finally:
            os.close(fd)

    def local_files(self) -> LocalFiles | None:
        """The directory and write protocol of :meth:`set`, for native loops; ``None`` when
        keys are confined by resolving symlinks on every access (only Python does that) or
        the platform's paths do not use ``/``."""
        if self._confine_symlinks or os.sep != "/":
            return None
        return LocalFiles(self._root, TEMP_PREFIX, self._fsync, not self.read_only)

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(normalize_key(key)))

    def getsize(self, key: str) -> int:
        """The size in bytes of the value of ``key`` (0 if absent), from one ``stat``."""
        try:
            return os.path.getsize(self._path(normalize_key(key)))
        except FileNotFoundError:
            return 0

    def _iter_files(self, directory: str, rel: str, seen: set[tuple[int, int]]) -> Iterator[str]:
        """Yield the keys of all files under ``directory`` (key prefix ``rel``), depth first.

        Directory symlinks are followed like the rest of the store; ``seen`` holds the
        (device, inode) of the directories on the current path so a symlink loop ends.
        """
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = entry.name
            if is_temporary(name) or "\\" in name:
                continue
            key = f"{rel}/{name}" if rel else name
            try:
                if entry.is_dir():
                    st = entry.stat()
                    ident = (st.st_dev, st.st_ino)
                    if ident in seen:
                        continue
                    seen.add(ident)
                    yield from self._iter_files(entry.path, key, seen)
                    seen.discard(ident)
                elif entry.is_file():
                    yield key
            except FileNotFoundError:  # removed while we were walking
                continue

    def list_prefix(self, prefix: str) -> list[str]:
        prefix = normalize_prefix(prefix)
        directory = self._path(prefix, is_prefix=True)
        try:
            st = os.stat(directory)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(self._iter_files(directory, prefix, {(st.st_dev, st.st_ino)}))

    def list_dir(self, prefix: str) -> list[str]:
        directory = self._path(normalize_prefix(prefix), is_prefix=True)
        try:
            names = [entry.name for entry in os.scandir(directory)]
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(n for n in names if not is_temporary(n) and "\\" not in n)

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        write_atomic(self._path(key), as_buffer(value), fsync=self._fsync)

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        path = self._path(key)
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return
        except PermissionError:
            if os.path.isdir(path):  # some platforms report EPERM for unlink(directory)
                return
            raise
        self._prune(os.path.dirname(path))

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        directory = self._path(prefix, is_prefix=True)
        if prefix == "":
            targets = [entry.path for entry in _scandir_or_empty(self._root)]
        else:
            targets = [directory]
        for target in targets:
            if os.path.isdir(target) and not os.path.islink(target):
                _rmtree(target)
            elif prefix == "" or os.path.isdir(target):
                # top-level files of the root, or a symlinked directory: remove the link only
                _unlink_quietly(target)
        if prefix:
            self._prune(os.path.dirname(directory))

    def _prune(self, directory: str) -> None:
        """Remove ``directory`` and its parents while they are empty, stopping at the root."""
        while directory != self._root and directory.startswith(self._root + os.sep):
            try:
                os.rmdir(directory)
            except OSError:  # not empty, already gone, or busy: stop
                return
            directory = os.path.dirname(directory)

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LocalStore)
            and other._root == self._root
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((LocalStore, self._root, self.read_only))

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"LocalStore({self._root!r}{mode})"

    def __str__(self) -> str:
        """``file://`` and the root as given (zarr-python's form, used in node reprs)."""
        return f"file://{getattr(self, '_display_root', self._root)}"


def _pread_all(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes of ``fd`` from ``offset`` (fewer if the file ends first)."""
    data = os.pread(fd, size, offset)
    if len(data) == size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        more = os.pread(fd, size - got, offset + got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _scandir_or_empty(directory: str) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _rmtree(path: str) -> None:
    """``shutil.rmtree`` that tolerates entries removed concurrently."""

    def ignore_missing(function: Any, failed: str, error: Any) -> None:
        error = error[1] if isinstance(error, tuple) else error
        if not isinstance(error, FileNotFoundError):
            raise error

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=ignore_missing)
    else:
        shutil.rmtree(path, onerror=ignore_missing)
