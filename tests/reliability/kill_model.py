"""A model of a sequence of mutating operations, its child-process runner and its checker.

A scenario (store kind, zarr format, sharded or not, seed) fixes a sequence of operations on
the array ``a`` of a root group: writes (whole and partial chunks), appends, resizes (shrink
and grow), attribute updates of the array and the group, members created and deleted, and
metadata consolidation. The model keeps, after each operation, the array's shape and its
values on a *canvas* (the largest shape ever, fill outside the shape), the attributes and the
members. The child (:func:`run_child`, a process of its own) applies the operations and
reports N after the N-th; the parent kills it with SIGKILL at a random moment. With N operations done and the
next one perhaps half done, every value, attribute and member must be as after N or after
N + 1 operations, and no value dropped by a resize may come back when the array grows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

CANVAS = (24, 10)
START = (16, 10)
FILL = 0


@dataclass
class State:
    shape: tuple
    canvas: np.ndarray
    array_attrs: dict = field(default_factory=dict)
    group_attrs: dict = field(default_factory=dict)
    members: frozenset = frozenset({"a"})

    def copy(self) -> State:
        return State(self.shape, self.canvas.copy(), dict(self.array_attrs),
                     dict(self.group_attrs), self.members)


def operations(seed: int, count: int) -> list:
    """The operations of scenario ``seed`` (the same in parent and child)."""
    rng = random.Random(seed)
    ops, shape, members = [], START, {"a"}
    for i in range(count):
        value = i + 1
        kind = rng.choice(["write", "write", "partial", "append", "shrink", "grow", "attr",
                           "group_attr", "create", "delete", "consolidate"])
        if kind in ("write", "partial") and min(shape) > 0:
            r0 = rng.randrange(shape[0])
            r1 = rng.randrange(r0, shape[0]) + 1
            if kind == "write":  # whole rows of chunks where it can
                r0, r1 = r0 // 4 * 4, min(shape[0], (r1 + 3) // 4 * 4)
            c0 = 0 if kind == "write" else rng.randrange(shape[1])
            ops.append(("write", (r0, r1, c0, shape[1]), value))
        elif kind == "append" and shape[0] < CANVAS[0]:
            rows = rng.randint(1, CANVAS[0] - shape[0])
            ops.append(("append", rows, value))
            shape = (shape[0] + rows, shape[1])
        elif kind == "shrink" and shape[0] > 1:
            shape = (rng.randrange(1, shape[0]), rng.randint(3, shape[1]))
            ops.append(("resize", shape, value))
        elif kind == "grow":
            shape = (rng.randint(shape[0], CANVAS[0]), rng.randint(shape[1], CANVAS[1]))
            ops.append(("resize", shape, value))
        elif kind == "attr":
            ops.append(("attr", f"k{rng.randrange(4)}", value))
        elif kind == "group_attr":
            ops.append(("group_attr", f"g{rng.randrange(4)}", value))
        elif kind == "create" and len(members) < 5:
            name = f"m{i}"
            members.add(name)
            ops.append(("create", name, value))
        elif kind == "delete" and len(members) > 1:
            name = rng.choice(sorted(members - {"a"}))
            members.discard(name)
            ops.append(("delete", name, value))
        else:
            ops.append(("consolidate", None, value))
    return ops


def states(ops: list) -> list:
    """The model state before any operation and after each one."""
    state = State(START, np.full(CANVAS, FILL, dtype="i4"))
    state.canvas[:START[0], :START[1]] = -1  # as create() writes it
    out = [state.copy()]
    for kind, arg, value in ops:
        if kind == "write":
            r0, r1, c0, c1 = arg
            state.canvas[r0:r1, c0:c1] = value
        elif kind == "append":
            old = state.shape[0]
            state.shape = (old + arg, state.shape[1])
            state.canvas[old:old + arg, :state.shape[1]] = value
        elif kind == "resize":
            state.shape = arg
            outside = np.ones(CANVAS, bool)
            outside[:arg[0], :arg[1]] = False
            state.canvas[outside] = FILL
        elif kind == "attr":
            state.array_attrs[arg] = value
        elif kind == "group_attr":
            state.group_attrs[arg] = value
        elif kind == "create":
            state.members = state.members | {arg}
        elif kind == "delete":
            state.members = state.members - {arg}
        out.append(state.copy())
    return out


# -- the child ---------------------------------------------------------------------------------


def open_store(kind: str, path: str, mode: str = "a"):
    from zarrc.storage import FsspecStore, LMDBStore, LocalStore, SQLiteStore, ZipStore

    if kind == "local":
        return LocalStore(path, read_only=mode == "r")
    if kind == "zip":
        return ZipStore(path, mode="r" if mode == "r" else "a")
    if kind == "sqlite":
        return SQLiteStore(path, read_only=mode == "r")
    if kind == "lmdb":
        return LMDBStore(path, read_only=mode == "r")
    import fsspec

    return FsspecStore(fsspec.filesystem("file", auto_mkdir=True), path,
                       read_only=mode == "r")


def create(kind: str, path: str, zarr_format: int, sharded: bool) -> None:
    """The starting point of every scenario: a group holding the array ``a``."""
    import zarrc

    store = open_store(kind, path)
    g = zarrc.group(store, zarr_format=zarr_format)
    a = g.create_array("a", shape=START, dtype="i4", chunks=(4, 4), fill_value=FILL,
                       shards=(8, 8) if sharded else None, compressors=["zstd"])
    a[...] = -1
    store.close()


def apply(store, op) -> None:
    import zarrc

    kind, arg, value = op
    g = zarrc.open_group(store, mode="r+", use_consolidated=False)  # never a stale snapshot
    if kind == "write":
        r0, r1, c0, c1 = arg
        g["a"][r0:r1, c0:c1] = value
    elif kind == "append":
        a = g["a"]
        a.append(np.full((arg, a.shape[1]), value, dtype="i4"))
    elif kind == "resize":
        g["a"].resize(arg)
    elif kind == "attr":
        g["a"].attrs[arg] = value
    elif kind == "group_attr":
        g.attrs[arg] = value
    elif kind == "create":
        g.create_group(arg, attributes={"made": value})
    elif kind == "delete":
        del g[arg]
    else:
        zarrc.consolidate_metadata(store)


def run_child(kind: str, path: str, seed: int, count: int, engine: str, conn) -> None:
    """Apply the scenario's operations, sending ``"ready"`` first and N after the N-th."""
    import engine_paths

    engine_paths.use(engine)
    ops = operations(seed, count)
    store = None if kind == "zip" else open_store(kind, path)
    conn.send("ready")
    for i, op in enumerate(ops):
        if kind == "zip":  # each operation is one open, change and commit of the archive
            with open_store(kind, path) as zstore:
                apply(zstore, op)
        else:
            apply(store, op)
        conn.send(i + 1)


