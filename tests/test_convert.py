"""Conversion between formats and stores (zarrc.convert) and in-place v2 -> v3 upgrade.

Oracles: NumPy (the values), zarr-python 3 (reads the results; its own
``zarr.metadata.migrate_v3`` writes the v3 documents the upgrade must match) and tensorstore.
"""

import json
import os
import shutil
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zarrc
from zarrc.cli import main
from zarrc.errors import ContainsArrayError, MetadataError, ReadOnlyError
from zarrc.storage import MemoryStore

zarr = pytest.importorskip("zarr")


def data_for(dtype, shape=(9, 14), seed=0):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(dt)
    if dt.kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dt)
    if dt.kind == "c":
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dt)
    return rng.normal(size=shape).astype(dt)


def write_v2(path, dtype="<f8", order="C", compressor=None, filters=None, shape=(9, 14),
             chunks=(4, 5), attrs=None, separator=None, data=None):
    x = data_for(dtype, shape) if data is None else data
    a = zarrc.create_array(str(path), shape=shape, dtype=dtype, chunks=chunks, zarr_format=2,
                           order=order, compressors=compressor, filters=filters,
                           attributes=attrs, dimension_separator=separator)
    a[...] = x
    return x


V2_CASES = [
    dict(dtype="<f8", compressor={"id": "zstd", "level": 3}),
    dict(dtype=">f8", order="F", compressor={"id": "blosc", "cname": "lz4", "clevel": 5,
                                             "shuffle": -1, "blocksize": 0}),
    dict(dtype="<i4", order="F", compressor={"id": "gzip", "level": 1}),
    dict(dtype="u1", compressor={"id": "zlib", "level": 1}, filters=[{"id": "delta",
                                                                        "dtype": "u1"}]),
    dict(dtype=">i2", compressor={"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2,
                                  "blocksize": 0}),
    dict(dtype="<f4", compressor={"id": "lz4", "acceleration": 1}, separator="/"),
    dict(dtype="bool", compressor={"id": "zstd", "level": 1, "checksum": True}),
    dict(dtype="<c16", compressor=None),
    dict(dtype="<i8", order="F", shape=(17,), chunks=(5,), compressor={"id": "zstd", "level": 0}),
]


def files(path):
    """``{relative path: (bytes, mtime_ns)}`` of every chunk file (metadata excluded)."""
    out = {}
    for root, _, names in os.walk(path):
        for name in names:
            if name.startswith(".z") or name == "zarr.json":
                continue
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = (f.read(), os.stat(full).st_mtime_ns)
    return out


# ------------------------------------------------------------------ in-place upgrade


@pytest.mark.parametrize("case", V2_CASES, ids=lambda c: f"{c['dtype']}-{c.get('order', 'C')}")
def test_upgrade_matches_zarr_python_migration_and_keeps_chunks(tmp_path, case):
    from zarr.metadata.migrate_v3 import migrate_v2_to_v3
    from zarr.storage import LocalStore

    ours, theirs = tmp_path / "ours.zarr", tmp_path / "theirs.zarr"
    x = write_v2(ours, attrs={"units": "m"}, **case)
    shutil.copytree(ours, theirs)
    before = files(ours)
    # zarr-python refuses blosc's shuffle -1 (auto); zarrc resolves it from the item size
    oracle = (case["compressor"] or {}).get("shuffle") != -1
    if oracle:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zarr-python warns about numcodecs.* codecs
            migrate_v2_to_v3(input_store=LocalStore(str(theirs)))
    a = zarrc.upgrade_v2_to_v3(str(ours))
    assert a.zarr_format == 3
    if oracle:
        with open(ours / "zarr.json") as f, open(theirs / "zarr.json") as g:
            assert json.load(f) == json.load(g)
    else:
        assert a.metadata.to_dict()["codecs"][-1]["configuration"]["shuffle"] == "shuffle"
    assert not any(os.path.exists(ours / n) for n in (".zarray", ".zattrs"))
    assert files(ours) == before  # every chunk file untouched: same bytes, same mtime
    np.testing.assert_array_equal(zarrc.open_array(str(ours), mode="r")[...], x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.open_array(str(ours), mode="r")
        np.testing.assert_array_equal(z[...], x)
    assert dict(z.attrs) == {"units": "m"}


@pytest.mark.parametrize("case", [c for c in V2_CASES
                                  if (c["compressor"] or {}).get("id") in (None, "zstd", "gzip",
                                                                           "blosc")
                                  and not c.get("filters")])
def test_upgraded_array_is_read_by_tensorstore(tmp_path, case):
    ts = pytest.importorskip("tensorstore")
    path = tmp_path / "a.zarr"
    x = write_v2(path, **case)
    zarrc.upgrade_v2_to_v3(str(path))
    t = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}}).result()
    np.testing.assert_array_equal(t.read().result(), x)


