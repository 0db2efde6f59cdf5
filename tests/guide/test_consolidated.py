"""User guide, "Consolidated metadata": consolidating, the metadata objects, nested groups."""

from __future__ import annotations

import io
from pprint import pprint

import pytest

import zarrc


def test_consolidate_and_read_back_the_metadata_objects(same_output):
    def example(z):
        store = z.storage.MemoryStore()
        g = z.create_group(store=store)
        print(g.create_array(shape=(4,), name="x", dtype="int16"))
        print(g.create_array(shape=(2, 3), name="y", dtype="float32", fill_value=1.5))
        print(z.consolidate_metadata(store))
        cm = z.open_group(store=store).metadata.consolidated_metadata.metadata
        out = io.StringIO()
        pprint(dict(sorted(cm.items())), stream=out, width=70)
        print(out.getvalue())
        print(z.open_group(store=store)["y"])

    same_output(example)


def test_nested_groups_carry_their_own_consolidated_metadata(same_output):
    def example(z):
        store = z.storage.MemoryStore()
        g = z.create_group(store=store)
        g.create_group("a", attributes={"n": 1}).create_group("b", attributes={"n": 2})
        c = z.consolidate_metadata(store)
        out = io.StringIO()
        pprint(c["a"].metadata.consolidated_metadata, stream=out, width=60)
        print(out.getvalue())
        print(c.metadata)

    same_output(example)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_consolidated_members_need_no_store_reads(zarr_format):
    store = zarrc.storage.MemoryStore()
    g = zarrc.create_group(store, zarr_format=zarr_format)
    g.create_array("a", shape=(2,), dtype="i1")
    zarrc.consolidate_metadata(store)
    c = zarrc.open_consolidated(store)
    store.delete("a/zarr.json" if zarr_format == 3 else "a/.zarray")
    assert c["a"].shape == (2,)  # from the consolidated document
    assert c.info.count_members == 1
