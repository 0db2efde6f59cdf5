"""zarr-python 3.1.6's module functions in zarrc: same names, parameters and defaults, and what
each does (checked against zarr-python or NumPy)."""

from __future__ import annotations

import inspect
import io

import numpy as np
import pytest

import zarrc
from zarrc.errors import ContainsArrayError, ContainsGroupError

FUNCTIONS = ["array", "consolidate_metadata", "copy", "copy_all", "create", "create_array",
             "create_group", "create_hierarchy", "empty", "empty_like", "from_array", "full",
             "full_like", "group", "load", "ones", "ones_like", "open", "open_array",
             "open_consolidated", "open_group", "open_like", "save", "save_array", "save_group",
             "tree", "zeros", "zeros_like"]


@pytest.fixture(scope="module")
def zarr():
    return pytest.importorskip("zarr")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signature_covers_zarr_pythons(zarr, name):
    theirs = inspect.signature(getattr(zarr, name)).parameters
    ours = inspect.signature(getattr(zarrc, name)).parameters
    variadic = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    for pname, p in theirs.items():
        if p.kind in variadic:
            continue
        assert pname in ours, f"{name}: missing parameter {pname!r}"
        default = p.default
        if default is not inspect.Parameter.empty and not type(default).__name__.startswith(
                "Default"):
            assert ours[pname].default == default, f"{name}({pname}=...)"


def test_create_group_refuses_an_existing_node():
    store = {}
    zarrc.create_group(store, attributes={"a": 1})
    with pytest.raises(ContainsGroupError):
        zarrc.create_group(store)
    assert dict(zarrc.create_group(store, overwrite=True).attrs) == {}
    g = zarrc.create_group(store, path="sub/inner", zarr_format=2)
    assert g.path == "sub/inner" and g.zarr_format == 2


def test_from_array_copies_data_and_settings():
    src = zarrc.create_array({}, shape=(10, 6), chunks=(4, 3), dtype="int16", fill_value=-1,
                             compressors=zarrc.codecs.GzipCodec(level=3),
                             attributes={"u": "m"}, dimension_names=("y", "x"))
    src[:8] = np.arange(48).reshape(8, 6)
    dst = zarrc.from_array({}, data=src)
    np.testing.assert_array_equal(dst[:], src[:])
    assert (dst.chunks, dst.fill_value, dst.compressors, dst.dimension_names) == (
        (4, 3), -1, (zarrc.codecs.GzipCodec(level=3),), ("y", "x"))
    assert dict(dst.attrs) == {"u": "m"}
    v2 = zarrc.from_array({}, data=src, zarr_format=2, chunks=(5, 6))
    assert v2.zarr_format == 2 and v2.chunks == (5, 6)
    np.testing.assert_array_equal(v2[:], src[:])
    plain = zarrc.from_array({}, data=np.eye(3), write_data=False)
    assert plain.shape == (3, 3) and plain.nchunks_initialized == 0


def test_like_functions_follow_the_template(zarr):
    src = zarrc.create_array({}, shape=(6, 4), chunks=(3, 2), dtype="float32",
                             compressors=zarrc.codecs.ZstdCodec(level=5))
    for fn, value in ((zarrc.zeros_like, 0), (zarrc.ones_like, 1),
                      (zarrc.full_like, 2.5), (zarrc.empty_like, 0)):
        kw = {"fill_value": 2.5} if fn is zarrc.full_like else {}
        a = fn(src, **kw)
        assert (a.shape, a.chunks, a.dtype) == ((6, 4), (3, 2), np.float32)
        assert a.compressors == (zarrc.codecs.ZstdCodec(level=5),)
        np.testing.assert_array_equal(a[:], np.full((6, 4), value, dtype="f4"))
    z = zarrc.zeros_like(np.ones((2, 3), dtype="u2"))
    assert z.shape == (2, 3) and z.dtype == np.uint16


