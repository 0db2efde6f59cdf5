"""zarr-python 2.18 as a live peer: write or read many arrays/groups in one process.

Runs under the pinned zarr 2 venv (``.ci/zarr2-peer.sh`` prints its python), never in the main
venv, because zarr 2 and zarr 3 cannot share one. It imports only zarr 2, numcodecs, NumPy and the
sibling ``datagen`` module. ``tests/data/make_v2_fixtures.py`` reuses `write_array`/`write_group`.

Command (JSON, as argv[1], as a path to a JSON file in argv[1], or on stdin)::

    {"op": "write", "root": DIR, "cases": [CASE, ...]}
    {"op": "read",  "root": DIR, "cases": [{"path": P, "kind": "array", "out": FILE.npy}
                                           | {"path": P, "kind": "group", "consolidated": bool}]}

A write CASE is ``{"kind": "array", "path", "dtype", "shape", "chunks", "order",
"dimension_separator", "compressor" (numcodecs config or null), "filters" (list or null),
"fill_value" (v2 JSON encoding), "generator" ({"name", "params"}, see datagen), "written"
("all" | null | [[start, stop], ...]), "attributes", "write_empty_chunks"}``, or
``{"kind": "group", "path", "attributes"}``, or ``{"kind": "consolidate", "path"}``.
The answer on stdout is ``{"results": [...]}``, one entry per case, each with ``"error"`` (a
string, or null) so that one bad case does not hide the others.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import numcodecs
import numpy as np
import zarr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datagen


def _codec(config):
    """Return a numcodecs codec from its config dict (None stays None)."""
    return None if config is None else numcodecs.get_codec(dict(config))


def chunk_keys(path):
    """List the stored chunk keys of the array directory ``path`` (no metadata files)."""
    keys = []
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            if not f.startswith("."):
                keys.append(os.path.relpath(os.path.join(dirpath, f), path).replace(os.sep, "/"))
    return sorted(keys)


def write_array(root, case):
    """Create the array described by ``case`` under ``root`` with zarr 2 and write its data."""
    path = os.path.join(root, case["path"])
    dtype = np.dtype(case["dtype"])
    fill = datagen.decode_v2_fill(case.get("fill_value"), dtype)
    z = zarr.open_array(
        path,
        mode="w",
        shape=tuple(case["shape"]),
        chunks=tuple(case["chunks"]),
        dtype=dtype,
        compressor=_codec(case.get("compressor")),
        filters=[_codec(f) for f in case["filters"]] if case.get("filters") else None,
        fill_value=fill,
        order=case.get("order", "C"),
        dimension_separator=case.get("dimension_separator") or ".",
        write_empty_chunks=case.get("write_empty_chunks", True),
    )
    if case.get("attributes"):
        z.attrs.update(case["attributes"])
    written = case.get("written", "all")
    if written is not None and z.size:
        data = datagen.generate(case["generator"], dtype, tuple(case["shape"]))
        sel = Ellipsis if written == "all" else datagen.region_slices(written)
        z[sel] = data[sel]
    with open(os.path.join(path, ".zarray")) as fh:
        zarray = json.load(fh)
    return {"path": case["path"], "zarray": zarray, "chunk_keys": chunk_keys(path)}


def write_group(root, case):
    """Create a group (and its parents) with ``case['attributes']``."""
    g = zarr.open_group(os.path.join(root, case["path"]), mode="a")
    if case.get("attributes"):
        g.attrs.update(case["attributes"])
    return {"path": case["path"]}


def consolidate(root, case):
    """Write ``.zmetadata`` for the group at ``case['path']``."""
    zarr.consolidate_metadata(os.path.join(root, case["path"]))
    return {"path": case["path"]}


def _config(codec):
    return None if codec is None else codec.get_config()


def read_array(root, case):
    """Read an array with zarr 2; save its values to ``case['out']`` and describe it."""
    z = zarr.open_array(os.path.join(root, case["path"]), mode="r")
    np.save(case["out"], z[...], allow_pickle=False)
    fill = z.fill_value
    return {
        "path": case["path"],
        "kind": "array",
        "dtype": z.dtype.str,
        "shape": list(z.shape),
        "chunks": list(z.chunks),
        "order": z.order,
        "fill_value_hex": None if fill is None else datagen.fill_bytes(fill, z.dtype).hex(),
        "compressor": _config(z.compressor),
        "filters": None if not z.filters else [_config(f) for f in z.filters],
        "attributes": dict(z.attrs),
        "dimension_separator": z._dimension_separator or ".",
    }


def read_group(root, case):
    """Describe a group tree read with zarr 2 (through ``.zmetadata`` if asked)."""
    path = os.path.join(root, case["path"])
    g = zarr.open_consolidated(path, mode="r") if case.get("consolidated") else zarr.open_group(
        path, mode="r"
    )
    nodes = {}

    def visit(name, node):
        kind = "array" if isinstance(node, zarr.Array) else "group"
        nodes[name] = {"kind": kind, "attributes": dict(node.attrs)}

    g.visititems(visit)
    return {"path": case["path"], "kind": "group", "attributes": dict(g.attrs), "nodes": nodes}


WRITERS = {"array": write_array, "group": write_group, "consolidate": consolidate}
READERS = {"array": read_array, "group": read_group}


def run(command):
    """Execute one command dict and return the answer dict."""
    table = WRITERS if command["op"] == "write" else READERS
    results = []
    for case in command["cases"]:
        try:
            result = table[case.get("kind", "array")](command["root"], case)
            result["error"] = None
        except Exception as exc:  # reported per case; the caller asserts on it
            result = {"path": case.get("path"), "error": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()}
        results.append(result)
    return {"results": results, "zarr": zarr.__version__, "numcodecs": numcodecs.__version__}


def _load_command(argv):
    if len(argv) > 1:
        arg = argv[1]
        if arg.lstrip().startswith("{"):
            return json.loads(arg)
        with open(arg) as fh:
            return json.load(fh)
    return json.load(sys.stdin)


def main(argv=None):
    """Read the command, run it, print the JSON answer."""
    answer = run(_load_command(sys.argv if argv is None else argv))
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
