"""Node names and paths (issue 12, item 8): reserved names are refused at creation, and a
leading or trailing '/' is dropped everywhere, as docs/api.md says."""

from __future__ import annotations

import numpy as np
import pytest

import zarrc
from zarrc.storage import MemoryStore

RESERVED = ["zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata", ".zarrc-tmp-1234",
            "a/.zarray", ".zgroup/b"]


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("name", RESERVED)
def test_reserved_names_are_refused_and_nothing_is_written(name, zarr_format):
    store = MemoryStore()
    g = zarrc.group(store, zarr_format=zarr_format)
    before = dict(store.data)
    attempts = [
        lambda: g.create_group(name),
        lambda: g.create_array(name, shape=(1,), dtype="i1"),
        lambda: g.require_group(name),
        lambda: zarrc.create_array(store, name=name, shape=(1,), dtype="i1",
                                   zarr_format=zarr_format),
        lambda: zarrc.open_group(store, path=name, mode="a", zarr_format=zarr_format),
        lambda: zarrc.convert(zarrc.create_array(MemoryStore(), shape=(1,), dtype="i1"), store,
                              dest_path=name, zarr_format=zarr_format),
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="reserved"):
            attempt()
        assert dict(store.data) == before


def test_names_that_only_look_alike_are_fine():
    g = zarrc.group(MemoryStore())
    for name in ("zarr.json.bak", "zarray", ".zarrc", "x.zattrs", "c"):
        g.create_group(name)
    assert sorted(g) == sorted(("zarr.json.bak", "zarray", ".zarrc", "x.zattrs", "c"))


SPELLINGS = ["a/b", "/a/b", "a/b/", "/a/b/", "//a/b//"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_leading_or_trailing_slash_is_dropped_everywhere(spelling):
    store = MemoryStore()
    root = zarrc.group(store)
    a = zarrc.create_array(store, name=spelling, shape=(3,), dtype="i2")
    assert a.path == "a/b" and a.name == "/a/b"
    a[...] = [1, 2, 3]
    assert sorted(store.data) == ["a/b/c/0", "a/b/zarr.json", "a/zarr.json", "zarr.json"]
    for node in (zarrc.open_array(store, path=spelling), zarrc.open(store, path=spelling),
                 root[spelling], root["a"][spelling[spelling.index("b"):]]):
        assert node.path == "a/b"
        np.testing.assert_array_equal(node[...], [1, 2, 3])
    assert spelling in root
    assert zarrc.load(store, path=spelling).tolist() == [1, 2, 3]
    assert zarrc.open_group(store, path=spelling.replace("b", "")[:-1] or "/",
                            mode="r").path in ("a", "")
    del root[spelling]
    assert sorted(store.data) == ["a/zarr.json", "zarr.json"]


@pytest.mark.parametrize("spelling", ["/g/", "g/", "/g"])
def test_group_methods_read_paths_relative_to_the_group(spelling):
    store = MemoryStore()
    g = zarrc.group(store).create_group("top")
    sub = g.require_group(spelling)
    assert sub.path == "top/g"
    assert g.create_array("/g/x/", shape=(1,), dtype="i1").path == "top/g/x"
    assert g[spelling].path == "top/g" and g["/"].path == "top" and g[""].path == "top"
    assert "g/zarr.json" not in store.data  # nothing was made at the root


@pytest.mark.parametrize("bad", ["a//b", "a/./b", "a/../b", "a\\b", "a\x00b"])
def test_malformed_paths_raise_before_any_io(bad):
    store = MemoryStore()
    with pytest.raises(ValueError):
        zarrc.create_array(store, name=bad, shape=(1,), dtype="i1")
    assert dict(store.data) == {}
