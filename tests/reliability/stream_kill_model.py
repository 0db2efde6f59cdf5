"""A writer of ``write_chunks`` (with checkpoints) followed by ``a[...] = x``, a resize and group
and attribute updates, its model, and the checks after a SIGKILL (test_kill_streams.py).

The child (:func:`run_child`, a process of its own) runs the operations from ``start`` on,
resuming ``write_chunks`` from the token file when one is there; its checkpoint writes the
token atomically (a temporary file renamed over it) before saying so. It reports on its pipe
``("pulled", k)`` as ``write_chunks`` takes item ``k`` from the iterable, ``("token", n)``
after a checkpoint, and ``("done", i)`` after operation ``i``.
"""

from __future__ import annotations

import json
import os

import numpy as np

SHAPE = (48, 42)
GROWN = (56, 36)  # the resize: more rows, fewer columns
CHUNKS = (8, 6)
TILE = (7, 9)  # write_chunks items: never aligned to the chunks (partial chunks merged)
BATCH = 5
CONCURRENCY = 2
OPERATIONS = ("write_chunks", "overwrite", "resize", "array_attr", "group_attr", "member")


def tiles() -> list:
    return [(i, j) for i in range(0, SHAPE[0], TILE[0]) for j in range(0, SHAPE[1], TILE[1])]


def first_values() -> np.ndarray:
    """What write_chunks writes: each tile its own number (1, 2, ...)."""
    out = np.zeros(SHAPE, "i4")
    for k, (i, j) in enumerate(tiles()):
        out[i:i + TILE[0], j:j + TILE[1]] = k + 1
    return out


def second_values() -> np.ndarray:
    """What ``a[...] = x`` writes over it."""
    return -np.arange(SHAPE[0] * SHAPE[1], dtype="i4").reshape(SHAPE) - 1


def states() -> list:
    """The model after 0, 1, ... operations: (shape, values on the grown canvas, array
    attributes, group attributes, members)."""
    canvas = (max(SHAPE[0], GROWN[0]), max(SHAPE[1], GROWN[1]))
    values = np.zeros(canvas, "i4")
    out = [(SHAPE, values.copy(), {}, {}, {"w"})]
    values[:SHAPE[0], :SHAPE[1]] = first_values()
    out.append((SHAPE, values.copy(), {}, {}, {"w"}))
    values[:SHAPE[0], :SHAPE[1]] = second_values()
    out.append((SHAPE, values.copy(), {}, {}, {"w"}))
    values[:, GROWN[1]:] = 0
    values[GROWN[0]:, :] = 0
    out.append((GROWN, values.copy(), {}, {}, {"w"}))
    out.append((GROWN, values.copy(), {"step": 4}, {}, {"w"}))
    out.append((GROWN, values.copy(), {"step": 4}, {"done": True}, {"w"}))
    out.append((GROWN, values.copy(), {"step": 4}, {"done": True}, {"w", "after"}))
    return out


def open_store(kind: str, path: str, read_only: bool = False):
    from zarrc.storage import LocalStore, SQLiteStore

    if kind == "sqlite":
        return SQLiteStore(path, read_only=read_only)
    return LocalStore(path, read_only=read_only)


def create(kind: str, path: str, zarr_format: int, sharded: bool) -> None:
    import zarrc

    store = open_store(kind, path)
    g = zarrc.group(store, zarr_format=zarr_format)
    g.create_array("w", shape=SHAPE, chunks=CHUNKS if not sharded else (4, 3),
                   shards=CHUNKS if sharded else None, dtype="i4", fill_value=0,
                   compressors=[{"name": "zstd", "configuration": {"level": 1}}]
                   if zarr_format == 3 else {"id": "zstd", "level": 1})
    store.close()


def _save_token(token_path: str, token: dict) -> None:
    tmp = token_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(token, f)
    os.replace(tmp, token_path)


