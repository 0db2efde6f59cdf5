"""zarr-python 2.18 as a live peer (zarr2_peer.py in its own venv, $ZARRC_ZARR2_PYTHON).

One subprocess writes every case with zarr 2, one reads back every case zarrc wrote: the matrix
is cases.matrix(2) (dtype x compressor x order x separator, fill values, shapes) plus the test
group tree with consolidated metadata. Skipped when $ZARRC_ZARR2_PYTHON is not set.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cases
import checks
import datagen
import numpy as np
import pytest
import writing

pytestmark = pytest.mark.interop

# No "fill_value": null case: zarr 2 returns uninitialized memory for the missing chunks of such
# an array, so there is nothing to compare (zarr-python 3 and tensorstore return zeros).
CASES = cases.matrix(2, null_fill=False)
TREE = "tree"


def zarr2_quirk(case):
    """The .zarray key where zarr 2.18 stores something other than what it was asked for.

    zarrc (like zarr-python 3) stores what it is asked for; these keys are then not compared
    with zarr 2's document, and the test asserts zarr 2's value instead, so a fixed zarr 2
    shows up here.
    """
    if case.label == "fill-negzero":
        return "fill_value", 0.0  # zarr 2 drops the sign of a -0.0 fill value
    if case.shape == ():
        return "compressor", None  # zarr 2 stores no compressor for a 0-d array
    return None, None


@dataclasses.dataclass
class Exchange:
    """Everything the two batched zarr 2 calls produced, looked up per case id."""

    by_zarr2: Path
    by_zarrc: Path
    written: dict  # case id -> zarr2_peer write result (its .zarray, chunk keys)
    tree_written: list  # zarr2_peer results of writing the tree
    zarrc_errors: dict  # case id -> exception zarrc raised while writing
    read: dict  # case id (or tree member path) -> zarr2_peer read result
    npy: Path


def _tree_peer_cases(root):
    out = [{"kind": "group", "path": f"{root}/{p}".rstrip("/"), "attributes": a}
           for p, a in cases.TREE_GROUPS.items()]
    out += [c.peer_case(f"{root}/{p}") for p, c in cases.tree_arrays(2).items()]
    return [*out, {"kind": "consolidate", "path": root}]


@pytest.fixture(scope="module")
def exchange(zarr2_run, tmp_path_factory):
    """zarr 2 writes all cases; zarrc writes all cases; zarr 2 reads all of zarrc's."""
    import zarrc

    base = tmp_path_factory.mktemp("zarr2_live")
    by_zarr2, by_zarrc, npy = base / "by_zarr2", base / "by_zarrc", base / "npy"
    npy.mkdir()
    results = zarr2_run({"op": "write", "root": str(by_zarr2),
                         "cases": [c.peer_case(c.id) for c in CASES] + _tree_peer_cases(TREE)})
    written = {r["path"]: r for r in results[:len(CASES)]}
    errors = {}
    for case in CASES:
        try:
            writing.write_case(case, by_zarrc / case.id, "zarrc")
        except Exception as exc:  # reported by the case's own test
            errors[case.id] = exc
    reads = [{"kind": "array", "path": c.id, "out": str(npy / f"{c.id}.npy")}
             for c in CASES if c.id not in errors]
    try:
        writing.write_tree(2, by_zarrc / TREE, "zarrc")
        zarrc.consolidate_metadata(str(by_zarrc / TREE))
        reads += [{"kind": "array", "path": f"{TREE}/{p}", "out": str(npy / f"tree-{i}.npy")}
                  for i, p in enumerate(cases.tree_arrays(2))]
        reads += [{"kind": "group", "path": TREE, "consolidated": flag} for flag in (False, True)]
    except Exception as exc:
        errors[TREE] = exc
    read = {}
    for r, req in zip(zarr2_run({"op": "read", "root": str(by_zarrc), "cases": reads}), reads):
        read[(r["path"], req.get("consolidated"))] = r | {"out": req.get("out")}
    return Exchange(by_zarr2, by_zarrc, written, results[len(CASES):], errors, read, npy)


def _peer_ok(result, what):
    assert result["error"] is None, f"{what}: zarr 2 failed: {result.get('traceback')}"
    return result