def v2_tree(path, consolidated=True):
    root = zarrc.group(str(path), zarr_format=2, attributes={"title": "t"})
    x = data_for("<i8", (6, 7))
    root.create_array("a", shape=x.shape, dtype=x.dtype, chunks=(3, 3),
                      attributes={"k": [1, 2]})[...] = x
    sub = root.create_group("sub", attributes={"level": 1})
    y = data_for(">f4", (10,))
    sub.create_array("b", shape=y.shape, dtype=y.dtype, chunks=(4,), order="F",
                     compressors={"id": "gzip", "level": 2})[...] = y
    sub.create_group("empty")
    if consolidated:
        zarrc.consolidate_metadata(str(path))
    return x, y


def test_upgrade_group_tree_with_consolidated_metadata(tmp_path):
    path = tmp_path / "g.zarr"
    x, y = v2_tree(path)
    before = files(path)
    g = zarrc.upgrade_v2_to_v3(str(path))
    assert isinstance(g, zarrc.Group) and g.zarr_format == 3
    leftovers = [n for _, _, names in os.walk(path) for n in names if n.startswith(".z")]
    assert leftovers == []
    assert files(path) == before
    z = zarr.open_consolidated(str(path), mode="r")
    assert dict(z.attrs) == {"title": "t"} and dict(z["sub"].attrs) == {"level": 1}
    assert sorted(z.metadata.consolidated_metadata.flattened_metadata) == [
        "a", "sub", "sub/b", "sub/empty"]
    np.testing.assert_array_equal(z["a"][...], x)
    np.testing.assert_array_equal(z["sub/b"][...], y)
    assert dict(z["a"].attrs) == {"k": [1, 2]}


def test_upgrade_refuses_a_bad_array_and_writes_nothing(tmp_path):
    path = tmp_path / "g.zarr"
    v2_tree(path, consolidated=False)
    g = zarrc.open_group(str(path), mode="r+")
    # a bytes→bytes filter followed by an array→array one cannot be a v3 codec list
    g.create_array("bad", shape=(4,), dtype="<i4", chunks=(2,), filters=[
        {"id": "shuffle", "elementsize": 4}, {"id": "delta", "dtype": "<i4"}])[...] = 7
    with pytest.raises(MetadataError, match=r"bad/\.zarray.*'filters\[1\]'"):
        zarrc.upgrade_v2_to_v3(str(path))
    names = {n for _, _, ns in os.walk(path) for n in ns}
    assert "zarr.json" not in names and ".zgroup" in names  # nothing was upgraded


def no_v3_dtype(monkeypatch):
    """Make every dtype lack a v3 form (which dtypes do varies as v3 gains extension types)."""
    convert_module = sys.modules["zarrc.convert"]  # zarrc.convert is the function

    def refuse(dtype):
        raise MetadataError(f"field 'data_type': {np.dtype(dtype).str!r} has no v3 form")

    monkeypatch.setattr(convert_module, "dtype_to_v3", refuse)


