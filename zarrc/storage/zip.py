"""ZipStore: a store inside one zip archive (zipfile, ``ZIP_STORED`` by default).

Each key is one archive entry of the same name, as in zarr-python's ZipStore. A zip archive's
central directory comes last and cannot be rewritten in place safely, so the archive file
itself is never modified: writes go to a *working copy* beside it (``.zarrc-tmp-*.zip``, made
at the first write of a ``mode="a"`` store from a copy of the archive), and
:meth:`ZipStore.close` commits it by renaming it over the archive. A process killed at any
moment leaves the old archive or the new one, never a damaged one (and at worst a stray
working copy).

- overwriting a key appends a new entry, and reads return the newest one;
- deleting a key hides it at once;
- :meth:`ZipStore.close` *compacts* the archive when anything was overwritten or deleted: the
  committed archive holds one entry per live key, so it reads the same in any zip reader.

All archive access goes through one lock, so the engine may call ``get``/``set`` from many threads.
A ``mode="a"`` store whose archive another writer committed meanwhile refuses to commit over it
(:class:`~zarrc.errors.StoreError`) rather than drop that writer's changes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import threading
import time
import zipfile
from collections.abc import Sequence
from typing import IO, Any

from zarrc.errors import NotPicklableError, StoreError
from zarrc.storage import lockfile
from zarrc.storage.base import (
    ByteRange,
    FileRange,
    KeySnapshotStore,
    as_buffer,
    normalize_key,
    normalize_prefix,
    resolve_byte_range,
)

__all__ = ["ZipStore"]

_MODES = ("r", "w", "a")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader: 30 bytes
_LOCAL_MAGIC = b"PK\x03\x04"


def _identity(path: str) -> tuple[int, int, int] | None:
    """What tells one committed archive file from the next (None if there is none)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _unlink_quietly(path: str | None) -> None:
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


