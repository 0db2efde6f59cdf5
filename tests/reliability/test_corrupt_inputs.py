"""Corrupt input never escapes (docs/reliability.md): chunks, shards and metadata documents
damaged at random are read on both engine paths, and every failure is a ``zarrc.errors``
exception, never a crash, a hang or another exception; where a checksum covers the data, a
read that succeeds returns the data as written; and the native loops and the Python engine
agree (same values, or both an error), except that the native loop may return the right
values of a partial read from a chunk the Python engine refuses whole (counted apart).
"""

from __future__ import annotations

import json
import random
import struct

import crc32c as crc32c_lib
import engine_paths
import numpy as np
import pytest
from reliability_suite import report, scale

import zarrc
from zarrc.errors import ZarrcError
from zarrc.storage import LocalStore

# name: (zarr_format, create_array keyword arguments, whether a checksum covers every byte)
CODINGS = {
    "v3-raw": (3, dict(compressors=None), False),
    "v3-zstd": (3, dict(compressors=[{"name": "zstd", "configuration": {"level": 1}}]), False),
    "v3-zstd-checksum": (3, dict(compressors=[{"name": "zstd", "configuration": {
        "level": 1, "checksum": True}}]), True),
    "v3-blosc-lz4": (3, dict(compressors=[{"name": "blosc", "configuration": {
        "cname": "lz4", "clevel": 5, "shuffle": "shuffle"}}]), False),
    "v3-blosc-zstd-bitshuffle": (3, dict(compressors=[{"name": "blosc", "configuration": {
        "cname": "zstd", "clevel": 3, "shuffle": "bitshuffle"}}]), False),
    "v3-gzip": (3, dict(compressors=[{"name": "gzip", "configuration": {"level": 5}}]), True),
    "v3-crc32c": (3, dict(compressors=["crc32c"]), True),
    "v3-delta-lz4": (3, dict(filters=[{"name": "numcodecs.delta", "configuration": {
        "dtype": "<i4"}}], compressors=[{"name": "numcodecs.lz4"}]), False),
    "v3-sharded-zstd": (3, dict(shards=(8, 8), compressors=[{"name": "zstd"}]), False),
    "v3-sharded-crc32c-start": (3, dict(shards={"shape": (8, 8), "index_location": "start"},
                                        compressors=["crc32c"]), True),
    "v2-raw": (2, dict(compressors=None), False),
    "v2-zlib": (2, dict(compressors={"id": "zlib", "level": 1}), True),
    "v2-blosc": (2, dict(compressors={"id": "blosc", "cname": "lz4", "clevel": 5,
                                      "shuffle": 1}), False),
    "v2-bz2-shuffle": (2, dict(filters=[{"id": "shuffle", "elementsize": 4}],
                               compressors={"id": "bz2", "level": 1}), True),
    "v2-lzma": (2, dict(compressors={"id": "lzma"}), True),
}

SHAPE, CHUNKS = (16, 12), (4, 4)
DATA = (np.arange(np.prod(SHAPE), dtype="<i4").reshape(SHAPE) * 7919) % 100_003


def _build(root, name):
    zarr_format, kwargs, _ = CODINGS[name]
    a = zarrc.create_array(LocalStore(root), name=name, shape=SHAPE, dtype="<i4",
                           chunks=CHUNKS, zarr_format=zarr_format, fill_value=0, **kwargs)
    a[...] = DATA
    return a


def _damage(rng, raw: bytes) -> bytes:
    """One random corruption of ``raw``."""
    if not raw:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    how = rng.choice(["flip", "flips", "truncate", "extend", "garbage", "zero", "empty",
                      "swap"])
    data = bytearray(raw)
    if how == "flip":
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    elif how == "flips":
        for _ in range(rng.randint(2, 16)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == "truncate":
        del data[rng.randrange(len(data)):]
    elif how == "extend":
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 256)))
    elif how == "garbage":
        data = bytearray(rng.randrange(256) for _ in range(len(data)))
    elif how == "zero":
        i = rng.randrange(len(data))
        data[i:i + rng.randint(1, 64)] = bytes(min(64, len(data) - i))
    elif how == "empty":
        data = bytearray()
    else:
        i, j = sorted(rng.sample(range(len(data) + 1), 2))
        data[i:j] = data[i:j][::-1]
    return bytes(data)