def test_upgrade_refuses_dtype_without_v3_form(tmp_path, monkeypatch):
    path = tmp_path / "a.zarr"
    write_v2(path, dtype="<i2")
    no_v3_dtype(monkeypatch)
    with pytest.raises(MetadataError, match=r"\.zarray: field 'dtype': '<i2'"):
        zarrc.upgrade_v2_to_v3(str(path))
    assert not (path / "zarr.json").exists() and (path / ".zarray").exists()


def test_upgrade_refuses_filter_with_no_v3_place(tmp_path):
    path = tmp_path / "a.zarr"
    # a bytes→bytes filter followed by an array→array one cannot be a v3 codec list
    write_v2(path, dtype="<i4", filters=[{"id": "shuffle", "elementsize": 4},
                                         {"id": "delta", "dtype": "<i4"}])
    with pytest.raises(MetadataError, match=r"filters\[1\]"):
        zarrc.upgrade_v2_to_v3(str(path))
    assert not (path / "zarr.json").exists() and (path / ".zarray").exists()


def test_upgrade_finishes_after_a_crash_and_is_idempotent(tmp_path):
    path = tmp_path / "a.zarr"
    x = write_v2(path, compressor={"id": "zstd", "level": 1}, attrs={"a": 1})
    zarray = (path / ".zarray").read_bytes()
    zarrc.upgrade_v2_to_v3(str(path))
    doc = (path / "zarr.json").read_bytes()
    (path / ".zarray").write_bytes(zarray)  # as if it crashed before removing the old doc
    np.testing.assert_array_equal(zarrc.open_array(str(path), mode="r")[...], x)
    zarrc.upgrade_v2_to_v3(str(path))
    assert not (path / ".zarray").exists() and (path / "zarr.json").read_bytes() == doc
    zarrc.upgrade_v2_to_v3(str(path))  # a v3 node: nothing to do
    assert (path / "zarr.json").read_bytes() == doc


def test_upgrade_read_only_store_is_refused(tmp_path):
    path = tmp_path / "a.zarr"
    write_v2(path)
    store = zarrc.storage.make_store(str(path), mode="r")
    with pytest.raises(ReadOnlyError):
        zarrc.upgrade_v2_to_v3(store)


# ------------------------------------------------------------------ convert: arrays


@pytest.mark.parametrize("case", V2_CASES, ids=lambda c: f"{c['dtype']}-{c.get('order', 'C')}")
def test_convert_v2_to_v3_and_back(tmp_path, case):
    src, mid, back = (str(tmp_path / n) for n in ("src.zarr", "v3.zarr", "back.zarr"))
    x = write_v2(src, attrs={"note": "hi"}, **case)
    a = zarrc.convert(src, mid)
    assert a.zarr_format == 3 and a.chunks == case.get("chunks", (4, 5))
    assert dict(a.attrs) == {"note": "hi"}
    assert a.metadata.to_dict()["chunk_key_encoding"]["name"] == "default"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.open_array(mid, mode="r")
        np.testing.assert_array_equal(z[...], x)
    names = [c["name"] for c in a.metadata.to_dict()["codecs"]]
    assert len(names) == len(z.metadata.codecs)
    if case.get("order") == "F":
        assert names[0] == "transpose"
    comp = case["compressor"]
    if comp is not None and comp["id"] in ("zstd", "gzip", "blosc"):
        assert names[-1] == comp["id"]
    b = zarrc.convert(mid, back, zarr_format=2)
    doc = b.metadata.to_dict()
    assert doc["dtype"] == np.dtype(case["dtype"]).str and doc["order"] == case.get("order", "C")
    assert (doc["compressor"] or {}).get("id") == (comp or {}).get("id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(zarr.open_array(back, mode="r")[...], x)
    assert dict(zarr.open_array(back, mode="r").attrs) == {"note": "hi"}


def test_convert_v3_to_v2_sharded_and_dimension_names(tmp_path):
    x = data_for("<f4", (32, 24))
    src = zarrc.create_array(str(tmp_path / "s.zarr"), shape=x.shape, dtype=x.dtype,
                             chunks=(8, 8), shards=(16, 24), dimension_names=["y", "x"],
                             compressors=["zstd"], fill_value=-1.0)
    src[:16] = x[:16]  # the second shard row is never written
    b = zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2)
    assert b.chunks == (8, 8) and b.fill_value == -1.0
    assert b.attrs["_ARRAY_DIMENSIONS"] == ["y", "x"]  # xarray's v2 convention
    expected = np.where(np.arange(32)[:, None] < 16, x, np.float32(-1))
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "v2.zarr"), mode="r")[...],
                                  expected)
    assert b.nchunks_initialized == 2 * 3  # only the stored shard's inner chunks
    c = zarrc.convert(src, str(tmp_path / "v3.zarr"))  # v3 -> v3 keeps everything
    assert c.metadata.to_dict()["codecs"] == src.metadata.to_dict()["codecs"] and c.dimension_names == ("y", "x")
    np.testing.assert_array_equal(c[...], expected)


