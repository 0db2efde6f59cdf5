"""Assertions shared by the interop tests: values, fill values, stored documents, codec JSON.

NumPy only. Each helper names what differs so a failing interop case reads as a diagnosis.
"""

from __future__ import annotations

import json
import os

import datagen
import numpy as np


def native(dt):
    """``dt`` in native byte order (v3 stores endianness in the codec, not the dtype)."""
    dt = np.dtype(dt)
    return dt if dt.byteorder in "=|" else dt.newbyteorder("=")


def assert_values(actual, expected, *, exact_dtype=True, what=""):
    """``actual`` is an ndarray equal to ``expected``: NaN == NaN, and -0.0 != +0.0."""
    assert isinstance(actual, np.ndarray), f"{what}: got {type(actual).__name__}, not ndarray"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if exact_dtype:
        assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    else:
        assert native(actual.dtype) == native(expected.dtype), (
            f"{what}: dtype {actual.dtype} != {expected.dtype} (byte order ignored)")
    np.testing.assert_array_equal(actual, expected, err_msg=what, strict=False)
    if expected.dtype.kind in "fc":  # signed zeros survive the round trip
        for part in ("real", "imag") if expected.dtype.kind == "c" else ("real",):
            a, e = getattr(actual, part), getattr(expected, part)
            np.testing.assert_array_equal(np.signbit(a) | np.isnan(a), np.signbit(e) | np.isnan(e),
                                          err_msg=f"{what}: sign of zero ({part})")


def assert_fill(actual, expected, dtype, what=""):
    """Fill values equal bit for bit as ``dtype`` (NaN-safe), or both None."""
    if expected is None:
        assert actual is None, f"{what}: fill_value {actual!r} != None"
        return
    dt = native(dtype)
    assert actual is not None, f"{what}: fill_value None != {expected!r}"
    got, want = datagen.fill_bytes(actual, dt), datagen.fill_bytes(expected, dt)
    assert got == want, f"{what}: fill_value {actual!r} != {expected!r}"


def _reject_constant(token):
    raise ValueError(f"bare {token} is not JSON (zarr writes it as a string)")


def read_doc(path, fmt):
    """The stored metadata document of the array at ``path`` (.zarray or zarr.json).

    Parsed strictly: a bare NaN/Infinity token, which Python's json would accept, fails.
    """
    name = ".zarray" if fmt == 2 else "zarr.json"
    with open(os.path.join(path, name), encoding="utf-8") as fh:
        return json.load(fh, parse_constant=_reject_constant)


def strip_member_docs(root):
    """Delete every metadata document below ``root``; keep the root's and .zmetadata.

    What remains is readable only through consolidated metadata.
    """
    root = os.path.abspath(root)
    for dirpath, _dirs, files in os.walk(root):
        if os.path.abspath(dirpath) == root:
            continue
        for f in files:
            if f in (".zarray", ".zgroup", ".zattrs", "zarr.json"):
                os.remove(os.path.join(dirpath, f))


def assert_doc_contains(doc, stored, what=""):
    """Every key of the ``stored`` JSON document is in ``doc`` with the same value."""
    assert isinstance(doc, dict), f"{what}: metadata is {type(doc).__name__}, not dict"
    for key, value in stored.items():
        assert key in doc, f"{what}: metadata lacks stored key {key!r}"
        assert _canon(doc[key]) == _canon(value), (
            f"{what}: metadata[{key!r}] = {doc[key]!r}, stored {value!r}")


def _canon(value):
    """JSON round trip: tuples become lists, so comparisons see JSON values only."""
    return json.loads(json.dumps(value, sort_keys=True))


def normalize_v3_codecs(codecs, itemsize):
    """Codec JSON with the spec's optional parts made explicit, for comparing two writers.

    - ``"configuration": {}`` is the same as no configuration;
    - ``bytes`` needs no ``endian`` for one-byte types (v3 spec, bytes codec);
    - ``sharding_indexed``'s ``index_location`` defaults to ``"end"`` (sharding spec).
    """
    out = []
    for codec in _canon(codecs):
        name, config = codec["name"], dict(codec.get("configuration") or {})
        if name == "bytes" and itemsize == 1:
            config.pop("endian", None)
        if name == "sharding_indexed":
            config.setdefault("index_location", "end")
            config["codecs"] = normalize_v3_codecs(config["codecs"], itemsize)
            config["index_codecs"] = normalize_v3_codecs(config["index_codecs"], 8)
        out.append({"name": name, "configuration": config} if config else {"name": name})
    return out


def normalize_key_encoding(encoding):
    """v3 chunk_key_encoding with its default separator made explicit ("/" for default)."""
    encoding = _canon(encoding)
    config = dict(encoding.get("configuration") or {})
    config.setdefault("separator", "/" if encoding["name"] == "default" else ".")
    return {"name": encoding["name"], "configuration": config}


def optional_codec_unsupported(exc, optional):
    """True when ``exc`` is zarrc saying one of the ``optional`` codecs is not available."""
    import zarrc.errors as ze

    if not optional or not isinstance(exc, (ze.CodecError, ze.MetadataError)):
        return False
    return any(name in str(exc) for name in optional)


def check_tree(g, fmt, array_cls, group_cls):
    """``g`` holds exactly the test tree of cases.py: members, kinds, attributes, values."""
    import cases

    arrays = cases.tree_arrays(fmt)
    paths = set(cases.TREE_GROUPS) | set(arrays)
    assert isinstance(g, group_cls)
    assert dict(g.attrs) == cases.TREE_GROUPS[""]
    assert set(g) == cases.tree_children(paths, "")
    for gpath in (p for p in cases.TREE_GROUPS if p):
        member = g[gpath]
        assert isinstance(member, group_cls), gpath
        assert dict(member.attrs) == cases.TREE_GROUPS[gpath], gpath
        assert set(member) == cases.tree_children(paths, gpath), gpath
    for apath, case in arrays.items():
        member = g[apath]
        assert isinstance(member, array_cls), apath
        assert dict(member.attrs) == case.attributes, apath
        # np.asarray: zarr-python hands out NumPy scalars for 0-d reads (none here, but cheap)
        assert_values(np.asarray(member[...]), case.expected(), exact_dtype=fmt == 2, what=apath)


def assert_codec_config_compatible(ours, theirs, what=""):
    """Two numcodecs configs of one codec agree on every key both state.

    numcodecs versions differ in which defaults they write (zstd's ``checksum``, lzma's
    ``format``/``check``/``filters``), so a key missing on one side is not a difference.
    """
    if ours is None or theirs is None:
        assert ours is None and theirs is None, f"{what}: {ours!r} vs {theirs!r}"
        return
    assert ours["id"] == theirs["id"], f"{what}: {ours!r} vs {theirs!r}"
    for key in set(ours) & set(theirs):
        assert ours[key] == theirs[key], f"{what}: {key}: {ours[key]!r} vs {theirs[key]!r}"
