"""zarr-python 3 <-> zarrc, both formats: arrays, groups and consolidated metadata.

Every case of cases.matrix(2) and cases.matrix(3) is written by one library and read by the
other; values are compared with the regenerated expected array, metadata with what the writer
was asked for, and the documents zarrc writes with those zarr-python writes for the same request.
"""

from __future__ import annotations

import cases
import checks
import numpy as np
import pytest
import writing

zarr = pytest.importorskip("zarr")
numcodecs = pytest.importorskip("numcodecs")

pytestmark = [
    pytest.mark.interop,
    # zarr-python's own notes that numcodecs.* codecs, its string/datetime v3 data types and v3
    # consolidated metadata have no stable spec yet; warnings from zarrc stay visible.
    pytest.mark.filterwarnings("ignore:Numcodecs codecs are not in the Zarr version 3"),
    pytest.mark.filterwarnings("ignore:The data type .* does not have a Zarr V3 specification"),
    pytest.mark.filterwarnings("ignore:Consolidated metadata is currently not part"),
]

CASES = cases.matrix(2) + cases.matrix(3)


def write_with_zarr(case, path):
    return writing.write_case(case, path, "zarr")


def write_with_zarrc(case, path):
    return writing.write_case(case, path, "zarrc")


def skip_if_optional(exc, case):
    """Skip (naming the codec) when zarrc lacks one of the case's optional codecs."""
    optional = case.spec().optional
    if checks.optional_codec_unsupported(exc, optional):
        pytest.skip(f"zarrc does not support {optional} yet: {exc}")


# ----------------------------------------------------------------------------- readers' checks


def check_zarrc_array(a, case, path, values):
    """zarrc's view of an array zarr-python wrote for ``case``."""
    what = f"zarrc reading zarr-python's {case}"
    assert a.zarr_format == case.fmt, what
    assert a.shape == case.shape, what
    assert a.chunks == case.chunks, what
    assert a.shards == case.shards, what
    if case.fmt == 2:
        assert a.dtype == case.np_dtype, what
        assert a.order == case.order, what
    else:  # v3 keeps endianness in the bytes codec; the in-memory byte order is free
        assert checks.native(a.dtype) == checks.native(case.np_dtype), what
    checks.assert_fill(a.fill_value, case.fill_value, case.np_dtype, what)
    assert dict(a.attrs) == case.attributes, what
    if case.fmt == 3:  # a 0-d array has no names: None and () are the same statement
        assert tuple(a.dimension_names or ()) == tuple(case.dimension_names), what
    checks.assert_doc_contains(a.metadata.to_dict(), checks.read_doc(path, case.fmt), what)
    checks.assert_values(values, case.expected(), exact_dtype=case.fmt == 2, what=what)


def check_zarr_array(z, case):
    """zarr-python's view of an array zarrc wrote for ``case``."""
    what = f"zarr-python reading zarrc's {case}"
    assert z.metadata.zarr_format == case.fmt, what
    assert z.shape == case.shape, what
    assert z.chunks == case.chunks, what
    assert z.shards == case.shards, what
    if case.fmt == 2:
        assert z.dtype == case.np_dtype, what
        assert z.metadata.order == case.order, what
    else:
        assert checks.native(z.dtype) == checks.native(case.np_dtype), what
        assert tuple(z.metadata.dimension_names or ()) == tuple(case.dimension_names), what
    checks.assert_fill(z.fill_value, case.fill_value, case.np_dtype, what)
    assert dict(z.attrs) == case.attributes, what
    # zarr-python returns a NumPy scalar, not a 0-d array, for z[...] on a 0-d array (zarrc
    # follows NumPy: a[...] is always an ndarray), hence np.asarray on the peer's side only.
    checks.assert_values(np.asarray(z[...]), case.expected(), exact_dtype=case.fmt == 2,
                         what=what)


def assert_same_document(ours, theirs, case):
    """zarrc's stored document means what zarr-python's means for the same request."""
    what = f"{case}: zarrc's document vs zarr-python's"
    if case.fmt == 2:
        for key in ("zarr_format", "shape", "chunks", "dtype", "order", "fill_value"):
            assert ours.get(key) == theirs.get(key), f"{what}: {key}"
        assert ours.get("dimension_separator", ".") == theirs.get("dimension_separator", ".")
        # numcodecs fills defaults (e.g. zstd's checksum), so compare the configured codecs
        for key in ("compressor",):
            assert _codec(ours[key]) == _codec(theirs[key]), f"{what}: {key}"
        assert [_codec(f) for f in ours.get("filters") or []] == [
            _codec(f) for f in theirs.get("filters") or []], f"{what}: filters"
        return
    for key in ("zarr_format", "node_type", "shape", "data_type", "chunk_grid", "fill_value",
                "attributes"):
        assert ours.get(key) == theirs.get(key), f"{what}: {key}"
    assert (ours.get("dimension_names") or None) == (theirs.get("dimension_names") or None)
    assert (ours.get("storage_transformers") or []) == (theirs.get("storage_transformers") or [])
    assert checks.normalize_key_encoding(ours["chunk_key_encoding"]) == (
        checks.normalize_key_encoding(theirs["chunk_key_encoding"])), f"{what}: chunk keys"
    itemsize = case.np_dtype.itemsize
    assert checks.normalize_v3_codecs(ours["codecs"], itemsize) == (
        checks.normalize_v3_codecs(theirs["codecs"], itemsize)), f"{what}: codecs"


def _codec(config):
    return None if config is None else numcodecs.get_codec(dict(config))


# ----------------------------------------------------------------------------- arrays


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarr_writes_zarrc_reads(case, tmp_path):
    import zarrc

    path = tmp_path / "from_zarr"
    write_with_zarr(case, path)
    try:
        a = zarrc.open_array(str(path), mode="r")
        values = a[...]
    except Exception as exc:
        skip_if_optional(exc, case)
        raise
    check_zarrc_array(a, case, path, values)


@pytest.mark.parametrize("case", cases.params(CASES))
def test_zarrc_writes_zarr_reads(case, tmp_path):
    path = tmp_path / "from_zarrc"
    try:
        write_with_zarrc(case, path)
    except Exception as exc:
        skip_if_optional(exc, case)
        raise
    check_zarr_array(zarr.open_array(str(path), mode="r"), case)
    reference = tmp_path / "reference"
    zarr.create_array(str(reference), **writing.zarr_kwargs(case))
    assert_same_document(checks.read_doc(path, case.fmt), checks.read_doc(reference, case.fmt),
                         case)


def test_matrix_is_complete():
    """The matrix holds every dtype per format and every codec of each format."""
    for fmt in (2, 3):
        ids = [c for c in CASES if c.fmt == fmt]
        assert {c.dtype for c in ids} >= set(cases.DTYPES)
        assert {c.codec for c in ids} == set(cases.codecs_for(fmt))
        assert any(c.written is None for c in ids) and any(c.shape == () for c in ids)


# ----------------------------------------------------------------------------- groups


def check_tree(g, fmt, lib):
    """``g``, opened by ``lib``, holds the test tree (see checks.check_tree)."""
    import zarrc

    classes = (zarr.Array, zarr.Group) if lib == "zarr" else (zarrc.Array, zarrc.Group)
    checks.check_tree(g, fmt, *classes)


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_tree_zarr_to_zarrc(fmt, tmp_path):
    import zarrc

    writing.write_tree(fmt, tmp_path / "t", "zarr")
    check_tree(zarrc.open_group(str(tmp_path / "t"), mode="r"), fmt, "zarrc")


@pytest.mark.parametrize("fmt", [2, 3])
def test_group_tree_zarrc_to_zarr(fmt, tmp_path):
    writing.write_tree(fmt, tmp_path / "t", "zarrc")
    check_tree(zarr.open_group(str(tmp_path / "t"), mode="r", use_consolidated=False), fmt,
               "zarr")


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_zarr_to_zarrc(fmt, tmp_path):
    """zarrc reads zarr-python's consolidated tree, also once the member documents are gone
    (then only the consolidated metadata knows the members, and zarr-python still reads it).
    """
    import zarrc

    root = tmp_path / "t"
    writing.write_tree(fmt, root, "zarr")
    zarr.consolidate_metadata(str(root))
    check_tree(zarrc.open_group(str(root), mode="r"), fmt, "zarrc")
    checks.strip_member_docs(root)
    check_tree(zarr.open_group(str(root), mode="r"), fmt, "zarr")  # the oracle's behaviour
    check_tree(zarrc.open_group(str(root), mode="r"), fmt, "zarrc")


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_zarrc_to_zarr(fmt, tmp_path):
    """zarr.open_consolidated reads zarrc's consolidated metadata, alone once members' go."""
    import zarrc

    root = tmp_path / "t"
    writing.write_tree(fmt, root, "zarrc")
    zarrc.consolidate_metadata(str(root))
    g = zarr.open_consolidated(str(root), zarr_format=fmt)
    assert g.metadata.consolidated_metadata is not None
    check_tree(g, fmt, "zarr")
    checks.strip_member_docs(root)
    check_tree(zarr.open_consolidated(str(root), zarr_format=fmt), fmt, "zarr")


@pytest.mark.parametrize("fmt", [2, 3])
def test_consolidated_documents_agree(fmt, tmp_path):
    """The consolidated metadata zarrc writes lists the same members as zarr-python's."""
    import zarrc

    writing.write_tree(fmt, tmp_path / "ours", "zarrc")
    zarrc.consolidate_metadata(str(tmp_path / "ours"))
    writing.write_tree(fmt, tmp_path / "theirs", "zarr")
    zarr.consolidate_metadata(str(tmp_path / "theirs"))
    ours = zarr.open_consolidated(str(tmp_path / "ours"), zarr_format=fmt)
    theirs = zarr.open_consolidated(str(tmp_path / "theirs"), zarr_format=fmt)
    flat_ours = ours.metadata.consolidated_metadata.flattened_metadata
    flat_theirs = theirs.metadata.consolidated_metadata.flattened_metadata
    assert set(flat_ours) == set(flat_theirs)
    for key, meta in flat_theirs.items():
        assert flat_ours[key].attributes == meta.attributes, key
        assert type(flat_ours[key]) is type(meta), key