def test_convert_refuses_codec_without_v2_form(tmp_path):
    src = zarrc.create_array(None, shape=(4, 5, 6), dtype="i2", chunks=(2, 5, 3),
                             codecs=[{"name": "transpose", "configuration": {"order": [1, 0, 2]}},
                                     "bytes"])
    src[...] = 1
    with pytest.raises(MetadataError, match="transpose"):
        zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2)


def test_convert_v2_dtype_without_v3_form(tmp_path, monkeypatch):
    src = str(tmp_path / "s.zarr")
    write_v2(src, dtype="<u2")
    no_v3_dtype(monkeypatch)
    with pytest.raises(MetadataError, match=r"\.zarray: field 'dtype'"):
        zarrc.convert(src, str(tmp_path / "d.zarr"))
    assert not os.path.exists(tmp_path / "d.zarr" / "zarr.json")
    b = zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2)  # v2 -> v2 works
    assert b.dtype == np.dtype("<u2")


def test_convert_with_codecs_override(tmp_path):
    src = str(tmp_path / "s.zarr")
    x = write_v2(src, compressor={"id": "zstd", "level": 1})
    a = zarrc.convert(src, str(tmp_path / "gz.zarr"),
                      codecs=[{"name": "bytes", "configuration": {"endian": "big"}},
                              {"name": "gzip", "configuration": {"level": 6}}])
    assert a.metadata.to_dict()["codecs"] == [{"name": "bytes", "configuration": {"endian": "big"}},
                                    {"name": "gzip", "configuration": {"level": 6}}]
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "gz.zarr"), mode="r")[...], x)
    b = zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2,
                      codecs=[{"id": "zlib", "level": 4}])
    assert b.metadata.to_dict()["compressor"] == {"id": "zlib", "level": 4} and b.metadata.to_dict()["filters"] is None
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "v2.zarr"), mode="r")[...], x)