def test_open_like_creates_then_reopens(tmp_path):
    src = np.arange(10, dtype="i2")
    path = str(tmp_path / "like.zarr")
    a = zarrc.open_like(src, path)
    a[:] = src
    b = zarrc.open_like(src, path)
    np.testing.assert_array_equal(b[:], src)


def test_save_group_and_load(zarr, tmp_path):
    zarrc.save(str(tmp_path / "g.zarr"), np.arange(3), np.ones(2), named=np.zeros((2, 2)))
    loaded = zarrc.load(str(tmp_path / "g.zarr"))
    assert sorted(loaded) == ["arr_0", "arr_1", "named"]
    np.testing.assert_array_equal(loaded["arr_0"], np.arange(3))
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="r")  # zarr-python reads what we wrote
    np.testing.assert_array_equal(g["named"][:], np.zeros((2, 2)))
    zarrc.save_array(str(tmp_path / "a.zarr"), np.arange(4), zarr_format=2)
    assert zarrc.open_array(str(tmp_path / "a.zarr")).zarr_format == 2
    zarrc.save_group(str(tmp_path / "h.zarr"), x=np.arange(2))
    np.testing.assert_array_equal(zarrc.load(str(tmp_path / "h.zarr"))["x"], [0, 1])
    with pytest.raises(ValueError):
        zarrc.save(str(tmp_path / "e.zarr"))
    zarrc.save(str(tmp_path / "c.zarr"), np.arange(10), chunks=(4,))  # zarrc: create keywords
    assert zarrc.open_array(str(tmp_path / "c.zarr")).chunks == (4,)


def test_tree_function_and_level():
    g = zarrc.create_group({})
    g.create_group("a").create_group("b").create_array("c", shape=(1,), dtype="i1")
    assert str(zarrc.tree(g)) == str(g.tree())
    assert "b" not in str(zarrc.tree(g, level=1)) and "c (1,) int8" in str(g.tree())


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_copy_and_copy_all(zarr_format):
    src = zarrc.create_group({}, zarr_format=zarr_format, attributes={"top": 1})
    a = src.create_group("g", attributes={"k": "v"}).create_array(
        "a", shape=(7, 5), chunks=(3, 2), dtype="u2", fill_value=9)
    a[:5] = np.arange(25).reshape(5, 5)
    src.create_array("b", shape=(3,), dtype="f8")[:] = [1.5, 2.5, 3.5]
    dst = zarrc.create_group({}, zarr_format=zarr_format)
    copied, skipped, nbytes = zarrc.copy(src["g"], dst)
    assert (copied, skipped) == (2, 0) and nbytes == a.nbytes
    np.testing.assert_array_equal(dst["g/a"][:], a[:])
    assert dict(dst["g"].attrs) == {"k": "v"} and dst["g/a"].fill_value == 9
    with pytest.raises(ContainsArrayError):
        zarrc.copy(src["b"], dst, name="g")
    assert zarrc.copy(src["g"], dst, if_exists="skip")[:2] == (0, 2)  # the group and its array
    log = io.StringIO()
    everything = zarrc.create_group({}, zarr_format=zarr_format)
    assert zarrc.copy_all(src, everything, log=log)[0] == 3
    assert sorted(everything) == ["b", "g"] and dict(everything.attrs) == {"top": 1}
    assert "copy /g/a" in log.getvalue()
    dry = zarrc.create_group({})
    assert zarrc.copy_all(src, dry, dry_run=True)[0] == 3 and len(dry) == 0


def test_create_array_with_data_and_config():
    a = zarrc.create_array({}, data=np.arange(12).reshape(3, 4), chunks=(2, 2),
                           config={"order": "F", "write_empty_chunks": True})
    np.testing.assert_array_equal(a[:], np.arange(12).reshape(3, 4))
    assert a.config == zarrc.core.array_spec.ArrayConfig(order="F", write_empty_chunks=True)
    b = zarrc.create_array({}, shape=(3,), dtype="i1", data=np.ones(3), write_data=False)
    assert b.nchunks_initialized == 0
