"""SIGKILL in the middle of large writes through an FsspecStore on fsspec's local filesystem
(named directly, or through a ``dir://`` filesystem):
every key keeps its old value or holds a new complete one, never a torn one, and no temporary
file of a killed write is ever listed (docs/reliability.md).

A child process (a real one, forked from a server that has imported zarrc and fsspec) writes
rounds of self-checking values (a header with the version, the length and a CRC-32 of the
payload) to a few keys, reporting each finished round; the parent kills it with SIGKILL at a
random moment (every other time after the child reported its first round, so that kills land
in later rounds however slow the machine is) and checks the store, then starts the next child
on the same directory. With N rounds reported done, each key must hold round N's value or
round N + 1's.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import struct
import time
import zlib

import pytest
from reliability_suite import last_reported, report, scale

from zarrc.storage.atomic import TEMP_PREFIX

pytest.importorskip("fsspec")

KEYS = ["zarr.json", "a/zarr.json", "a/c/0/0", "a/c/1/0"]
SIZE = 2 << 20  # a few MB per value: a write takes long enough to be killed in the middle
_HEADER = struct.Struct("<8sQQI")
_MAGIC = b"ZARRCKIL"


def value(version: int, index: int) -> bytes:
    """The value of key ``KEYS[index]`` in round ``version``: header, then a payload whose
    length and bytes depend on both (so a truncated or half-overwritten value shows)."""
    size = SIZE + 4096 * ((version * 7 + index) % 13)
    payload = bytes([(version * 31 + index) % 251]) * size
    return _HEADER.pack(_MAGIC, version, size, zlib.crc32(payload)) + payload


def version_of(data: bytes | None) -> int:
    """The version of a complete value; ``ValueError`` saying what is wrong otherwise."""
    if data is None:
        raise ValueError("missing")
    if len(data) < _HEADER.size:
        raise ValueError(f"{len(data)} bytes, shorter than the header")
    magic, version, size, crc = _HEADER.unpack_from(data)
    payload = memoryview(data)[_HEADER.size:]
    if magic != _MAGIC or len(payload) != size or zlib.crc32(payload) != crc:
        raise ValueError(f"torn: {len(payload)} payload bytes of {size} (version {version})")
    return int(version)


def open_store(path: str, how: str = "file"):
    """The store at ``path`` over fsspec's local filesystem, or (``how="dir"``) over a
    ``dir://`` filesystem of its parent directory."""
    import fsspec

    from zarrc.storage import FsspecStore

    local = fsspec.filesystem("file", auto_mkdir=True)
    if how == "dir":
        parent, name = os.path.split(path)
        return FsspecStore(fsspec.filesystem("dir", path=parent, fs=local), name)
    return FsspecStore(local, path)


def run_child(path: str, how: str, base: int, conn) -> None:
    """Write rounds ``base + 1, base + 2, ...`` of every key until killed, sending ``"ready"``
    first and the number of finished rounds after each."""
    store = open_store(path, how)
    conn.send("ready")
    done = 0
    while True:
        for index, key in enumerate(KEYS):
            store.set(key, value(base + done + 1, index))
        done += 1
        conn.send(done)


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["zarrc", "fsspec", "reliability_suite"])
    return ctx


@pytest.mark.parametrize("how", ["file", "dir"])
def test_sigkill_mid_write_leaves_old_or_new_values_and_lists_no_temporary(tmp_path, how):
    path = str(tmp_path / "store")
    store = open_store(path, how)
    for index, key in enumerate(KEYS):
        store.set(key, value(0, index))
    current = {key: 0 for key in KEYS}
    ctx = _context()
    rng = random.Random(20261206)
    kills = scale(24, 120)
    problems, rounds_done, strays = [], [], set()
    for trial in range(kills):
        base = (trial + 1) * 1000
        ours, theirs = ctx.Pipe(duplex=False)
        child = ctx.Process(target=run_child, args=(path, how, base, theirs))
        child.start()
        theirs.close()
        assert ours.poll(60) and ours.recv() == "ready", "the child did not start"
        first = 0
        if trial % 2:  # every other kill after the first round, however long a round takes
            assert ours.poll(60), "the child finished no round"
            first = ours.recv()
        time.sleep(rng.uniform(0.0, 0.3))
        child.kill()  # SIGKILL
        done = last_reported(child, ours) or first
        assert child.exitcode == -9
        rounds_done.append(done)

        store = open_store(path, how)
        for key in KEYS:
            allowed = {base + done, base + done + 1} if done else {current[key], base + 1}
            try:
                got = version_of(store.get(key))
            except ValueError as exc:
                problems.append(f"trial {trial} ({done} rounds done): {key} {exc}")
                continue
            if got not in allowed:
                problems.append(f"trial {trial}: {key} holds version {got}, not {allowed}")
            current[key] = got
        listed = [store.list_prefix(""), store.list_prefix("a"), store.list_dir(""),
                  store.list_dir("a"), store.list_dir("a/c/0")]
        expected = [sorted(KEYS), sorted(k for k in KEYS if k.startswith("a/")),
                    ["a", "zarr.json"], ["c", "zarr.json"], ["0"]]
        if listed != expected:
            problems.append(f"trial {trial}: listed {listed}")
        strays |= {os.path.join(d, name) for d, _, names in os.walk(path) for name in names
                   if name.startswith(TEMP_PREFIX)}
    report(f"kill[fsspec-{how}-writes]", kills=kills, torn_or_wrong=len(problems),
           stray_temporaries_left=len(strays), rounds_done=rounds_done)
    assert not problems, problems[:10]
    # the kills landed in the middle of the writing, not only before the first round ended
    assert any(rounds_done), rounds_done