class RecordingStore(MemoryStore):
    """A MemoryStore recording the size of every value read and the key of every write."""

    def __init__(self):
        super().__init__()
        self.read_sizes, self.written = [], []

    def get(self, key, byte_range=None):
        value = super().get(key, byte_range)
        self.read_sizes.append(0 if value is None else len(value))
        return value

    def get_many(self, keys):
        return [self.get(k) for k in keys]

    def set(self, key, value):
        self.written.append(key)
        return super().set(key, value)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_convert_reads_one_chunk_at_a_time_and_skips_unstored_chunks(zarr_format):
    src, dst = RecordingStore(), RecordingStore()
    a = zarrc.create_array(src, shape=(160, 160), dtype="f8", chunks=(16, 16), compressors=None,
                           zarr_format=5 - zarr_format)
    x = data_for("f8", (160, 160))
    a[:96, 32:] = x[:96, 32:]  # 6 x 8 of the 10 x 10 chunks
    src.read_sizes.clear()
    b = zarrc.convert(a, dst, zarr_format=zarr_format)
    chunk_nbytes = 16 * 16 * 8
    assert max(src.read_sizes) <= chunk_nbytes < a.nbytes
    meta_names = ("zarr.json", ".zarray", ".zgroup", ".zattrs")
    chunk_writes = [k for k in dst.written if not k.endswith(meta_names)]
    assert len(chunk_writes) == len(set(chunk_writes)) == a.nchunks_initialized == 48
    expected = np.zeros_like(x)
    expected[:96, 32:] = x[:96, 32:]
    np.testing.assert_array_equal(b[...], expected)


# ------------------------------------------------------------------ convert: groups


@pytest.mark.parametrize("consolidated", [True, False])
def test_convert_group_tree_keeps_attributes_and_consolidation(tmp_path, consolidated):
    src, dst = tmp_path / "g.zarr", tmp_path / "g3.zarr"
    x, y = v2_tree(src, consolidated=consolidated)
    g = zarrc.convert(str(src), str(dst))
    assert g.zarr_format == 3
    z = zarr.open_group(str(dst), mode="r")
    assert dict(z.attrs) == {"title": "t"} and dict(z["sub"].attrs) == {"level": 1}
    assert sorted(z.group_keys()) == ["sub"] and "empty" in z["sub"]
    np.testing.assert_array_equal(z["a"][...], x)
    np.testing.assert_array_equal(z["sub/b"][...], y)
    assert (z.metadata.consolidated_metadata is not None) == consolidated
    back = zarrc.convert(str(dst), str(tmp_path / "g2.zarr"), zarr_format=2)
    assert back.zarr_format == 2
    assert os.path.exists(tmp_path / "g2.zarr" / ".zmetadata") == consolidated
    np.testing.assert_array_equal(zarrc.open_array(str(tmp_path / "g2.zarr"), path="sub/b",
                                                   mode="r")[...], y)


def test_convert_subtree_to_dest_path_and_overwrite(tmp_path):
    src = tmp_path / "g.zarr"
    _, y = v2_tree(src, consolidated=False)
    store = MemoryStore()
    a = zarrc.convert(str(src), store, path="sub/b", dest_path="copies/b")
    np.testing.assert_array_equal(a[...], y)
    assert isinstance(zarrc.open(store, mode="r", path="copies"), zarrc.Group)
    with pytest.raises(ContainsArrayError):
        zarrc.convert(str(src), store, path="sub/b", dest_path="copies/b")
    a = zarrc.convert(str(src), store, path="a", dest_path="copies/b", overwrite=True)
    assert a.shape == (6, 7)


def test_convert_refuses_overlapping_destination(tmp_path):
    src = tmp_path / "g.zarr"
    v2_tree(src, consolidated=False)
    g = zarrc.open_group(str(src), mode="r+")
    with pytest.raises(ValueError, match="overlaps"):
        zarrc.convert(g, g.store, dest_path="sub/copy")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.lists(st.integers(1, 12), min_size=1, max_size=3),
       data=st.data(), order=st.sampled_from("CF"),
       dtype=st.sampled_from(["<i2", ">u4", "<f4", ">f8", "|b1"]))
def test_round_trip_property(shape, data, order, dtype):
    chunks = tuple(data.draw(st.integers(1, n)) for n in shape)
    x = data_for(dtype, tuple(shape), seed=len(shape))
    src = zarrc.create_array(None, shape=tuple(shape), dtype=dtype, chunks=chunks,
                             zarr_format=2, order=order, compressors={"id": "zstd", "level": 1})
    src[...] = x
    v3 = zarrc.convert(src, MemoryStore())
    back = zarrc.convert(v3, MemoryStore(), zarr_format=2)
    np.testing.assert_array_equal(v3[...], x)
    np.testing.assert_array_equal(back[...], x)
    assert back.metadata.to_dict() == src.metadata.to_dict()
    assert back.nchunks_initialized == src.nchunks_initialized


# ------------------------------------------------------------------ CLI


def test_cli_convert_and_in_place(tmp_path, capsys):
    src, dst = str(tmp_path / "a.zarr"), str(tmp_path / "b.zarr")
    x = write_v2(src, compressor={"id": "zstd", "level": 1})
    assert main(["convert", src, dst, "--codec", "bytes",
                 "--codec", '{"name": "gzip", "configuration": {"level": 3}}']) == 0
    assert "converted" in capsys.readouterr().out
    a = zarrc.open_array(dst, mode="r")
    assert a.metadata.to_dict()["codecs"][-1] == {"name": "gzip", "configuration": {"level": 3}}
    np.testing.assert_array_equal(a[...], x)
    assert main(["convert", dst, str(tmp_path / "c.zarr"), "--zarr-format", "2"]) == 0
    assert zarrc.open_array(str(tmp_path / "c.zarr"), mode="r").metadata.to_dict()["compressor"] == {
        "id": "gzip", "level": 3}
    assert main(["convert", dst, str(tmp_path / "d.zip")]) == 0
    np.testing.assert_array_equal(zarrc.load(str(tmp_path / "d.zip")), x)
    assert main(["convert", src, dst]) == 1  # exists: a clean error
    assert "overwrite" in capsys.readouterr().err
    assert main(["convert", src, dst, "--overwrite"]) == 0
    assert main(["convert", "--in-place", src]) == 0
    assert zarrc.open_array(src, mode="r").zarr_format == 3
    assert not os.path.exists(os.path.join(src, ".zarray"))


def test_cli_convert_usage_errors(tmp_path, capsys):
    src = str(tmp_path / "a.zarr")
    write_v2(src)
    assert main(["convert", src]) == 2
    assert main(["convert", "--in-place", src, str(tmp_path / "x")]) == 2
    assert main(["convert", src, str(tmp_path / "x"), "--codec", "{bad"]) == 2
    assert "error" in capsys.readouterr().err


# -- issue 12, item 9 ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype, values, filter_id", [
    (str, ["", "a", "bb", "ünï", "x" * 40], "vlen-utf8"),
    (bytes, [b"", b"a", b"\x00\xff", b"bb", b"y" * 40], "vlen-bytes"),
])
def test_convert_v3_strings_to_v2_object_arrays(tmp_path, dtype, values, filter_id):
    src = zarrc.create_array(str(tmp_path / "s.zarr"), shape=(5,), dtype=dtype, chunks=(2,))
    src[...] = np.array(values, dtype=object)
    b = zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2)
    doc = b.metadata.to_dict()
    assert doc["dtype"] == "|O" and doc["filters"][0] == {"id": filter_id}
    assert list(b[...]) == values
    z = zarr.open_array(str(tmp_path / "v2.zarr"), mode="r")  # zarr-python reads it too
    assert list(z[...]) == values
    back = zarrc.convert(b, str(tmp_path / "v3.zarr"))  # and the way back
    assert list(back[...]) == values


def _group_with_a_bad_second_array(path):
    """A group whose second array (in name order) cannot be converted to v2."""
    g = zarrc.group(path)
    g.create_array("a", shape=(4,), dtype="i2", chunks=(2,))[...] = 1
    g.create_array("b", shape=(4, 2, 2), dtype="i2", chunks=(2, 2, 2),
                   codecs=[{"name": "transpose", "configuration": {"order": [1, 0, 2]}},
                           "bytes"])[...] = 2  # a transpose other than the reversal
    return g


@pytest.mark.parametrize("suffix", ["", ".zip"])
def test_a_conversion_that_fails_at_planning_writes_nothing(tmp_path, suffix):
    src = _group_with_a_bad_second_array(str(tmp_path / "s.zarr"))
    dest = str(tmp_path / f"d.zarr{suffix}")
    with pytest.raises(MetadataError, match="transpose"):
        zarrc.convert(src, dest, zarr_format=2)
    assert not os.path.exists(dest)


@pytest.mark.parametrize("suffix", ["", ".zip"])
def test_a_conversion_that_fails_while_copying_leaves_no_partial_destination(tmp_path, suffix):
    g = zarrc.group(str(tmp_path / "s.zarr"))
    g.create_array("a", shape=(4,), dtype="i2", chunks=(2,), compressors=["zstd"])[...] = 1
    g.create_array("b", shape=(4,), dtype="i2", chunks=(2,), compressors=["zstd"])[...] = 2
    with open(tmp_path / "s.zarr" / "b" / "c" / "1", "wb") as f:
        f.write(b"not zstd")  # the second array's second chunk is corrupt
    dest = str(tmp_path / f"d.zarr{suffix}")
    with pytest.raises(zarrc.errors.CodecError, match="b/c/1"):
        zarrc.convert(str(tmp_path / "s.zarr"), dest, zarr_format=2)
    assert not os.path.exists(dest)
    assert sorted(os.listdir(tmp_path)) == ["s.zarr"]


def test_a_failed_conversion_into_an_existing_store_removes_only_what_it_wrote(tmp_path):
    dest = str(tmp_path / "d.zarr")
    zarrc.group(dest, attributes={"keep": 1}).create_array("other", shape=(2,), dtype="i1")
    before = files(dest)
    g = zarrc.group(str(tmp_path / "s.zarr"))
    g.create_array("a", shape=(4,), dtype="i2", chunks=(2,), compressors=["zstd"])[...] = 1
    g.create_array("b", shape=(4,), dtype="i2", chunks=(2,), compressors=["zstd"])[...] = 2
    with open(tmp_path / "s.zarr" / "b" / "c" / "1", "wb") as f:
        f.write(b"not zstd")
    with pytest.raises(zarrc.errors.CodecError):
        zarrc.convert(str(tmp_path / "s.zarr"), dest, dest_path="new/deep")
    assert files(dest) == before  # the parent group 'new' it made is gone too


def test_cli_rerun_message_names_the_overwrite_flag(tmp_path, capsys):
    src = str(tmp_path / "s.zarr")
    zarrc.create_array(src, shape=(2,), dtype="i1")
    dest = str(tmp_path / "d.zarr")
    assert main(["convert", src, dest]) == 0
    capsys.readouterr()
    assert main(["convert", src, dest]) == 1
    err = capsys.readouterr().err
    assert "--overwrite" in err and "overwrite=True" not in err
    assert main(["convert", src, dest, "--overwrite"]) == 0


def test_no_warning_prints_a_line_of_zarrc_source(tmp_path, capfd):
    src = str(tmp_path / "s.zarr")
    zarrc.create_array(src, shape=(2, 3), dtype="i1", dimension_names=["y", None])
    import subprocess

    out = subprocess.run([sys.executable, "-m", "zarrc.cli", "convert", src,
                          str(tmp_path / "d.zarr"), "--zarr-format", "2"],
                         capture_output=True, text=True, check=True)
    assert out.stderr.startswith("zarrc: warning: ") and "dimension_names" in out.stderr
    assert len(out.stderr.splitlines()) == 1  # the message alone, no source line after it
    tree = zarrc.group(str(tmp_path / "t.zarr"))
    tree.create_group("g").create_array("a", shape=(2, 3), dtype="i1",
                                        dimension_names=["y", None])
    for source in (src, tree):  # however deep the node is in the tree
        with pytest.warns(UserWarning, match="dimension_names") as caught:
            zarrc.convert(source, MemoryStore(), zarr_format=2)
        assert caught[0].filename == __file__  # raised at the caller, not inside zarrc


