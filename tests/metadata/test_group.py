"""Groups and consolidated metadata (v2 ``.zmetadata``, v3 inline) against zarr-python 3."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from zarrc.errors import MetadataError
from zarrc.metadata import (
    ArrayMetadata,
    ConsolidatedMetadata,
    GroupMetadata,
    consolidated_to_json_v2,
    consolidated_to_json_v3,
    dump_json,
    parse_consolidated_v2,
    parse_consolidated_v3,
    parse_group_metadata_v2,
    parse_group_metadata_v3,
    parse_json,
    parse_node_metadata_v3,
)

from .conftest import read_docs

zarr = pytest.importorskip("zarr")


def build_hierarchy(root, zarr_format, *, subgroup=True):
    """A small hierarchy written and consolidated by zarr-python."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = zarr.open_group(str(root), mode="w", zarr_format=zarr_format,
                            attributes={"title": "x", "ü": [1, 2]})
        g.create_array("a", shape=(10, 4), chunks=(5, 2), dtype="<f4", fill_value=np.nan,
                       attributes={"u": 1})
        g.create_array("Zeta", shape=(3,), chunks=(3,), dtype="<i2")
        if subgroup:
            sub = g.create_group("sub", attributes={"s": True})
            sub.create_array("b", shape=(), dtype="|b1", fill_value=True)
        zarr.consolidate_metadata(str(root))
    raw = read_docs(root)
    return {k: json.loads(v) for k, v in raw.items()}, raw


def test_v3_group_documents_round_trip_byte_for_byte(tmp_path):
    docs, raw = build_hierarchy(tmp_path, 3)
    for key, doc in docs.items():
        node = parse_node_metadata_v3(doc, key)
        assert node.to_json() == doc
        assert dump_json(node.to_json()) == raw[key], key


def test_v3_inline_consolidated_matches_zarr_python(tmp_path):
    docs, _ = build_hierarchy(tmp_path, 3)
    root = parse_group_metadata_v3(docs["zarr.json"], "zarr.json")
    cm = root.consolidated_metadata
    assert isinstance(cm, ConsolidatedMetadata)
    assert set(cm.metadata) == {"a", "Zeta", "sub", "sub/b"}
    assert isinstance(cm.metadata["a"], ArrayMetadata)
    assert isinstance(cm.metadata["sub"], GroupMetadata)
    # each consolidated entry equals the node's own zarr.json
    for path, node in cm.metadata.items():
        own = parse_node_metadata_v3(docs[f"{path}/zarr.json"], path)
        if isinstance(node, GroupMetadata):
            assert node.attributes == own.attributes
        else:
            assert node == own
    # the order zarr-python writes: shallow first, then case-folded name
    assert list(root.to_json()["consolidated_metadata"]["metadata"]) == \
        list(docs["zarr.json"]["consolidated_metadata"]["metadata"])
    assert consolidated_to_json_v3(cm.metadata) == docs["zarr.json"]["consolidated_metadata"]
    assert parse_consolidated_v3(docs["zarr.json"]["consolidated_metadata"]) == cm.metadata


def test_zarr_python_reads_our_v3_consolidated_group(tmp_path):
    docs, _ = build_hierarchy(tmp_path, 3)
    root = parse_group_metadata_v3(docs["zarr.json"], "zarr.json")
    (tmp_path / "zarr.json").write_bytes(dump_json(root.to_json()))
    g = zarr.open_consolidated(str(tmp_path), zarr_format=3)
    assert sorted(g.metadata.consolidated_metadata.flattened_metadata) == \
        ["Zeta", "a", "sub", "sub/b"]
    assert np.isnan(g["a"].fill_value)


def test_v2_group_and_zmetadata_match_zarr_python(tmp_path):
    docs, raw = build_hierarchy(tmp_path, 2, subgroup=False)
    group = parse_group_metadata_v2(docs[".zgroup"], docs[".zattrs"], ".zgroup")
    assert group.zarr_format == 2 and group.attributes == {"title": "x", "ü": [1, 2]}
    assert dump_json(group.to_json()) == raw[".zgroup"]
    assert dump_json(group.to_documents()[".zattrs"]) == raw[".zattrs"]
    entries = parse_consolidated_v2(docs[".zmetadata"], ".zmetadata")
    assert set(entries) == {"", "a", "Zeta"}
    assert entries[""] == group
    assert entries["a"].to_json() == docs["a/.zarray"]
    assert entries["Zeta"].attributes == docs["Zeta/.zattrs"]
    # written exactly as zarr-python writes .zmetadata (single line)
    assert dump_json(consolidated_to_json_v2(entries), indent=None) == raw[".zmetadata"]


def test_v2_zmetadata_with_subgroups(tmp_path):
    docs, _ = build_hierarchy(tmp_path, 2)
    entries = parse_consolidated_v2(docs[".zmetadata"], ".zmetadata")
    assert set(entries) == {"", "a", "Zeta", "sub", "sub/b"}
    assert entries["sub"].attributes == {"s": True}
    assert entries["sub/b"].fill_value is np.True_
    ours = consolidated_to_json_v2(entries)
    theirs = docs[".zmetadata"]
    # zarr-python 3 adds a stray "consolidated_metadata" member to sub-group .zgroup entries;
    # we write the plain v2 document that zarr-python 2 writes.
    assert ours["metadata"]["sub/.zgroup"] == {"zarr_format": 2}
    theirs["metadata"]["sub/.zgroup"] = {"zarr_format": 2}
    assert ours == theirs


