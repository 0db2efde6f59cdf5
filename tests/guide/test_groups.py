"""User guide, "Working with groups": hierarchy, reprs, tree, create_hierarchy, diagnostics;
plus the Group members zarr-python has (checked against it where they print)."""

from __future__ import annotations

import io
from pprint import pprint

import numpy as np
import pytest

import zarrc
from zarrc.errors import ContainsArrayError, ContainsGroupError, GroupNotFoundError


def test_nested_groups_and_member_access(same_output):
    def example(z):
        root = z.create_group(store=z.storage.MemoryStore())
        print(root)
        inner = root.create_group("x").create_group("y")
        arr = inner.create_array(name="data", shape=(30, 20), chunks=(10, 10), dtype="float32")
        print(arr)
        print(root["x"], root["x/y"], root["x/y/data"])
        print(root.tree())

    same_output(example)


def test_open_group_on_a_path_and_deep_array_names(same_output):
    def example(z):
        root = z.open_group("h.zarr", mode="w")
        print(root)
        print(root.create_array(name="p/q/r", shape=(8, 8), chunks=(4, 4), dtype="int8"))
        print(sorted(root.group_keys()), sorted(root["p"].group_keys()))

    same_output(example)


def test_create_hierarchy_fills_in_parents(same_output):
    def hierarchy(z):
        group_metadata = z.core.group.GroupMetadata
        made = dict(z.create_hierarchy(store=z.storage.LocalStore(root="tree"),
                                       nodes={"p/q": group_metadata(attributes={"k": 1})}))
        out = io.StringIO()
        pprint(made, stream=out, width=60)
        print(out.getvalue())
        print(dict(made["p/q"].attrs))

    import zarrc.core.group  # noqa: F401
    same_output(hierarchy)


def test_create_hierarchy_of_an_array_and_refusals():
    store = zarrc.storage.MemoryStore()
    a_meta = zarrc.create_array({}, shape=(3,), dtype="i2", fill_value=4).metadata
    made = dict(zarrc.create_hierarchy(store=store, nodes={"g/a": a_meta}))
    assert sorted(made) == ["", "g", "g/a"]
    np.testing.assert_array_equal(made["g/a"][:], [4, 4, 4])
    with pytest.raises(ContainsArrayError):
        dict(zarrc.create_hierarchy(store=store, nodes={"g/a": a_meta}))
    with pytest.raises(ContainsArrayError):  # nothing is written before the check fails
        zarrc.create_hierarchy(store=store, nodes={"g/a/b": zarrc.core.group.GroupMetadata()})
    assert dict(zarrc.create_hierarchy(store=store, nodes={"g/a": a_meta}, overwrite=True))


def test_info_and_info_complete(same_output):
    def example(z):
        root = z.group(store=z.storage.MemoryStore())
        sub = root.create_group("sub")
        a = sub.create_array(name="a", shape=20000, chunks=5000, dtype="int32")
        a[:] = 3
        b = sub.create_array(name="b", shape=(40, 40), chunks=(20, 20), dtype="float64")
        b[:] = 0.5
        print(root.info)
        print(sub.info)
        print(root.info_complete())
        print(a.info_complete())
        print(b.info)
        print(root.tree())

    same_output(example)


def test_member_listing_and_counts(same_output):
    def example(z):
        g = z.create_group({})
        g.create_group("b").create_group("c").create_array("d", shape=(1,), dtype="i1")
        g.create_array("a", shape=(2,), dtype="i1")
        # zarr-python lists in the store's order, zarrc sorted by name: compare as sets
        print(sorted(k for k, _ in g.members()), sorted(k for k, _ in g.members(max_depth=None)))
        print(sorted(k for k, _ in g.members(max_depth=1)))
        print(g.nmembers(), g.nmembers(max_depth=None))
        print(list(g.array_keys()), list(g.group_keys()))
        print([v.path for v in g.array_values()], [v.path for v in g.group_values()])

    same_output(example)
    g = zarrc.create_group({})
    for name in ("c", "a", "b"):
        g.create_group(name).create_array("x", shape=(1,), dtype="i1")
    assert [k for k, _ in g.members(max_depth=None)] == ["a", "b", "c", "a/x", "b/x", "c/x"]


def test_creation_shortcuts(same_output):
    def example(z):
        g = z.create_group({})
        print(g.zeros(name="z", shape=(3,))[:], g.ones(name="o", shape=(2,), dtype="i4")[:])
        print(g.full(name="f", shape=(2,), fill_value=2.5)[:], g.empty(name="e", shape=(4,)))
        print(g.array("d", shape=(4,), dtype="i8", data=np.arange(4))[:],
              g.create_dataset("s", shape=(2,), dtype="u1"))
        print(g.require_group("new"), g.require_array("z", shape=(3,))[:])
        print(g.zeros_like(name="zl", data=np.ones((2, 2)))[:])

    same_output(example)


def test_require_array_checks_the_existing_one():
    g = zarrc.create_group({})
    g.create_array("a", shape=(4,), dtype="int16")
    assert g.require_dataset("a", shape=(4,), dtype="int32").shape == (4,)
    with pytest.raises(TypeError, match="shape"):
        g.require_array("a", shape=(5,))
    g.create_group("grp")
    with pytest.raises(ContainsGroupError):
        g.require_array("grp", shape=(1,))


def test_move_renames_a_subtree():
    g = zarrc.create_group({})
    a = g.create_group("src").create_array("x", shape=(3,), dtype="i4")
    a[:] = [1, 2, 3]
    g.move("src", "dst/deeper")
    assert "src" not in g and list(g["dst"].group_keys()) == ["deeper"]
    np.testing.assert_array_equal(g["dst/deeper/x"][:], [1, 2, 3])
    g.create_array("other", shape=(1,), dtype="i1")
    with pytest.raises(ContainsArrayError):
        g.move("dst", "other")


def test_group_equality_update_attributes_and_setitem():
    store = zarrc.storage.MemoryStore()
    g = zarrc.create_group(store)
    assert g == zarrc.open_group(store, mode="r+") and g != zarrc.create_group({})
    assert g.update_attributes({"a": 1}) is g and dict(zarrc.open_group(store).attrs) == {"a": 1}
    g["vals"] = np.arange(5)
    np.testing.assert_array_equal(g["vals"][:], np.arange(5))
    with pytest.raises(GroupNotFoundError):
        zarrc.open_group({}, mode="r")


def test_create_hierarchy_refuses_a_node_below_an_array_it_creates():
    a_meta = zarrc.create_array({}, shape=(3,), dtype="i2").metadata
    store = zarrc.storage.MemoryStore()
    with pytest.raises(ContainsArrayError, match="below"):
        zarrc.create_hierarchy(store=store, nodes={"a": a_meta,
                                                   "a/b": zarrc.core.group.GroupMetadata()})
    assert store.list_prefix("") == []