@pytest.mark.parametrize("how", ["convert", "upgrade"])
def test_v2_array_dimensions_become_v3_dimension_names(tmp_path, how):
    path = str(tmp_path / "s.zarr")
    a = zarrc.group(path, zarr_format=2).create_array(
        "v", shape=(3, 4), dtype="f4", chunks=(2, 2),
        attributes={"_ARRAY_DIMENSIONS": ["y", "x"], "units": "m"})
    a[...] = np.arange(12, dtype="f4").reshape(3, 4)
    if how == "convert":
        dest = str(tmp_path / "v3.zarr")
        zarrc.convert(path, dest)
    else:
        dest = path
        zarrc.upgrade_v2_to_v3(path)
    b = zarrc.open_array(dest, path="v", mode="r")
    assert b.zarr_format == 3 and b.dimension_names == ("y", "x")
    assert dict(b.attrs) == {"units": "m"}  # as xarray writes v3: names, no attribute
    xr = pytest.importorskip("xarray")
    ds = xr.open_zarr(dest, consolidated=False, zarr_format=3)
    assert ds["v"].dims == ("y", "x") and ds["v"].attrs == {"units": "m"}


def test_v3_dimension_names_become_v2_array_dimensions_and_back(tmp_path):
    src = zarrc.create_array(str(tmp_path / "s.zarr"), shape=(2, 3), dtype="i1",
                             dimension_names=["t", "x"], attributes={"k": 1})
    v2 = zarrc.convert(src, str(tmp_path / "v2.zarr"), zarr_format=2)
    assert dict(v2.attrs) == {"k": 1, "_ARRAY_DIMENSIONS": ["t", "x"]}
    v3 = zarrc.convert(v2, str(tmp_path / "v3.zarr"))
    assert v3.dimension_names == ("t", "x") and dict(v3.attrs) == {"k": 1}


def _blosc_typesize(path, key):
    """The typesize in the header of the blosc-compressed chunk file ``key`` (its 4th byte)."""
    with open(os.path.join(path, key), "rb") as f:
        return f.read(4)[3]


@pytest.mark.parametrize("dtype, filters, values, typesize", [
    ("<i8", [{"id": "delta", "dtype": "<i8", "astype": "<i2"}], np.arange(12) * 3, 2),
    ("<f8", [{"id": "fixedscaleoffset", "dtype": "<f8", "astype": "<u1", "scale": 10,
              "offset": 0}], np.arange(12) / 10, 1),
    (str, None, np.array(["a", "bb", "ccc"] * 4, dtype=object), 1),
])
def test_upgraded_blosc_typesize_is_what_v2_encoded_with(tmp_path, dtype, filters, values,
                                                         typesize):
    """blosc's v3 typesize is the item size of the buffer v2 handed it (after dtype-changing
    filters; bytes after a string serializer), as the chunks zarr-python wrote record."""
    import numcodecs

    path = str(tmp_path / "a.zarr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = zarr.create_array(path, shape=(12,), chunks=(6,), dtype=dtype, zarr_format=2,
                              filters=[numcodecs.get_codec(f) for f in filters or ()] or "auto",
                              compressors=numcodecs.Blosc(cname="lz4", shuffle=1))
        z[...] = values
    assert _blosc_typesize(path, "0") == typesize  # the oracle: zarr-python's own chunk
    a = zarrc.upgrade_v2_to_v3(path)
    blosc = a.metadata.to_dict()["codecs"][-1]
    assert blosc["name"] == "blosc" and blosc["configuration"]["typesize"] == typesize
    a[6:] = values[:6]  # a chunk written under the v3 document
    assert _blosc_typesize(path, "1") == typesize
    np.testing.assert_array_equal(zarrc.open_array(path)[...], np.concatenate([values[:6]] * 2))
