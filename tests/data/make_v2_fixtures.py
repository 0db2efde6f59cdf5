"""Write the zarr v2 fixtures under tests/data/v2/ with zarr-python 2.18, plus manifest.json.

Run it in the pinned venv (tests/data/v2-fixtures-requirements.txt)::

    python=$(bash .ci/zarr2-peer.sh) && "$python" tests/data/make_v2_fixtures.py

Every array's values come from a named generator in tests/interop/datagen.py, so the test
regenerates the expected values from the manifest instead of trusting a stored copy. Sections:
``arrays`` (dtype, compressor, order, separator, fill value, shape and missing-chunk cases),
``filters`` (delta/shuffle/fixedscaleoffset filter chains, which zarrc may not support yet) and
``groups`` (a tree with attributes and consolidated metadata).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))

import datagen  # noqa: E402
import numcodecs  # noqa: E402
import numpy as np  # noqa: E402
import zarr  # noqa: E402
import zarr2_peer  # noqa: E402

OUT = os.path.join(HERE, "v2")
SHAPE, CHUNKS = [5, 7], [3, 4]  # 2 x 2 chunks; the last row and column of chunks are partial

DTYPES = [
    "|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
    "<f2", "<f4", "<f8", "<c8", "<c16", ">i4", ">f8", ">c16",
    "|S5", "<U4", "<M8[ns]", "<m8[s]", "<M8[D]",
]


def blosc(cname, clevel, shuffle, blocksize=0):
    return {"id": "blosc", "cname": cname, "clevel": clevel, "shuffle": shuffle,
            "blocksize": blocksize}


COMPRESSORS = {
    "none": None,
    "zlib": {"id": "zlib", "level": 1},
    "gzip": {"id": "gzip", "level": 5},
    "zstd": {"id": "zstd", "level": 3},
    "zstd_checksum": {"id": "zstd", "level": 1, "checksum": True},
    "lz4": {"id": "lz4", "acceleration": 1},
    "bz2": {"id": "bz2", "level": 9},
    "lzma": {"id": "lzma", "preset": 1},
    "blosc_lz4_shuffle": blosc("lz4", 5, 1),
    "blosc_zstd_bitshuffle": blosc("zstd", 3, 2),
    "blosc_zlib_noshuffle": blosc("zlib", 1, 0),
    "blosc_blosclz_shuffle": blosc("blosclz", 9, 1),
    "blosc_lz4hc_autoshuffle": blosc("lz4hc", 5, -1),
    "blosc_zstd_shuffle_blocksize": blosc("zstd", 1, 1, blocksize=64),
}
SEP_NAME = {".": "dot", "/": "slash"}


def ramp(dtype, **override):
    params = datagen.default_params(dtype)
    params.update(override)
    return {"name": "ramp", "params": params}


def array_case(path, dtype, compressor="blosc_lz4_shuffle", order="C", sep=".", *, shape=SHAPE,
               chunks=CHUNKS, fill=0, written="all", generator=None, filters=None,
               attributes=None, write_empty_chunks=True):
    """Return one manifest entry (also a zarr2_peer write case)."""
    return {
        "kind": "array", "path": path, "dtype": dtype, "shape": list(shape),
        "chunks": list(chunks), "order": order, "dimension_separator": sep,
        "compressor": COMPRESSORS[compressor], "compressor_name": compressor,
        "filters": filters, "fill_value": datagen.encode_v2_fill(fill, dtype),
        "generator": generator or ramp(dtype), "written": written,
        "attributes": attributes or {}, "write_empty_chunks": write_empty_chunks,
    }


def short(dtype):
    return dtype.replace("<", "").replace("|", "").replace(">", "be-").replace("[", "-").strip("]")


def dtype_cases():
    """Every dtype with the default blosc, with zlib in F order / "/", and uncompressed."""
    for dt in DTYPES:
        fill = b"" if dt == "|S5" else ("" if dt == "<U4" else 0)
        for comp, order, sep in [("blosc_lz4_shuffle", "C", "."), ("zlib", "F", "/"),
                                 ("none", "C", "/")]:
            name = f"dtypes/{short(dt)}-{comp}-{order}-{SEP_NAME[sep]}"
            yield array_case(name, dt, comp, order, sep, fill=fill)


def compressor_cases():
    """Every compressor with three dtype/order/separator combinations."""
    for comp in COMPRESSORS:
        for dt, order, sep in [("<i4", "C", "."), ("<f8", "F", "/"), ("|u1", "C", "/"),
                               (">i4", "F", ".")]:
            name = f"compressors/{comp}-{short(dt)}-{order}-{SEP_NAME[sep]}"
            yield array_case(name, dt, comp, order, sep)


# (name, dtype, fill value, written region): missing chunks must read as the fill value.
ALIGNED, UNALIGNED = [[0, 3], [0, 4]], [[1, 4], [2, 6]]
FILL_CASES = [
    ("f8-nan", "<f8", np.nan, UNALIGNED),
    ("f4-inf", "<f4", np.inf, ALIGNED),
    ("f2-neginf", "<f2", -np.inf, UNALIGNED),
    ("f8-negzero", "<f8", -0.0, ALIGNED),
    ("be-f8-nan", ">f8", np.nan, ALIGNED),
    ("c16-complex", "<c16", complex(1.5, -2.0), UNALIGNED),
    ("c8-nan-neginf", "<c8", complex(np.nan, -np.inf), ALIGNED),
    ("S5-bytes", "|S5", b"ab", UNALIGNED),
    ("U4-unicode", "<U4", "éa", ALIGNED),
    ("i2-negative", "<i2", -7, UNALIGNED),
    ("u8-max", "<u8", 2**64 - 1, ALIGNED),
    ("i8-min", "<i8", -(2**63), UNALIGNED),
    ("b1-true", "|b1", True, UNALIGNED),
    ("M8ns-nat", "<M8[ns]", np.datetime64("NaT", "ns"), ALIGNED),
    ("M8D-date", "<M8[D]", np.datetime64("2001-02-03", "D"), UNALIGNED),
    ("m8s-value", "<m8[s]", np.timedelta64(12345, "s"), ALIGNED),
    ("be-i4-42", ">i4", 42, UNALIGNED),
]


def fill_cases():
    for name, dt, fill, region in FILL_CASES:
        yield array_case(f"fill/{name}", dt, "zstd", fill=fill, written=region)
    # fill_value null with every chunk written (a null fill never reaches a reader then)
    yield array_case("fill/f8-null", "<f8", "zlib", fill=None)
    yield array_case("fill/i4-null-F", "<i4", "none", "F", "/", fill=None)
    # write_empty_chunks=False: chunks equal to the fill value are not stored at all
    yield array_case("fill/i4-skip-empty", "<i4", "zlib", fill=0, write_empty_chunks=False,
                     generator=ramp("<i4", blank={"region": ALIGNED, "value": 0}))
    yield array_case("fill/f8-skip-empty", "<f8", "none", fill=-8.0, write_empty_chunks=False,
                     generator=ramp("<f8", blank={"region": [[3, 5], [0, 7]], "value": -8.0}))


def shape_cases():
    """1-d, 3-d, 0-d, zero-size, chunks larger than the shape, unit chunks, never written."""
    yield array_case("shapes/1d", "<i8", "zstd", shape=[50], chunks=[8])
    yield array_case("shapes/3d-F-slash", "<f4", "blosc_zstd_bitshuffle", "F", "/",
                     shape=[4, 5, 6], chunks=[3, 2, 4])
    yield array_case("shapes/3d-C-dot", ">u2", "gzip", shape=[4, 5, 6], chunks=[3, 2, 4])
    yield array_case("shapes/0d", "<f8", "zlib", shape=[], chunks=[])
    yield array_case("shapes/zero-size", "<i4", "zlib", shape=[0, 5], chunks=[2, 2])
    yield array_case("shapes/big-chunks", "<i2", "lz4", shape=SHAPE, chunks=[10, 10])
    yield array_case("shapes/unit-chunks", "<u4", "none", "F", shape=[3, 4], chunks=[1, 1])
    yield array_case("shapes/attrs", "<i4", "zlib",
                     attributes={"units": "m", "scale": 0.5, "nested": {"a": [1, None, True]},
                                 "text": "ünïcödé"})
    yield array_case("empty/f8-nan", "<f8", "zstd", fill=np.nan, written=None)
    yield array_case("empty/i4-zero", "<i4", "blosc_lz4_shuffle", fill=0, written=None)
    yield array_case("empty/S5-bytes", "|S5", "none", "F", "/", fill=b"xyz", written=None)


def filter_cases():
    """Filter chains (array -> array codecs before the compressor)."""
    exact = {"specials": False}  # delta / fixed-scale-offset are exact only on finite data
    yield array_case("filters/delta-i4-zlib", "<i4", "zlib",
                     filters=[{"id": "delta", "dtype": "<i4"}])
    yield array_case("filters/delta-f8-none-F", "<f8", "none", "F",
                     filters=[{"id": "delta", "dtype": "<f8"}], generator=ramp("<f8", **exact))
    yield array_case("filters/shuffle-f8-zlib", "<f8", "zlib",
                     filters=[{"id": "shuffle", "elementsize": 8}])
    yield array_case("filters/shuffle-i4-none", "<i4", "none", "C", "/",
                     filters=[{"id": "shuffle", "elementsize": 4}])
    yield array_case("filters/delta-shuffle-i2-zstd", "<i2", "zstd",
                     filters=[{"id": "delta", "dtype": "<i2"},
                              {"id": "shuffle", "elementsize": 2}])
    yield array_case("filters/fixedscaleoffset-f8-i2", "<f8", "zlib",
                     filters=[{"id": "fixedscaleoffset", "scale": 4, "offset": 0,
                               "dtype": "<f8", "astype": "<i2"}],
                     generator=ramp("<f8", **exact))


TREE_ATTRS = {
    "": {"title": "zarrc v2 fixture tree", "version": 1,
         "nested": {"list": [1, 2.5, "x", None, True]}, "unicode": "ünï"},
    "a": {"level": 1},
    "a/b": {},
    "empty_group": {"note": "no members"},
}


def tree_cases(root):
    """A nested group tree with arrays and attributes, consolidated into .zmetadata."""
    for path, attrs in TREE_ATTRS.items():
        yield {"kind": "group", "path": f"{root}/{path}".rstrip("/"), "attributes": attrs}
    yield array_case(f"{root}/a/x", "<i2", "zlib", attributes={"units": "m"})
    yield array_case(f"{root}/a/b/y", "<f4", "none", "F", "/", fill=np.nan, written=UNALIGNED)
    yield array_case(f"{root}/z", "<U4", "zstd", fill="")
    yield {"kind": "consolidate", "path": root}


def check(case, result):
    """Read the array back with zarr 2 and compare with the regenerated expected values."""
    z = zarr.open_array(os.path.join(OUT, case["path"]), mode="r")
    fill = datagen.decode_v2_fill(result["zarray"]["fill_value"], case["dtype"])
    expected = datagen.expected_array(case["dtype"], tuple(case["shape"]), case["generator"],
                                      case["written"], fill)
    np.testing.assert_array_equal(z[...], expected)
    assert z[...].dtype == expected.dtype, (case["path"], z.dtype, expected.dtype)


def manifest_entry(case, result):
    entry = {k: v for k, v in case.items() if k != "kind"}
    zarray = result["zarray"]
    # The stored document is the truth: record exactly what zarr 2 wrote.
    entry.update(fill_value=zarray["fill_value"], compressor=zarray["compressor"],
                 filters=zarray["filters"], dtype=zarray["dtype"],
                 chunk_keys=result["chunk_keys"])
    return entry


def write_all(cases):
    """Write ``cases`` in order; return manifest entries of the arrays."""
    out = []
    for case in cases:
        result = zarr2_peer.run({"op": "write", "root": OUT, "cases": [case]})["results"][0]
        if result["error"]:
            raise RuntimeError(f"{case['path']}: {result['traceback']}")
        if case["kind"] == "array":
            check(case, result)
            out.append(manifest_entry(case, result))
    return out


def main():
    # numcodecs' gzip stamps the current time into each chunk's header; pin it so that
    # regenerating the fixtures gives the same bytes.
    gzip.time = types.SimpleNamespace(time=lambda: 1_700_000_000.0)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    arrays = write_all([*dtype_cases(), *compressor_cases(), *fill_cases(), *shape_cases()])
    filters = write_all(filter_cases())
    tree_arrays = write_all(tree_cases("tree"))
    nodes = {p: {"kind": "group", "attributes": a} for p, a in TREE_ATTRS.items()}
    for entry in tree_arrays:
        nodes[entry["path"][len("tree/"):]] = {"kind": "array", "attributes": entry["attributes"],
                                              "array": entry}
    groups = [{"path": "tree", "consolidated": True, "nodes": dict(sorted(nodes.items()))}]
    manifest = {
        "generated_by": "tests/data/make_v2_fixtures.py",
        "versions": {"zarr": zarr.__version__, "numcodecs": numcodecs.__version__,
                     "numpy": np.__version__},
        "arrays": arrays,
        "filters": filters,
        "groups": groups,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=False, ensure_ascii=False)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    nfiles = sum(len(fs) for _, _, fs in os.walk(OUT))
    print(f"{len(arrays)} arrays, {len(filters)} filter arrays, 1 tree; "
          f"{nfiles} files, {total} bytes under {OUT}")


if __name__ == "__main__":
    main()
