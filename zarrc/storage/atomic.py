"""Atomic file writes for stores whose values are files in local directories.

A value is written to a fresh temporary file beside its target and renamed over it with
:func:`os.replace` (atomic on POSIX), so a reader sees the old value or the new one and a process
killed mid-write leaves the old value and at most a stray temporary file. Temporary files are
named ``TEMP_PREFIX`` plus 16 hex digits: names that stores never list and refuse as keys
(:func:`check_key`). Shared by ``LocalStore`` and ``FsspecStore`` on local filesystems, and
described to native write loops by :class:`~zarrc.storage.base.LocalFiles`.
"""

from __future__ import annotations

import os
import secrets

__all__ = ["TEMP_PREFIX", "check_key", "is_temporary", "write_atomic"]

TEMP_PREFIX = ".zarrc-tmp-"
"""File-name prefix of in-flight writes; such names are never listed and are not valid keys."""
_WRITE_RETRIES = 5  # a concurrent delete may remove the directory we are about to write into


def is_temporary(name: str) -> bool:
    """Whether the file or directory name ``name`` (one path segment) is an in-flight write's."""
    return name.startswith(TEMP_PREFIX)


def check_key(key: str) -> None:
    """Refuse (``ValueError``) a key with a segment named like a temporary file: it could
    never be listed, and writing it could clobber another writer's temporary file."""
    if TEMP_PREFIX in key and any(is_temporary(s) for s in key.split("/")):
        raise ValueError(f"invalid store key {key!r}: {TEMP_PREFIX!r} names are reserved")


def write_atomic(path: str, buffer: memoryview, *, fsync: bool = False) -> None:
    """Make the file ``path`` hold ``buffer``, atomically: a temporary file in its directory
    (created, with its parents, when missing), flushed with ``os.fsync`` if ``fsync``, then
    renamed over ``path``. On any error the temporary file is removed and ``path`` untouched."""
    directory = os.path.dirname(path)
    for attempt in range(_WRITE_RETRIES):
        try:
            _write_once(path, directory, buffer, fsync)
            return
        except FileNotFoundError:
            # The directory does not exist yet, or vanished (a concurrent delete pruned
            # it): create it and try again. Trying first saves a makedirs per write.
            if attempt == _WRITE_RETRIES - 1:
                raise
            os.makedirs(directory, exist_ok=True)


def _write_once(path: str, directory: str, buffer: memoryview, fsync: bool) -> None:
    """Write ``buffer`` to a fresh temporary file beside ``path`` and rename it over it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, TEMP_PREFIX + secrets.token_hex(8))
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = buffer
            while view:
                view = view[os.write(fd, view):]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