def _forge_shard_index(rng, raw: bytes, location: str, entries: int) -> bytes:
    """A shard whose index (with a valid crc32c) claims an inner chunk anywhere, of any size."""
    size = entries * 16
    index_at = 0 if location == "start" else len(raw) - size - 4
    index = bytearray(raw[index_at:index_at + size])
    k = rng.randrange(entries)
    offset = rng.choice([0, len(raw), 2**40, 2**63 - 1, rng.randrange(len(raw) + 1)])
    nbytes = rng.choice([0, 1, 2**31, 2**40, 2**62, len(raw) * 2])
    index[16 * k:16 * k + 16] = struct.pack("<QQ", offset, nbytes)
    checksum = struct.pack("<I", crc32c_lib.crc32c(bytes(index)))
    return raw[:index_at] + bytes(index) + checksum + raw[index_at + size + 4:]


# A whole read and two partial ones (a part of one chunk or shard, a single element).
SELECTIONS = (np.s_[...], np.s_[1:6, 2:7], np.s_[9, 5])


def _read(root, name, selection):
    """``("ok", values)`` or ``("error", exception class)``; anything not from zarrc.errors
    propagates."""
    try:
        a = zarrc.open_array(LocalStore(root, read_only=True), path=name, mode="r")
        return "ok", a[selection]
    except ZarrcError as exc:
        return "error", type(exc)


def test_a_forged_shard_index_is_an_error_on_both_paths(tmp_path):
    """Issue 12, item 5: an index entry (checksum valid) claiming a huge inner chunk."""
    root = str(tmp_path / "data.zarr")
    _build(root, "v3-sharded-zstd")
    store = LocalStore(root)
    raw = store.get("v3-sharded-zstd/c/0/0")
    index = bytearray(raw[-(4 * 16 + 4):-4])
    index[0:16] = struct.pack("<QQ", 0, 2**40)
    store.set("v3-sharded-zstd/c/0/0", raw[:-(4 * 16 + 4)] + bytes(index)
              + struct.pack("<I", crc32c_lib.crc32c(bytes(index))))
    for path in engine_paths.PATHS:
        engine_paths.use(path)
        for selection in (np.s_[...], np.s_[1:6, 2:7], np.s_[0, 0]):  # inner chunk (0, 0)
            kind, error = _read(root, "v3-sharded-zstd", selection)
            assert kind == "error" and issubclass(error, zarrc.errors.CodecError), (path, error)
    engine_paths.use("native")


@pytest.mark.parametrize("name", sorted(CODINGS))
def test_corrupt_chunks_and_shards_never_escape(tmp_path, name):
    root = str(tmp_path / "data.zarr")
    a = _build(root, name)
    store = LocalStore(root)
    keys = [k for k in store.list_prefix(name) if not k.rsplit("/", 1)[-1].startswith(".z")
            and not k.endswith("zarr.json")]
    checksummed = CODINGS[name][2]
    sharded = "sharded" in name
    rng = random.Random(name)
    trials = scale(12, 250)
    counts = {"reads": 0, "errors": 0, "silent": 0, "escapes": 0, "native_lenient": 0}
    for _ in range(trials):
        key = rng.choice(keys)
        good = store.get(key)
        forged = sharded and rng.random() < 0.3
        if forged:
            location = "start" if "start" in name else "end"
            bad = _forge_shard_index(rng, good, location, 4)
        else:
            bad = _damage(rng, good)
        if bad == good:
            continue
        store.set(key, bad)
        for selection in SELECTIONS:
            outcomes = {}
            for path in engine_paths.PATHS:
                engine_paths.use(path)
                outcomes[path] = _read(root, name, selection)
                counts["reads"] += 1
            (n_kind, n_value), (p_kind, p_value) = outcomes["native"], outcomes["python"]
            if (n_kind, p_kind) == ("ok", "error") and np.array_equal(n_value, DATA[selection]):
                # The C loop decodes only what the selection needs and stops: a frame cut
                # after it, or bytes after its end, go unseen there (the values are right).
                counts["native_lenient"] += 1
                continue
            if n_kind != p_kind or (n_kind == "ok" and not np.array_equal(n_value, p_value)):
                counts["escapes"] += 1  # the two paths disagree: one of them is wrong
                continue
            if n_kind == "error":
                counts["errors"] += 2
            elif not np.array_equal(n_value, DATA[selection]):
                counts["silent"] += 2  # wrong values that nothing could detect
                if checksummed:
                    counts["escapes"] += 2
        engine_paths.use("native")
        store.set(key, good)
    report(f"corrupt-chunks[{name}]", **counts)
    assert counts["escapes"] == 0, counts
    np.testing.assert_array_equal(a[...], DATA)  # the store is whole again


