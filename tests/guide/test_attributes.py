"""User guide, "Working with attributes": JSON attributes on groups and arrays."""

from __future__ import annotations

import pytest

import zarrc


def test_attributes_of_groups_and_arrays(same_output):
    def example(z):
        root = z.create_group(store=z.storage.MemoryStore())
        root.attrs["title"] = "survey"
        arr = root.create_array(name="temps", shape=(100, 10), dtype="float32")
        arr.attrs["units"] = "K"
        arr.attrs["levels"] = [0, 10, 50]
        print(sorted(root.attrs), "title" in root.attrs, root.attrs["title"])
        print(sorted(arr.attrs), arr.attrs["units"], arr.attrs["levels"])
        print(dict(z.open_group(root.store)["temps"].attrs))

    same_output(example)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_attributes_must_be_json(zarr_format):
    a = zarrc.create_array({}, shape=(1,), dtype="i1", zarr_format=zarr_format)
    with pytest.raises(TypeError, match="JSON"):
        a.attrs["bad"] = object()
    assert dict(a.attrs) == {}
