"""Lock files of :class:`~zarrc.storage.LocalStore`, placed and opened so that no other user can
turn them against their user.

Where: ``<temporary directory>/zarrc-locks-<uid>/``, a directory only its owner can enter
(mode 0700). It is opened with ``O_NOFOLLOW`` and must belong to the current user with no
permission for anybody else; lock files inside it are opened relative to it with
``O_NOFOLLOW`` and must be regular files with one link. Anything else found there (a symlink,
a directory of another user, a FIFO, a hard link) raises :class:`~zarrc.errors.StoreError`
naming it instead of being followed, opened or blocked on. The store itself holds only data.

So the processes of one user on one machine (with the same temporary directory) serialize
their read-modify-writes; processes running as different users do not see each other's locks.

Slots: file paths are hashed onto a fixed set of lock files, so they never pile up. Metadata
documents (their lock is held while chunks are locked, e.g. by ``resize``) get slots of their
own, so a chunk never waits for a document lock its own writer holds.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from types import ModuleType

from zarrc.errors import StoreError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["DOCUMENT_NAMES", "hold", "lock_directory", "slot_name"]

DOCUMENT_NAMES = frozenset({"zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata"})
"""The metadata documents of both Zarr formats (``zarrc.metadata.keys``; this layer may not
import it). Paths ending in one of them lock in the document family of slots."""

CHUNK_SLOTS = 1024
DOCUMENT_SLOTS = 256

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def lock_directory() -> str:
    """This user's lock directory (it may not exist yet)."""
    return os.path.join(tempfile.gettempdir(), f"zarrc-locks-{os.geteuid()}")


def slot_name(path: str) -> str:
    """The lock file of the file ``path``: ``d-NNN`` for metadata documents, else ``c-NNNN``."""
    digest = int.from_bytes(hashlib.sha1(path.encode()).digest()[:4], "little")
    if path.replace(os.sep, "/").rsplit("/", 1)[-1] in DOCUMENT_NAMES:
        return f"d-{digest % DOCUMENT_SLOTS:03d}"
    return f"c-{digest % CHUNK_SLOTS:04d}"


def _refuse(path: str, what: str) -> StoreError:
    return StoreError(f"refusing to use {path!r} for zarrc's lock files: {what}")


def _open_directory(path: str) -> int:
    """A descriptor of this user's lock directory ``path``, created 0700 if absent."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _refuse(path, "it is not a directory (a symlink?)") from None
        raise
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        os.close(fd)
        raise _refuse(path, f"it belongs to uid {st.st_uid}, not to this user "
                      f"({os.geteuid()}); remove it")
    if st.st_mode & 0o077:
        os.fchmod(fd, 0o700)  # ours, but others could enter it: close it to them
    return fd


def _open_slot(dir_fd: int, name: str, path: str) -> int:
    flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC
    try:
        fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise _refuse(path, "it is not a regular file (a symlink?)") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != os.geteuid():
        os.close(fd)
        raise _refuse(path, "it is not a regular file of this user with one link")
    return fd


@contextlib.contextmanager
def hold(path: str) -> Iterator[None]:
    """Hold the exclusive ``flock`` of the lock file of the store file ``path``.

    A no-op where ``fcntl`` is missing (Windows): then only threads of one process are
    serialized (by the engine).
    """
    if fcntl is None:
        yield
        return
    directory = lock_directory()
    name = slot_name(path)
    dir_fd = _open_directory(directory)
    try:
        fd = _open_slot(dir_fd, name, os.path.join(directory, name))
    finally:
        os.close(dir_fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock
