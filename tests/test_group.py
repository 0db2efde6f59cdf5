"""Groups: hierarchy, members, attributes, tree, consolidated metadata — in both formats."""

import numpy as np
import pytest

import zarrc
from zarrc.storage import MemoryStore

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


def build(store, zarr_format):
    root = zarrc.group(store, zarr_format=zarr_format, attributes={"title": "demo"})
    root.create_array("temp", shape=(4, 5), dtype="f4", chunks=(2, 5))[...] = 1.5
    sub = root.create_group("sub", attributes={"level": 1})
    sub.create_array("deep", shape=(3,), dtype="i8")[...] = [1, 2, 3]
    sub.create_group("empty")
    return root


@FORMATS
def test_hierarchy_members(tmp_path, zarr_format):
    root = build(str(tmp_path / "h.zarr"), zarr_format)
    g = zarrc.open_group(str(tmp_path / "h.zarr"), mode="r")
    assert g.zarr_format == zarr_format
    assert list(g) == ["sub", "temp"] and len(g) == 2
    assert "temp" in g and "sub/deep" in g and "nope" not in g and 5 not in g
    assert [n for n, _ in g.arrays()] == ["temp"] and [n for n, _ in g.groups()] == ["sub"]
    np.testing.assert_array_equal(g["sub/deep"][...], [1, 2, 3])
    np.testing.assert_array_equal(g["sub"]["deep"][...], [1, 2, 3])
    assert g["sub"].path == "sub" and g["sub/deep"].path == "sub/deep"
    assert dict(g.attrs) == {"title": "demo"} and dict(g["sub"].attrs) == {"level": 1}
    assert isinstance(zarrc.open(str(tmp_path / "h.zarr"), path="sub/deep", mode="r"), zarrc.Array)
    assert root.require_group("sub").path == "sub"
    assert root.require_group("new").path == "new"


@FORMATS
def test_tree(zarr_format):
    root = build(MemoryStore(), zarr_format)
    text = str(root.tree())
    lines = text.splitlines()
    assert lines[0] == "/"
    assert any("temp (4, 5) float32" in line for line in lines)
    assert any("deep (3,) int64" in line for line in lines)
    assert text.index("sub") < text.index("deep")
    assert "deep" not in str(root.tree(max_depth=1))


@FORMATS
def test_delete_member(zarr_format):
    store = MemoryStore()
    root = build(store, zarr_format)
    del root["sub"]
    assert list(root) == ["temp"]
    assert not any(k.startswith("sub/") for k in store.list_prefix(""))
    with pytest.raises(KeyError):
        del root["sub"]


def test_nested_create_makes_parents():
    store = MemoryStore()
    zarrc.create_array(store, name="a/b/c", shape=(2,), dtype="u1")
    root = zarrc.open_group(store, mode="r")
    assert list(root) == ["a"] and list(root["a"]) == ["b"]
    assert isinstance(root["a/b/c"], zarrc.Array)


@FORMATS
def test_consolidated_metadata(zarr_format):
    store = MemoryStore()
    build(store, zarr_format)
    g = zarrc.consolidate_metadata(store)
    assert list(g) == ["sub", "temp"]
    if zarr_format == 2:
        assert store.exists(".zmetadata")
    else:
        assert "consolidated_metadata" in g.metadata.to_dict()
    # Members come from the consolidated document: delete the member documents to prove it.
    for key in list(store.list_prefix("")):
        if key.startswith("sub/") and key.rsplit("/", 1)[-1] in ("zarr.json", ".zgroup", ".zattrs"):
            store.delete(key)
    c = zarrc.open_consolidated(store)
    assert list(c) == ["sub", "temp"]
    assert list(c["sub"]) == ["deep", "empty"] if zarr_format == 3 else True
    np.testing.assert_array_equal(c["temp"][...], np.full((4, 5), 1.5, "f4"))


def test_attributes_of_a_v2_group_opened_consolidated():
    """A v2 group opened through .zmetadata keeps its consolidated members after an attribute
    change (the handle re-adopts its .zattrs; it used to fail passing the consolidated
    metadata object where its entries were expected)."""
    store = MemoryStore()
    build(store, 2)
    zarrc.consolidate_metadata(store)
    g = zarrc.open_consolidated(store, mode="r+")
    g.attrs["x"] = 1
    assert dict(g.attrs) == {"title": "demo", "x": 1}
    assert dict(zarrc.open_group(store, mode="r").attrs) == {"title": "demo", "x": 1}
    assert list(g) == ["sub", "temp"] and g.metadata.consolidated_metadata is not None
    assert list(g["sub"]) == ["deep", "empty"]


def test_open_modes(tmp_path):
    path = str(tmp_path / "m.zarr")
    with pytest.raises(KeyError):
        zarrc.open_group(path, mode="r")
    g = zarrc.open_group(path, mode="a")
    g.attrs["x"] = 1
    assert zarrc.open_group(path, mode="a").attrs["x"] == 1
    assert dict(zarrc.open_group(path, mode="w").attrs) == {}
    a = zarrc.open_array(path, mode="w", shape=(3,), dtype="i2")
    assert isinstance(zarrc.open(path, mode="r"), zarrc.Array)
    a[...] = 4
    np.testing.assert_array_equal(zarrc.load(path), [4, 4, 4])
    zarrc.save(path, np.arange(5))
    np.testing.assert_array_equal(zarrc.load(path), np.arange(5))


def test_zip_store_hierarchy(tmp_path):
    path = str(tmp_path / "h.zip")
    root = build(path, 3)
    root.store.close()
    g = zarrc.open_group(path, mode="r")
    np.testing.assert_array_equal(g["sub/deep"][...], [1, 2, 3])
    np.testing.assert_array_equal(g["temp"][...], np.full((4, 5), 1.5, "f4"))


def test_array_constructors():
    np.testing.assert_array_equal(zarrc.zeros((2, 3))[...], np.zeros((2, 3)))
    np.testing.assert_array_equal(zarrc.ones((2,), dtype="i4")[...], [1, 1])
    np.testing.assert_array_equal(zarrc.full((2,), 7.5)[...], [7.5, 7.5])
    assert zarrc.empty((4,), dtype="u1").shape == (4,)
    x = np.arange(12, dtype=">i4").reshape(3, 4)
    a = zarrc.array(x, zarr_format=2, chunks=(2, 2))
    assert a.dtype == np.dtype(">i4")
    np.testing.assert_array_equal(a[...], x)