def _fsync_path(path: str, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot fsync a directory
        if not directory:
            raise
    finally:
        os.close(fd)


class _Archive:
    """The state one archive's stores share: the open ZipFile, its lock and the live entries."""

    def __init__(self, path: str, mode: str, compression: int, compresslevel: int | None) -> None:
        self.path = path
        self.mode = mode
        self.compression = compression
        self.compresslevel = compresslevel
        self.display = path  # str(store): ZipStore sets the path as it was given
        self.lock = threading.RLock()
        self.closed = False
        self.stale = False  # entries were overwritten or deleted: compact on commit
        self.work: str | None = None  # the working copy, once something was written
        self.base = _identity(path)  # the archive this store started from
        if mode == "w" or (mode == "a" and self.base is None):
            self.base = None
            self.zf = self._start_work(copy=False)
        else:
            self.zf = zipfile.ZipFile(path, "r", allowZip64=True)
        self.index: dict[str, zipfile.ZipInfo] = {}
        self._load_index()

    def _load_index(self) -> None:
        self.index = {}
        self.data_offsets: dict[zipfile.ZipInfo, int] = {}  # where stored entries' bytes start
        for info in self.zf.infolist():  # a later entry of the same name wins
            try:
                normalize_key(info.filename)
            except ValueError:  # an entry no key can name ('', '../x', 'd/'): never exposed
                continue
            self.index[info.filename] = info

    def _temp_name(self) -> str:
        return os.path.join(os.path.dirname(self.path), f".zarrc-tmp-{secrets.token_hex(8)}.zip")

    def _start_work(self, copy: bool) -> zipfile.ZipFile:
        """Open a fresh working copy (of the archive when ``copy``) for appending."""
        self.work = self._temp_name()
        try:
            if copy:
                shutil.copyfile(self.path, self.work)
            return zipfile.ZipFile(self.work, "a" if copy else "w",
                                   compression=self.compression, allowZip64=True)
        except BaseException:
            _unlink_quietly(self.work)
            self.work = None
            raise

    def writable(self) -> zipfile.ZipFile:
        """The ZipFile to add entries to: the working copy, made on the first write."""
        if self.work is None:
            self.zf.close()
            self.zf = self._start_work(copy=True)
            hidden = [key for key in self._names() if key not in self.index]
            self._load_index()
            for key in hidden:  # deleted before this first write: still deleted
                self.index.pop(key, None)
        return self.zf

    def file(self) -> IO[bytes]:
        """The open file under the ZipFile (the archive, or the working copy)."""
        if self.zf.fp is None:
            raise ValueError(f"ZipStore {self.path!r} is closed")
        return self.zf.fp

    def _names(self) -> set[str]:
        return {info.filename for info in self.zf.infolist()}

    def check_open(self) -> None:
        if self.closed:
            raise ValueError(f"ZipStore {self.path!r} is closed")

    def locate(self, key: str) -> FileRange | bytes | None:
        """Where the value of ``key`` lies in the file being read (the archive, or the
        working copy once written to): an uncompressed, unencrypted entry; else its bytes
        (None if absent). Called with the lock held, after a flush."""
        info = self.index.get(key)
        if info is None:
            return None
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            return self.zf.read(info)
        offset = self.data_offsets.get(info)
        if offset is None:  # the entry's own (local) header says where its bytes start
            header = os.pread(self.file().fileno(), _LOCAL_HEADER.size, info.header_offset)
            if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
                return self.zf.read(info)  # zipfile names the damage
            fields = _LOCAL_HEADER.unpack(header)
            offset = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
            self.data_offsets[info] = offset
        name = self.zf.filename or self.path  # a ZipFile opened by path always has one
        return FileRange(os.path.abspath(name), offset, info.file_size, info.CRC)

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            if self.mode == "r" or (self.work is None and not self.stale):
                self.zf.close()
                return
            try:
                self._commit()
            finally:
                _unlink_quietly(self.work)

    def __del__(self) -> None:
        # An archive dropped without close() is committed then, as zipfile's own would be.
        try:
            self.close()
        except Exception:
            pass

    def _commit(self) -> None:
        """Finish the new archive in a temporary file and rename it over the archive."""
        if self.stale:  # one entry per live key
            final = self._temp_name()
            try:
                self._compact_into(final)
            except BaseException:
                self.zf.close()
                _unlink_quietly(final)
                raise
            self.zf.close()
        else:
            self.zf.close()  # writes the working copy's central directory
            assert self.work is not None  # close() commits only after a write or a deletion
            final = self.work
        try:
            _fsync_path(final)
            with lockfile.hold(self.path):  # writers of this archive commit one at a time
                if self.mode == "a" and _identity(self.path) != self.base:
                    raise StoreError(
                        f"ZipStore {self.path!r} was changed by another writer since it was "
                        "opened; not overwriting it (the changes made here are dropped)")
                os.replace(final, self.path)
            _fsync_path(os.path.dirname(self.path), directory=True)
        finally:
            if final != self.work:
                _unlink_quietly(final)

    def _compact_into(self, tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=self.compression, allowZip64=True) as out:
            for info in self.zf.infolist():
                if self.index.get(info.filename) is not info:
                    continue
                fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                fresh.compress_type = info.compress_type
                fresh.external_attr = info.external_attr
                out.writestr(fresh, self.zf.read(info), compresslevel=self.compresslevel)


class ZipStore(KeySnapshotStore):
    """A store inside a zip archive.

    Parameters
    ----------
    path
        The archive file.
    mode
        ``"r"`` read an existing archive; ``"w"`` create (truncate) it; ``"a"`` read and add to
        it, creating it if absent.
    read_only
        Defaults to ``mode == "r"``. ``read_only=True`` with ``mode="a"`` opens the archive for
        reading only; with ``mode="w"`` it is an error.
    compression, compresslevel
        Passed to :mod:`zipfile` for new entries. ``ZIP_STORED`` (the default) keeps byte-range
        reads cheap and matches zarr-python; chunks are usually compressed by codecs already.

    Notes
    -----
    Use it as a context manager, or call :meth:`close`: closing writes the archive's central
    directory (and compacts it, see the module docstring). Operations on a closed store raise
    ``ValueError``. Views made by :meth:`with_read_only` share the open archive; closing a view
    does nothing, closing the store that opened the archive closes it for all.
    """

    supports_partial_reads = True
    supports_listing = True
    supports_writes = True
    fetch_concurrency = 1  # one archive lock: requests queue anyway

    def __init__(
        self,
        path: str | os.PathLike[str],
        mode: str = "r",
        *,
        read_only: bool | None = None,
        compression: int = zipfile.ZIP_STORED,
        compresslevel: int | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"ZipStore mode must be one of {_MODES}, got {mode!r}")
        if read_only is None:
            read_only = mode == "r"
        if mode == "r" and not read_only:
            raise ValueError("ZipStore mode 'r' is read-only; use mode 'a' to write")
        if mode == "w" and read_only:
            raise ValueError("ZipStore mode 'w' truncates the archive; it cannot be read-only")
        super().__init__(read_only=read_only)
        file_mode = "r" if read_only else mode
        self._archive = _Archive(
            os.path.realpath(os.fspath(path)), file_mode, compression, compresslevel
        )
        self._archive.display = os.fspath(path)  # str(store): the path as given
        self._owner = True

    @property
    def path(self) -> str:
        """The resolved absolute path of the archive."""
        return self._archive.path

    @property
    def mode(self) -> str:
        """The mode the archive file is open in (``"r"``, ``"w"`` or ``"a"``)."""
        return self._archive.mode

    @property
    def closed(self) -> bool:
        """Whether the archive has been closed."""
        return self._archive.closed

    def with_read_only(self, read_only: bool = True) -> ZipStore:
        """Return a view of the same open archive with the given ``read_only`` flag.

        A writable view is only possible when the archive was opened writable.
        """
        if read_only == self.read_only:
            return self
        if not read_only and self._archive.mode == "r":
            raise ValueError(f"{self!r} was opened for reading; reopen it with mode 'a'")
        view = object.__new__(ZipStore)
        view.__dict__.update(self.__dict__)
        view._read_only = read_only
        view._owner = False
        return view

    def close(self) -> None:
        """Commit the archive (central directory, compaction if needed, the rename over the
        archive file); nothing is committed before. Idempotent."""
        if self._owner:
            self._archive.close()

    def __reduce__(self) -> tuple[type[ZipStore], tuple[str, str]]:
        """Pickled as its path, reopened for reading where it is unpickled (a dask worker, a
        process pool). An archive open for writing has entries not yet in its central
        directory and cannot have two writers, so it refuses to be pickled."""
        if self._archive.mode != "r":
            raise NotPicklableError(
                f"cannot pickle {self!r}: the archive is open for writing (mode "
                f"{self._archive.mode!r}); close it and open it with mode 'r' to share it")
        return (ZipStore, (self.path, "r"))

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str, byte_range: ByteRange | None = None) -> bytes | None:
        key = normalize_key(key)
        archive = self._archive
        with archive.lock:
            archive.check_open()
            info = archive.index.get(key)
            if info is None:
                return None
            if byte_range is None:
                return archive.zf.read(info)
            start, stop = resolve_byte_range(byte_range, info.file_size)
            if stop == start:
                return b""
            with archive.zf.open(info) as f:
                f.seek(start)
                return f.read(stop - start)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        with self._archive.lock:  # one lock round trip for the batch
            return [self.get(key) for key in keys]

    def file_ranges(self, keys: Sequence[str]) -> list[FileRange | bytes | None]:
        """Uncompressed entries (the default, ``ZIP_STORED``) as ranges of the file being read
        (the archive, or its working copy once written to; either stays in place until the
        store is closed), which the native loops read there in parallel into buffers of their
        own, without the archive's lock (checking each entry's CRC-32 as zipfile would); other
        entries as their bytes."""
        keys = [normalize_key(key) for key in keys]
        archive = self._archive
        with archive.lock:
            archive.check_open()
            if archive.work is not None and keys:
                archive.file().flush()  # entries written through zipfile's buffer, on disk
            return [archive.locate(key) for key in keys]

    def get_ranges(self, key: str, ranges: Sequence[tuple[int, int]]) -> list[bytes] | None:
        key = normalize_key(key)
        archive = self._archive
        with archive.lock:  # one entry opened for every range
            archive.check_open()
            info = archive.index.get(key)
            if info is None:
                return None
            out: list[bytes] = []
            with archive.zf.open(info) as f:
                for start, stop in ranges:
                    begin, end = max(0, int(start)), min(int(stop), info.file_size)
                    if end <= begin:
                        out.append(b"")
                        continue
                    f.seek(begin)
                    out.append(f.read(end - begin))
            return out

    def exists(self, key: str) -> bool:
        key = normalize_key(key)
        with self._archive.lock:
            self._archive.check_open()
            return key in self._archive.index

    def _all_keys(self) -> list[str]:
        with self._archive.lock:
            self._archive.check_open()
            return list(self._archive.index)

    # -- writes -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        buffer = as_buffer(value)
        archive = self._archive
        info = zipfile.ZipInfo(key, date_time=time.localtime()[:6])
        info.compress_type = archive.compression
        info.external_attr = 0o644 << 16
        with archive.lock:
            archive.check_open()
            zf = archive.writable()
            # Dropping the name from zipfile's table spares its duplicate-name warning: the older
            # entry stays in the archive until compaction, and our index decides what reads see.
            if zf.NameToInfo.pop(key, None) is not None:
                archive.stale = True
            zf.writestr(info, buffer, compresslevel=archive.compresslevel)
            archive.index[key] = info

    def delete(self, key: str) -> None:
        key = normalize_key(key)
        self._check_writable(key)
        with self._archive.lock:
            self._archive.check_open()
            if self._archive.index.pop(key, None) is not None:
                self._archive.stale = True

    def delete_prefix(self, prefix: str) -> None:
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        with self._archive.lock:
            for key in self._keys_under(prefix):
                del self._archive.index[key]
                self._archive.stale = True

    # -- identity ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ZipStore)
            and other.path == self.path
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash((ZipStore, self.path, self.read_only))

    def __repr__(self) -> str:
        return f"ZipStore({self.path!r}, mode={self.mode!r}, read_only={self.read_only})"

    def __str__(self) -> str:
        """``zip://`` and the archive path as given (zarr-python's form)."""
        return f"zip://{getattr(self._archive, 'display', self.path)}"