def run_child(kind: str, path: str, token_path: str, start: int, engine: str, conn) -> None:
    """Apply operations ``start``, ``start + 1``, ... (see the module docstring)."""
    import engine_paths

    engine_paths.use(engine)
    import zarrc

    store = open_store(kind, path)
    conn.send(("ready", start))
    values = first_values()

    def items():
        for k, (i, j) in enumerate(tiles()):
            conn.send(("pulled", k))
            region = (slice(i, i + TILE[0]), slice(j, j + TILE[1]))
            yield region, values[region]

    def checkpoint(progress):
        _save_token(token_path, progress.resume)
        conn.send(("token", progress.items))

    for op in range(start, len(OPERATIONS)):
        g = zarrc.open_group(store, mode="r+")
        name = OPERATIONS[op]
        if name == "write_chunks":
            token = None
            if os.path.exists(token_path):
                with open(token_path) as f:
                    token = json.load(f)
            g["w"].write_chunks(items(), concurrency=CONCURRENCY, batch=BATCH,
                                checkpoint=checkpoint, resume=token)
        elif name == "overwrite":
            g["w"][...] = second_values()
        elif name == "resize":
            g["w"].resize(GROWN)
        elif name == "array_attr":
            g["w"].attrs["step"] = 4
        elif name == "group_attr":
            g.attrs["done"] = True
        else:
            g.create_group("after")
        conn.send(("done", op + 1))
    store.close()


# -- checks -------------------------------------------------------------------------------------

_DOCUMENTS = ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")


def check(kind: str, path: str, done: int) -> list:
    """What is wrong with the store after a kill with ``done`` operations reported: every
    listed key a document that parses or a chunk key of ``w`` (no temporary name), every chunk
    decodes, and values, shape, attributes and members as after ``done`` or ``done + 1``."""
    import zarrc

    problems = []
    store = open_store(kind, path, read_only=True)
    try:
        for key in store.list_prefix(""):
            name = key.rsplit("/", 1)[-1]
            if "zarrc-tmp" in key:
                problems.append(f"a temporary file is listed: {key}")
            elif name in _DOCUMENTS:
                try:
                    json.loads(bytes(store.get(key)))
                except ValueError as exc:
                    problems.append(f"torn document {key}: {exc}")
            elif not _chunk_key(key):
                problems.append(f"a key that is neither a document nor a chunk: {key}")
        g = zarrc.open_group(store, mode="r", use_consolidated=False)
        a = g["w"]
        try:
            got = a[...]  # every chunk decodes (a torn one raises, naming it)
        except zarrc.errors.ZarrcError as exc:
            return [*problems, f"unreadable: {exc}"]
        allowed = states()[done:done + 2]
        if a.shape not in [s[0] for s in allowed]:
            problems.append(f"shape {a.shape}")
        window = tuple(slice(0, n) for n in a.shape)
        ok = np.zeros(a.shape, bool)
        for s in allowed:
            ok |= got == s[1][window]
        if not ok.all():
            problems.append(f"{int((~ok).sum())} values as after neither {done} nor "
                            f"{done + 1} operations")
        if dict(a.attrs) not in [s[2] for s in allowed]:
            problems.append(f"array attributes {dict(a.attrs)}")
        if dict(g.attrs) not in [s[3] for s in allowed]:
            problems.append(f"group attributes {dict(g.attrs)}")
        if set(g) not in [s[4] for s in allowed]:
            problems.append(f"members {set(g)}")
    finally:
        store.close()
    return problems


def _chunk_key(key: str) -> bool:
    if not key.startswith("w/"):
        return False
    rest = key[2:]
    parts = rest[2:].split("/") if rest.startswith("c/") else rest.split(".")
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def final_problems(kind: str, path: str) -> list:
    """What differs from the model's last state after a run to the end."""
    import zarrc

    shape, values, array_attrs, group_attrs, members = states()[-1]
    store = open_store(kind, path, read_only=True)
    try:
        g = zarrc.open_group(store, mode="r", use_consolidated=False)
        a = g["w"]
        problems = []
        if a.shape != shape or not np.array_equal(a[...], values[:shape[0], :shape[1]]):
            problems.append("final values")
        if dict(a.attrs) != array_attrs or dict(g.attrs) != group_attrs or set(g) != members:
            problems.append("final metadata")
        return problems
    finally:
        store.close()
