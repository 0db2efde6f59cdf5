"""Record how zarr-python 2.18 reads zarr-python's own format-compatibility fixture.

The fixture (``fixture/`` of zarr-developers/zarr-python at tag v2.18.7, written by zarr-python
releases from 2.1 in 2017 on) is kept as ``zarr-python-fixture/fixture-v2.18.7.tar.xz``; this script unpacks it,
opens every array and group with zarr 2 as a user would (``zarr.open_array(path, mode="r")``)
and prints, as JSON, what zarr 2 reports: dtype, shape, chunks, order, fill value (its bytes
in the dtype), attributes, and the SHA-256 of the values (C order). Run it in the pinned zarr 2
venv; ``tests/interop/test_zarr_python_fixture.py`` compares zarrc with the stored output and,
when the venv is there, reruns this script to check that output is still zarr 2's::

    python=$(bash .ci/zarr2-peer.sh)
    "$python" tests/data/record_zarr_python_fixture.py > tests/data/zarr-python-fixture/manifest.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tarfile
import tempfile

import numcodecs
import numpy as np
import zarr

HERE = os.path.dirname(os.path.abspath(__file__))
ARCHIVE = os.path.join(HERE, "zarr-python-fixture", "fixture-v2.18.7.tar.xz")
SOURCE = {"repository": "https://github.com/zarr-developers/zarr-python", "tag": "v2.18.7",
          "directory": "fixture"}


def sha256_file(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def unpack(archive, dest):
    """Extract ``archive`` into ``dest``; return (fixture root, the git commit it names)."""
    with tarfile.open(archive) as tar:
        commit = tar.pax_headers.get("comment")  # git archive records the commit here
        tar.extractall(dest, filter="data")
    return os.path.join(dest, "fixture"), commit


def nodes(root, name):
    """Relative paths (POSIX) of the directories under ``root`` holding the file ``name``."""
    found = []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        if name in files:
            found.append(os.path.relpath(dirpath, root).replace(os.sep, "/").strip("."))
    return sorted(found)


def fill_hex(fill, dtype):
    """The fill value as bytes of ``dtype`` (what a missing chunk reads as), or None."""
    return None if fill is None else np.array(fill, dtype=dtype).tobytes().hex()


def record_array(root, path):
    z = zarr.open_array(os.path.join(root, path), mode="r")
    values = z[...]
    with open(os.path.join(root, path, ".zarray"), encoding="utf-8") as fh:
        stored_fill = json.load(fh)["fill_value"]
    return {
        "path": path,
        "dtype": z.dtype.str,
        "shape": list(z.shape),
        "chunks": list(z.chunks),
        "order": z.order,
        "stored_fill_value": stored_fill,
        "fill_value_repr": repr(z.fill_value),
        "fill_value_hex": fill_hex(z.fill_value, z.dtype),
        "attributes": dict(z.attrs),
        "values_sha256": hashlib.sha256(np.asarray(values).tobytes(order="C")).hexdigest(),
        "values_head": [repr(v) for v in np.asarray(values).ravel(order="C")[:3].tolist()],
    }


def record_group(root, path):
    g = zarr.open_group(os.path.join(root, path), mode="r")
    return {"path": path, "attributes": dict(g.attrs), "groups": sorted(g.group_keys()),
            "arrays": sorted(g.array_keys())}


def record(archive):
    """The manifest: source, versions, and every array and group as zarr 2 reads them."""
    with tempfile.TemporaryDirectory() as tmp:
        root, commit = unpack(archive, tmp)
        arrays = [record_array(root, p) for p in nodes(root, ".zarray")]
        groups = [record_group(root, p) for p in nodes(root, ".zgroup")]
    return {
        "generated_by": "tests/data/record_zarr_python_fixture.py",
        "source": {**SOURCE, "commit": commit,
                   "archive": os.path.relpath(archive, HERE).replace(os.sep, "/"),
                   "archive_sha256": sha256_file(archive)},
        "read_by": {"zarr": zarr.__version__, "numcodecs": numcodecs.__version__,
                    "numpy": np.__version__},
        "arrays": arrays,
        "groups": groups,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", default=ARCHIVE)
    args = parser.parse_args(argv)
    json.dump(record(args.archive), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