def test_zarr_python_reads_our_zmetadata(tmp_path):
    docs, _ = build_hierarchy(tmp_path, 2)
    group = parse_group_metadata_v2(docs[".zgroup"], docs[".zattrs"])
    entries = parse_consolidated_v2(docs[".zmetadata"])
    del entries[""]
    out = group.with_consolidated(entries).to_documents()
    assert set(out) == {".zgroup", ".zattrs", ".zmetadata"}
    (tmp_path / ".zmetadata").write_bytes(dump_json(out[".zmetadata"]))
    g = zarr.open_consolidated(str(tmp_path), zarr_format=2)
    assert sorted(g.metadata.consolidated_metadata.flattened_metadata) == \
        ["Zeta", "a", "sub", "sub/b"]


def test_v3_group_extension_fields():
    doc = {"zarr_format": 3, "node_type": "group", "ext": {"must_understand": False, "x": 1}}
    g = parse_group_metadata_v3(doc, "g/zarr.json")
    assert g.attributes == {} and g.consolidated_metadata is None
    assert g.to_json() == {"attributes": {}, "zarr_format": 3, "node_type": "group",
                           "ext": {"must_understand": False, "x": 1}}
    doc["other"] = {"x": 1}
    with pytest.raises(MetadataError, match="'other'"):
        parse_group_metadata_v3(doc, "g/zarr.json")


def test_v3_group_null_consolidated_is_absent():
    g = parse_group_metadata_v3({"zarr_format": 3, "node_type": "group",
                                 "consolidated_metadata": None}, "zarr.json")
    assert g.consolidated_metadata is None


@pytest.mark.parametrize("doc, field", [
    ({"zarr_format": 3, "node_type": "array"}, "node_type"),
    ({"zarr_format": 2, "node_type": "group"}, "zarr_format"),
    ({"node_type": "group"}, "zarr_format"),
    ({"zarr_format": 3}, "node_type"),
    ({"zarr_format": 3, "node_type": "group", "attributes": [1]}, "attributes"),
    ({"zarr_format": 3, "node_type": "group",
      "consolidated_metadata": {"kind": "external", "metadata": {}}}, "kind"),
    ({"zarr_format": 3, "node_type": "group",
      "consolidated_metadata": {"kind": "inline", "must_understand": True, "metadata": {}}},
     "must_understand"),
    ({"zarr_format": 3, "node_type": "group",
      "consolidated_metadata": {"kind": "inline", "metadata": []}}, "metadata"),
    ({"zarr_format": 3, "node_type": "group",
      "consolidated_metadata": {"kind": "inline", "metadata": {"a": {"zarr_format": 3}}}},
     "node_type"),
    ({"zarr_format": 3, "node_type": "group",
      "consolidated_metadata": {"kind": "inline", "metadata": {"/a": {}}}}, "path"),
])
def test_v3_group_malformed(doc, field):
    with pytest.raises(MetadataError, match=field) as info:
        parse_group_metadata_v3(doc, "g/zarr.json")
    assert "g/zarr.json" in str(info.value)


@pytest.mark.parametrize("zgroup, zattrs, match", [
    ({"zarr_format": 3}, None, "zarr_format"),
    ({}, None, "zarr_format"),
    ([], None, "object"),
    ({"zarr_format": 2}, [1], "g/.zattrs"),
])
def test_v2_group_malformed(zgroup, zattrs, match):
    with pytest.raises(MetadataError, match=match):
        parse_group_metadata_v2(zgroup, zattrs, "g/.zgroup")


def test_v2_group_ignores_unknown_members():
    g = parse_group_metadata_v2({"zarr_format": 2, "consolidated_metadata": {}}, None)
    assert g == GroupMetadata(2, {})


ARRAY_V2 = {"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<i4", "fill_value": 0,
            "order": "C", "filters": None, "compressor": None}


@pytest.mark.parametrize("doc, match", [
    ({"metadata": {}}, "zarr_consolidated_format"),
    ({"zarr_consolidated_format": 2, "metadata": {}}, "zarr_consolidated_format"),
    ({"zarr_consolidated_format": 1}, "metadata"),
    ({"zarr_consolidated_format": 1, "metadata": {"a/chunk": {}}}, "not a metadata key"),
    ({"zarr_consolidated_format": 1, "metadata": {"a/.zattrs": {}}}, "no .zarray"),
    ({"zarr_consolidated_format": 1,
      "metadata": {"a/.zarray": ARRAY_V2, "a/.zgroup": {"zarr_format": 2}}}, "both"),
    ({"zarr_consolidated_format": 1,
      "metadata": {"a/.zarray": dict(ARRAY_V2, shape=[-2])}}, r"a/\.zarray"),
])
def test_zmetadata_malformed(doc, match):
    with pytest.raises(MetadataError, match=match) as info:
        parse_consolidated_v2(doc, "root/.zmetadata")
    assert "root/.zmetadata" in str(info.value)


def test_consolidated_formats_are_not_mixed():
    v3_group = GroupMetadata(3)
    with pytest.raises(ValueError):
        consolidated_to_json_v2({"x": v3_group})
    with pytest.raises(ValueError):
        consolidated_to_json_v3({"x": GroupMetadata(2)})


def test_parse_json_then_group():
    raw = b'{"zarr_format": 3, "node_type": "group", "attributes": {"n": NaN}}'
    g = parse_group_metadata_v3(parse_json(raw, "zarr.json"), "zarr.json")
    assert np.isnan(g.attributes["n"])
    assert dump_json(g.to_json()).count(b"NaN") == 1
