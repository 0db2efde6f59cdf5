"""zarrc reads the zarr-python 2.18 fixtures of tests/data/v2 exactly as zarr 2 wrote them.

The expected values are regenerated from manifest.json (generator + written region + fill value,
see datagen.py), never copied from a reader; tests/data/make_v2_fixtures.py made the fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import checks
import datagen
import numpy as np
import pytest
from cases import tree_children

pytestmark = pytest.mark.interop

DATA = Path(__file__).resolve().parents[1] / "data" / "v2"
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
TREE = MANIFEST["groups"][0]


def _id(entry):
    return entry["path"]


def check_array(a, entry, what):
    """Everything zarr 2 stored for ``entry`` is what zarrc's Array reports."""
    import zarrc

    dtype = np.dtype(entry["dtype"])
    assert isinstance(a, zarrc.Array), f"{what}: {type(a).__name__} is not zarrc.Array"
    assert a.zarr_format == 2
    assert a.shape == tuple(entry["shape"]), what
    assert a.ndim == len(entry["shape"]), what
    assert a.chunks == tuple(entry["chunks"]), what
    assert a.dtype == dtype, f"{what}: dtype {a.dtype} != {dtype}"
    assert a.order == entry["order"], what
    fill = datagen.decode_v2_fill(entry["fill_value"], dtype)
    checks.assert_fill(a.fill_value, fill, dtype, what)  # null -> None, as zarr-python 3 says
    assert dict(a.attrs) == entry["attributes"], what
    checks.assert_doc_contains(a.metadata.to_dict(), checks.read_doc(DATA / entry["path"], 2), what)
    assert a.nchunks_initialized == len(entry["chunk_keys"]), what
    expected = datagen.expected_array(dtype, tuple(entry["shape"]), entry["generator"],
                                      entry["written"], fill)
    # SPEC: a[...] is np.asarray(a)[...], a 0-d ndarray for shapes/0d (zarr-python 3 returns
    # a NumPy scalar there).
    checks.assert_values(a[...], expected, what=what)


@pytest.mark.parametrize("entry", MANIFEST["arrays"], ids=_id)
def test_read_fixture(entry):
    import zarrc

    a = zarrc.open_array(str(DATA / entry["path"]), mode="r")
    check_array(a, entry, entry["path"])


@pytest.mark.parametrize("entry", MANIFEST["filters"], ids=_id)
def test_read_filter_fixture(entry):
    """Filter chains; skipped (with the codec's name) while zarrc reports it as unknown."""
    import zarrc

    ids = [f["id"] for f in entry["filters"]]
    try:
        a = zarrc.open_array(str(DATA / entry["path"]), mode="r")
        a[(0,) * len(entry["shape"])]
    except Exception as exc:
        if checks.optional_codec_unsupported(exc, ids):
            pytest.skip(f"zarrc does not support v2 filter(s) {ids} yet: {exc}")
        raise
    check_array(a, entry, entry["path"])


def test_manifest_covers_the_matrix():
    """The fixture set holds every dtype, compressor, order and separator it claims to."""
    arrays = MANIFEST["arrays"]
    dtypes = {e["dtype"] for e in arrays}
    assert {"|b1", "<i8", "<u8", "<f2", ">c16", "|S5", "<U4", "<M8[ns]", "<m8[s]"} <= dtypes
    assert {e["compressor_name"] for e in arrays} >= {"none", "zlib", "gzip", "zstd", "lz4",
                                                        "bz2", "lzma", "blosc_lz4_shuffle"}
    assert {(e["order"], e["dimension_separator"]) for e in arrays} == {
        ("C", "."), ("C", "/"), ("F", "."), ("F", "/")}
    assert any(e["written"] is None for e in arrays)  # never-written arrays
    assert any(isinstance(e["written"], list) for e in arrays)  # missing chunks


def check_tree(g, nodes):
    """Group ``g`` has exactly the members, kinds and attributes of the manifest tree."""
    import zarrc

    assert isinstance(g, zarrc.Group)
    assert dict(g.attrs) == nodes[""]["attributes"]
    for path, node in nodes.items():
        member = g[path] if path else g
        if node["kind"] == "group":
            assert isinstance(member, zarrc.Group), path
            assert set(member) == tree_children(nodes, path), path
            assert dict(member.attrs) == node["attributes"], path
        else:
            check_array(member, node["array"], path)
    assert set(g) == tree_children(nodes, "")
    assert "a" in g and "a/b/y" in g and "nope" not in g
    text = str(g.tree())
    for path in nodes:
        if path:
            assert path.rsplit("/", 1)[-1] in text, f"{path} missing from tree():\n{text}"


@pytest.mark.parametrize("variant", ["as-written", "without-zmetadata", "zmetadata-only"])
def test_read_group_tree(variant, tmp_path):
    """The tree with and without .zmetadata; "zmetadata-only" deletes every member document,
    so the members are known only through the consolidated metadata, as zarr-python 3 reads it.
    """
    import zarr

    import zarrc

    root = tmp_path / "tree"
    shutil.copytree(DATA / TREE["path"], root)
    if variant == "without-zmetadata":
        os.remove(root / ".zmetadata")
    if variant == "zmetadata-only":
        checks.strip_member_docs(root)
        # Oracle: zarr-python 3 opens a group through its .zmetadata by default.
        oracle = zarr.open_group(str(root), mode="r")
        assert set(oracle["a"].keys()) == tree_children(TREE["nodes"], "a")
    check_tree(zarrc.open_group(str(root), mode="r"), TREE["nodes"])


def test_open_detects_kind():
    """``zarrc.open`` returns an Array for an array path and a Group for a group path."""
    import zarrc

    root = str(DATA / TREE["path"])
    assert isinstance(zarrc.open(root, mode="r"), zarrc.Group)
    assert isinstance(zarrc.open(root, mode="r", path="a/x"), zarrc.Array)
    assert isinstance(zarrc.open(str(DATA / "shapes" / "1d"), mode="r"), zarrc.Array)


def test_fixture_is_read_only(tmp_path):
    """mode="r" never writes: a read-only open refuses assignment with ReadOnlyError."""
    import zarrc

    a = zarrc.open_array(str(DATA / "compressors" / "zstd-i4-C-dot"), mode="r")
    with pytest.raises(zarrc.errors.ReadOnlyError):
        a[0, 0] = 1