# -- the checker -------------------------------------------------------------------------------


@dataclass
class Verdict:
    bad_values: int = 0  # values as after neither N nor N + 1 operations
    resurrected: int = 0  # dropped values that came back when the array grew
    bad_metadata: int = 0  # attributes, members or shape as after neither
    torn: int = 0  # chunks a non-atomic store tore (read errors naming them)
    problems: list = field(default_factory=list)


def snapshot(store):
    """A MemoryStore holding every key of ``store`` (to grow the array without touching it)."""
    from zarrc.storage import MemoryStore

    return MemoryStore({key: store.get(key) for key in store.list_prefix("")})


def check(kind: str, path: str, done: int, model: list, zarr_format: int) -> Verdict:
    """Compare the store after a kill with the model states ``done`` and ``done + 1``."""
    from zarrc.errors import ZarrcError

    verdict = Verdict()
    store = open_store(kind, path, "r")
    try:
        _check(kind, path, done, model, zarr_format, store, verdict)
    except ZarrcError as exc:  # a document or chunk the store tore: never another error
        if kind != "fsspec":
            raise
        verdict.torn += 1
        verdict.problems.append(f"torn: {exc}")
    finally:
        store.close()
    return verdict


def _check(kind, path, done, model, zarr_format, store, verdict) -> None:
    import zarrc
    from zarrc import nodes

    allowed = model[done:done + 2]
    g = zarrc.open_group(store, mode="r", use_consolidated=False)
    a = g["a"]
    if a.shape not in [s.shape for s in allowed]:
        verdict.bad_metadata += 1
        verdict.problems.append(f"shape {a.shape}")
    values = a[...]
    window = tuple(slice(0, n) for n in a.shape)
    ok = np.zeros(a.shape, bool)
    for s in allowed:
        ok |= values == s.canvas[window]
    verdict.bad_values += int((~ok).sum())
    for what, got, expected in (("array attrs", dict(a.attrs), [s.array_attrs for s in allowed]),
                                ("group attrs", dict(g.attrs), [s.group_attrs for s in allowed]),
                                ("members", frozenset(g), [s.members for s in allowed])):
        if got not in expected:
            verdict.bad_metadata += 1
            verdict.problems.append(f"{what} {got}")
    # Grow the array to the canvas by its metadata alone, in a copy: whatever shows outside
    # the shape it had is data a resize dropped and left behind.
    copy = snapshot(store)
    meta = nodes.read_node_metadata(copy, "a")
    nodes.write_node_document(copy, "a", meta.evolve(shape=CANVAS))
    grown = zarrc.open_array(copy, path="a", mode="r")[...]
    hidden = np.ones(CANVAS, bool)
    hidden[:a.shape[0], :a.shape[1]] = False
    verdict.resurrected += int((grown[hidden] != FILL).sum())
    if kind == "zip":  # zarr-python reads the archive as zarrc does
        import zarr

        zs = zarr.storage.ZipStore(path, mode="r")
        z = zarr.open_array(zs, path="a", mode="r", zarr_format=zarr_format)
        if not np.array_equal(z[...], values):
            verdict.bad_values += 1
            verdict.problems.append("zarr-python reads other values")
        zs.close()