HOSTILE = [None, -1, 0, 2**70, -(2**70), 1e308, float("nan"), "x", "", [], {}, [[]], True,
           "\x00", [2**70], [-1], ["a"], {"name": "x"}, [None], "<" * 1000]


def _mutate_document(rng, doc):
    """A copy of the JSON document ``doc`` with one value somewhere replaced by a hostile one
    (or a key removed, or an unknown one added)."""
    doc = json.loads(json.dumps(doc))
    paths = []

    def walk(node, trail):
        paths.append(trail)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*trail, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*trail, i))

    walk(doc, ())
    trail = rng.choice(paths[1:])
    parent = doc
    for step in trail[:-1]:
        parent = parent[step]
    what = rng.random()
    if what < 0.15 and isinstance(parent, dict):
        del parent[trail[-1]]
    elif what < 0.2 and isinstance(parent, dict):
        parent["unexpected_" + str(rng.randrange(9))] = rng.choice(HOSTILE)
    else:
        parent[trail[-1]] = rng.choice(HOSTILE)
    return doc


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_corrupt_metadata_never_escapes(tmp_path, zarr_format, engine_path):
    root = str(tmp_path / "m.zarr")
    names = [n for n, (f, _, _) in CODINGS.items() if f == zarr_format]
    g = zarrc.group(LocalStore(root), zarr_format=zarr_format, attributes={"x": [1, {"y": 2}]})
    for name in names:
        _build(root, name).attrs["units"] = "m"
    zarrc.consolidate_metadata(root)
    store = LocalStore(root)
    documents = [k for k in store.list_prefix("") if k.rsplit("/", 1)[-1] in (
        "zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")]
    rng = random.Random(zarr_format)
    counts = {"reads": 0, "errors": 0, "escapes": 0, "unnamed": 0}
    for _ in range(scale(150, 2500)):
        key = rng.choice(documents)
        good = store.get(key)
        if rng.random() < 0.3:
            bad = _damage(rng, good)
        else:
            bad = json.dumps(_mutate_document(rng, json.loads(good))).encode()
        store.set(key, bad)
        counts["reads"] += 1
        try:
            for use_consolidated in (False, True):
                h = zarrc.open_group(root, mode="r", use_consolidated=use_consolidated)
                for _, node in h.members():
                    if isinstance(node, zarrc.Array):
                        node[...]
                    dict(node.attrs)
        except ZarrcError as exc:
            counts["errors"] += 1
            document = key.rsplit("/", 1)[-1]
            if isinstance(exc, zarrc.errors.MetadataError) and document not in str(exc) \
                    and ".zmetadata" not in str(exc) and "zarr.json" not in str(exc):
                counts["unnamed"] += 1  # a metadata error that does not name its document
        finally:
            store.set(key, good)
    report(f"corrupt-metadata[v{zarr_format}-{engine_path}]", **counts)
    assert counts["escapes"] == 0 and counts["unnamed"] == 0, counts
    assert dict(g.attrs) == {"x": [1, {"y": 2}]}