def _zarrc_wrote(exchange, key, optional=()):
    """Re-raise zarrc's write error for ``key`` (or skip for an optional codec)."""
    exc = exchange.zarrc_errors.get(key)
    if exc is not None:
        if checks.optional_codec_unsupported(exc, optional):
            pytest.skip(f"zarrc does not support {optional} yet: {exc}")
        raise exc


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarr2_writes_zarrc_reads(case, exchange):
    import zarrc

    what = f"zarrc reading zarr 2's {case}"
    result = _peer_ok(exchange.written[case.id], what)
    path = exchange.by_zarr2 / case.id
    try:
        a = zarrc.open_array(str(path), mode="r")
        values = a[...]
    except Exception as exc:
        if checks.optional_codec_unsupported(exc, case.spec().optional):
            pytest.skip(f"zarrc does not support {case.spec().optional} yet: {exc}")
        raise
    assert a.zarr_format == 2 and a.shape == case.shape and a.chunks == case.chunks, what
    assert a.dtype == case.np_dtype and a.order == case.order, what
    # the fill value zarr 2 stored (see zarr2_quirk) is the one missing chunks read as
    fill = datagen.decode_v2_fill(result["zarray"]["fill_value"], case.dtype)
    checks.assert_fill(a.fill_value, fill, case.dtype, what)
    assert dict(a.attrs) == case.attributes, what
    checks.assert_doc_contains(a.metadata.to_dict(), result["zarray"], what)
    assert a.nchunks_initialized == len(result["chunk_keys"]), what
    expected = datagen.expected_array(case.np_dtype, case.shape, case.generator, case.region,
                                      fill)
    checks.assert_values(values, expected, what=what)


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarrc_writes_zarr2_reads(case, exchange):
    what = f"zarr 2 reading zarrc's {case}"
    _zarrc_wrote(exchange, case.id, case.spec().optional)
    result = _peer_ok(exchange.read[(case.id, None)], what)
    assert result["dtype"] == case.np_dtype.str, what
    assert result["shape"] == list(case.shape) and result["chunks"] == list(case.chunks), what
    assert result["order"] == case.order, what
    assert result["dimension_separator"] == (case.sep or "."), what
    fill = datagen.fill_bytes(case.fill_value, case.np_dtype)
    assert result["fill_value_hex"] == (None if fill is None else fill.hex()), what
    assert result["attributes"] == case.attributes, what
    requested = case.v2_codecs()
    checks.assert_codec_config_compatible(requested["compressor"], result["compressor"], what)
    assert len(requested["filters"] or ()) == len(result["filters"] or ()), what
    for ours, theirs in zip(requested["filters"] or (), result["filters"] or ()):
        checks.assert_codec_config_compatible(ours, theirs, what)
    values = np.load(result["out"], allow_pickle=False)
    checks.assert_values(values, case.expected(), what=what)


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarrc_document_matches_zarr2(case, exchange):
    """The .zarray zarrc writes equals zarr 2's for the same request, key by key."""
    what = f"{case}: zarrc's .zarray vs zarr 2's"
    _zarrc_wrote(exchange, case.id, case.spec().optional)
    theirs = _peer_ok(exchange.written[case.id], what)["zarray"]
    ours = checks.read_doc(exchange.by_zarrc / case.id, 2)
    quirk, zarr2_value = zarr2_quirk(case)
    if quirk:
        assert theirs[quirk] == zarr2_value, f"{what}: zarr 2's {quirk} changed: {theirs[quirk]}"
    for key in ("zarr_format", "shape", "chunks", "dtype", "order", "fill_value"):
        if key != quirk:
            assert ours.get(key) == theirs.get(key), f"{what}: {key}"
    # zarr 2.18 omits "dimension_separator" when it is the default "."
    assert ours.get("dimension_separator", ".") == theirs.get("dimension_separator", "."), what
    if quirk != "compressor":
        checks.assert_codec_config_compatible(ours["compressor"], theirs["compressor"], what)
    assert len(ours.get("filters") or ()) == len(theirs.get("filters") or ()), what
    for a, b in zip(ours.get("filters") or (), theirs.get("filters") or ()):
        checks.assert_codec_config_compatible(a, b, what)


def test_zarr2_tree_to_zarrc(exchange, tmp_path):
    """zarrc reads zarr 2's consolidated tree, also with only .zmetadata left."""
    import shutil

    import zarrc

    for result in exchange.tree_written:
        _peer_ok(result, f"zarr 2 writing {result['path']}")
    checks.check_tree(zarrc.open_group(str(exchange.by_zarr2 / TREE), mode="r"), 2,
                      zarrc.Array, zarrc.Group)
    copy = tmp_path / TREE
    shutil.copytree(exchange.by_zarr2 / TREE, copy)
    checks.strip_member_docs(copy)
    checks.check_tree(zarrc.open_group(str(copy), mode="r"), 2, zarrc.Array, zarrc.Group)


@pytest.mark.parametrize("consolidated", [False, True], ids=["plain", "open_consolidated"])
def test_zarrc_tree_to_zarr2(consolidated, exchange):
    """zarr 2 sees zarrc's tree (members, kinds, attributes, values), consolidated or not."""
    _zarrc_wrote(exchange, TREE)
    result = _peer_ok(exchange.read[(TREE, consolidated)], "tree")
    arrays = cases.tree_arrays(2)
    assert result["attributes"] == cases.TREE_GROUPS[""]
    expected = {p: {"kind": "group", "attributes": a} for p, a in cases.TREE_GROUPS.items() if p}
    expected |= {p: {"kind": "array", "attributes": c.attributes} for p, c in arrays.items()}
    assert result["nodes"] == expected
    for apath, case in arrays.items():
        r = _peer_ok(exchange.read[(f"{TREE}/{apath}", None)], apath)
        checks.assert_values(np.load(r["out"]), case.expected(), what=apath)


def test_case_ids_are_unique():
    """Case ids name directories of the batch: they must not collide."""
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
