"""The codec registry (zarrc.codecs.registry): lazy built-ins, plug-ins, entry points, lookup."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import warnings

import pytest

import zarrc.codecs as zc
from zarrc.codecs import registry
from zarrc.codecs.base import BytesBytesCodec
from zarrc.errors import CodecError


class RleCodec(BytesBytesCodec):
    """A toy plug-in: run-length pairs (count, byte)."""

    name = "test.rle"
    codec_id = "test_rle"
    v2_aliases = ("rle_old",)

    def __init__(self, *, width: int = 1) -> None:
        self.width = width

    def get_config(self):
        return {"width": self.width}

    def encode(self, data):
        data, out, i = bytes(data), bytearray(), 0
        while i < len(data):
            j = i
            while j < len(data) and data[j] == data[i] and j - i < 255:
                j += 1
            out += bytes((j - i, data[i]))
            i = j
        return bytes(out)

    def decode(self, data, out=None):
        data = bytes(data)
        decoded = b"".join(bytes([data[k + 1]]) * data[k] for k in range(0, len(data), 2))
        if out is None:
            return decoded
        memoryview(out).cast("B")[:] = decoded
        return out


@pytest.fixture
def rle():
    zc.register_codec(RleCodec)
    yield RleCodec
    if "test.rle" in registry._loaded[3]:
        zc.unregister_codec("test.rle")


def test_builtin_tables_agree_with_the_classes():
    for fmt, table in ((3, registry._BUILTIN_V3), (2, registry._BUILTIN_V2)):
        for name, target in table.items():
            cls = registry._import(target)
            names = [cls.name, *cls.v3_aliases] if fmt == 3 else [cls.codec_id, *cls.v2_aliases]
            assert name in names, (fmt, name, target)
    for target in set(registry._BUILTIN_V3.values()) | set(registry._BUILTIN_V2.values()):
        cls = registry._import(target)
        for name in (cls.name, *cls.v3_aliases):
            assert registry._BUILTIN_V3.get(name) == target
        for name in filter(None, (cls.codec_id, *cls.v2_aliases)):
            assert registry._BUILTIN_V2.get(name) == target


def test_importing_the_package_loads_no_compression_library():
    code = (
        "import sys, zarrc.codecs as zc\n"
        "heavy = ('zstandard', 'blosc', 'lz4', 'crc32c', 'cramjam', 'snappy')\n"
        "assert not [m for m in heavy if m in sys.modules], sys.modules.keys()\n"
        "zc.get_codec_class('zstd')\n"
        "assert 'zstandard' in sys.modules and 'blosc' not in sys.modules\n"
        "assert 'zarrc.codecs.zstd' in sys.modules and 'zarrc.codecs.blosc' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_available_codecs_lists_every_builtin_name():
    names = zc.available_codecs()
    for name in (
        "bytes",
        "transpose",
        "gzip",
        "numcodecs.zlib",
        "zlib",
        "zstd",
        "lz4",
        "blosc",
        "bz2",
        "lzma",
        "crc32c",
        "zarrc.snappy",
        "snappy",
        "numcodecs.blosc",
    ):
        assert name in names
    assert names == sorted(names)


def test_codec_info():
    info = zc.codec_info("numcodecs.gzip")
    assert info["name"] == "gzip" and info["codec_id"] == "gzip"
    assert info["kind"] == "bytes_bytes"
    assert info["v3_names"] == ["gzip", "numcodecs.gzip"] and info["v2_ids"] == ["gzip"]
    assert info["class"] == "zarrc.codecs.deflate.GzipCodec"


def test_register_and_unregister_a_plugin(rle):
    codec = zc.get_codec({"name": "test.rle", "configuration": {"width": 2}})
    assert isinstance(codec, RleCodec) and codec.width == 2
    assert isinstance(zc.get_codec({"id": "rle_old"}, 2), RleCodec)
    assert isinstance(zc.get_codec("test_rle", 2), RleCodec)
    assert {"test.rle", "test_rle", "rle_old"} <= set(zc.available_codecs())
    assert codec.decode(codec.encode(b"aaabccccd")) == b"aaabccccd"
    # usable by name in a pipeline
    pipeline = zc.CodecPipeline.from_v3(["bytes", "test.rle"], zc.ChunkSpec((6,), "u1"))
    assert pipeline.decode(pipeline.encode(bytearray(b"zzzzzy"), "k"), "k").tobytes() == b"zzzzzy"
    zc.unregister_codec("rle_old")  # any of its names removes all of them
    for name in ("test.rle", "test_rle", "rle_old"):
        with pytest.raises(CodecError, match=repr(name)):
            zc.get_codec_class(name)


def test_register_replaces_and_validates():
    class Fake(BytesBytesCodec):
        name = "test.fake"

    zc.register_codec(Fake)
    try:

        class Fake2(BytesBytesCodec):
            name = "test.fake"

        zc.register_codec(Fake2)
        assert zc.get_codec_class("test.fake") is Fake2
    finally:
        zc.unregister_codec("test.fake")
    with pytest.raises(TypeError, match="not a subclass"):
        zc.register_codec(dict)
    with pytest.raises(TypeError, match="no class attribute 'name'"):
        zc.register_codec(type("Nameless", (BytesBytesCodec,), {}))
    with pytest.raises(CodecError, match="no codec named 'nope'"):
        zc.unregister_codec("nope")


def test_unknown_names_raise_codec_error_naming_them():
    with pytest.raises(CodecError, match="unknown codec 'lz5'"):
        zc.get_codec_class("lz5")
    with pytest.raises(CodecError, match="unknown codec 'nope'"):
        zc.get_codec({"name": "nope", "configuration": {}})
    with pytest.raises(CodecError, match="unknown codec 'nope'"):
        zc.get_codec({"id": "nope"}, 2)
    with pytest.raises(CodecError, match="'name'.*'id'"):
        zc.get_codec({"level": 1})
    with pytest.raises(CodecError, match="cannot interpret"):
        zc.get_codec(3.5)
    with pytest.raises(CodecError, match="unknown key"):
        zc.get_codec({"name": "zstd", "configuration": {}, "extra": 1})


class _FakeEntryPoint:
    def __init__(self, name, target, group="zarrc.codecs"):
        self.name, self.value, self.group, self._target = name, "tests:Rle", group, target

    def load(self):
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


def test_entry_points_are_loaded_on_the_first_unknown_name(monkeypatch):
    calls = []

    def fake_entry_points(**kwargs):
        calls.append(kwargs)
        assert kwargs == {"group": "zarrc.codecs"}
        return [_FakeEntryPoint("test.rle", RleCodec)]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    try:
        zc.get_codec_class("zstd")
        assert not calls  # known names never scan
        assert zc.get_codec_class("test.rle") is RleCodec
        assert calls
        calls.clear()
        assert zc.get_codec_class("test_rle", 2) is RleCodec  # now registered
        assert not calls
        assert "test.rle" in zc.available_codecs()
    finally:
        if "test.rle" in registry._loaded[3]:
            zc.unregister_codec("test.rle")


def test_broken_entry_point_is_a_codec_error(monkeypatch):
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda **kw: [_FakeEntryPoint("test.broken", ImportError("no module named rle"))],
    )
    with pytest.raises(CodecError, match="test.broken.*no module named rle"):
        zc.get_codec_class("test.broken")


def test_accepted_codec_forms(numcodecs, zarr):
    from zarrc.codecs import ZlibCodec, ZstdCodec

    expected = ZstdCodec(level=3)
    assert zc.get_codec(expected) is expected
    assert zc.get_codec({"name": "zstd", "configuration": {"level": 3}}) == expected
    assert zc.get_codec({"id": "zstd", "level": 3}, 2) == expected
    assert zc.get_codec(numcodecs.Zstd(level=3)) == expected
    assert zc.get_codec(zarr.codecs.ZstdCodec(level=3)) == expected
    assert zc.get_codec("zstd") == ZstdCodec()
    assert zc.get_codec("zlib") == ZlibCodec()  # a v2 id in v3: numcodecs.zlib
    assert zc.get_codec("zlib").to_json_v3()["name"] == "numcodecs.zlib"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = zarr.codecs.numcodecs.Zlib(level=4)
    assert zc.get_codec(wrapped).to_json_v3() == wrapped.to_dict()


def test_codec_info_reports_description_and_availability(monkeypatch):
    from zarrc.codecs import registry

    info = registry.codec_info("zstd")
    assert info["available"] is True and info["kind"] == "bytes_bytes"
    assert info["description"] and info["description"] == info["doc"]

    def missing(target):
        raise ImportError("no module named 'blosc'")

    monkeypatch.setattr(registry, "_import", missing)
    monkeypatch.setattr(registry, "_loaded", {2: {}, 3: {}})  # as if nothing was imported yet
    monkeypatch.setattr(registry, "_lazy", {2: dict(registry._BUILTIN_V2),
                                            3: dict(registry._BUILTIN_V3)})
    info = registry.codec_info("blosc")
    assert info["available"] is False and "blosc" in info["reason"]
