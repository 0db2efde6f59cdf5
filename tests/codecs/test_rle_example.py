"""The run-length-encoding plug-in of docs/codecs.md, run from the doc itself so it cannot rot.

The first ``python`` block of the doc is the plug-in module ``zarrc_rle.py``; it is written to a
temporary directory put on ``sys.path``. The other ``python`` blocks run in order, as a reader
would run them. The ``toml`` block is the package's pyproject; its entry points are installed
as a real (dist-info) distribution to check discovery through the ``zarrc.codecs`` group.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarrc
import zarrc.codecs as zc
from zarrc.codecs import registry
from zarrc.errors import CodecError, MetadataError
from zarrc.storage import MemoryStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "codecs.md"


def _blocks(language: str) -> list[str]:
    """The fenced code blocks of the doc in `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text(), flags=re.M | re.S)


def _load_codec_class() -> type:
    """The doc's RunLengthCodec, executed as module ``zarrc_rle`` but not registered."""
    namespace = {"__name__": "zarrc_rle"}
    exec(compile(_blocks("python")[0], str(DOC), "exec"), namespace)
    return namespace["RunLengthCodec"]


_RLE = _load_codec_class()


def _forget_rle() -> None:
    if "rle" in registry._loaded[3] or "rle" in registry._loaded[2]:
        zc.unregister_codec("rle")
    sys.modules.pop("zarrc_rle", None)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """A directory on sys.path holding the doc's ``zarrc_rle.py``; "rle" is unknown before/after."""
    _forget_rle()
    (tmp_path / "zarrc_rle.py").write_text(_blocks("python")[0])
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    _forget_rle()


@pytest.fixture
def rle(plugin_dir):
    """The doc's codec class, registered."""
    import zarrc_rle

    zc.register_codec(zarrc_rle.RunLengthCodec)
    return zarrc_rle.RunLengthCodec


def _reference_rle(data: bytes, max_run: int) -> bytes:
    """An independent encoder: itertools.groupby runs, split at max_run."""
    out = bytearray()
    for value, group in itertools.groupby(data):
        n = len(list(group))
        while n:
            take = min(n, max_run)
            out += bytes((take, value))
            n -= take
    return bytes(out)


def test_the_doc_has_the_blocks_this_test_runs():
    assert len(_blocks("python")) >= 2
    assert len(_blocks("toml")) == 1


def test_the_doc_examples_run(plugin_dir, capsys):
    namespace: dict = {}
    for block in _blocks("python")[1:]:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert "rle" in zc.available_codecs()
    printed = capsys.readouterr().out  # the MetadataError the doc prints
    assert "'rle'" in printed and "'max_run'" in printed


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 255), st.integers(1, 700)), max_size=20).map(
        lambda runs: b"".join(bytes([v]) * n for v, n in runs)
    ),
    max_run=st.integers(1, 255),
)
def test_encode_matches_a_reference_and_decode_inverts(data, max_run):
    codec = _RLE(max_run=max_run)
    encoded = codec.encode(data)
    assert bytes(encoded) == _reference_rle(data, max_run)
    assert bytes(codec.decode(encoded)) == data
    out = bytearray(len(data))
    assert codec.decode(encoded, out) is out and bytes(out) == data


def test_corrupt_input_is_a_codec_error():
    codec = _RLE()
    with pytest.raises(CodecError, match="'rle'.*pairs"):
        codec.decode(b"\x03a\x02")
    with pytest.raises(CodecError, match="'rle'.*length 0"):
        codec.decode(b"\x00a")
    with pytest.raises(CodecError, match="'rle'.*expected 4"):
        codec.decode(b"\x03a", bytearray(4))


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("dtype", ["u1", "<i4", ">f8"])
def test_arrays_round_trip_through_the_plugin(rle, zarr_format, dtype):
    rng = np.random.default_rng(6)
    expected = np.repeat(rng.integers(0, 4, size=(30, 7)), 5, axis=1).astype(dtype)
    compressor, max_run = (
        ({"name": "rle"}, 255) if zarr_format == 3 else ({"id": "rle", "max_run": 9}, 9)
    )
    store = MemoryStore()
    a = zarrc.create_array(
        store,
        shape=expected.shape,
        chunks=(8, 16),
        dtype=dtype,
        zarr_format=zarr_format,
        compressors=[compressor],
    )
    a[...] = expected
    np.testing.assert_array_equal(zarrc.open_array(store)[...], expected)
    np.testing.assert_array_equal(a[3:20:2, ::-3], expected[3:20:2, ::-3])
    # what is stored is the codec's encoding of the serialized chunk
    key = "c/0/0" if zarr_format == 3 else "0.0"
    chunk = expected[:8, :16]
    if zarr_format == 3:  # the serializer writes the byte order it names
        endian = a.metadata.to_dict()["codecs"][0].get("configuration", {}).get("endian", "little")
        chunk = chunk.astype(chunk.dtype.newbyteorder("<" if endian == "little" else ">"))
    raw = np.ascontiguousarray(chunk).tobytes()
    assert store.get(key) == _reference_rle(raw, max_run)


def test_registry_entries(rle):
    assert {"rle"} <= set(zc.available_codecs())
    info = zc.codec_info("rle")
    assert info["name"] == "rle" and info["codec_id"] == "rle"
    assert info["kind"] == "bytes_bytes"
    assert info["v3_names"] == ["rle"] and info["v2_ids"] == ["rle"]
    assert info["class"] == "zarrc_rle.RunLengthCodec"
    assert info["doc"] == rle.__doc__.strip().splitlines()[0]
    assert zc.get_codec({"name": "rle", "configuration": {"max_run": 3}}) == rle(max_run=3)
    zc.unregister_codec("rle")
    assert "rle" not in zc.available_codecs()
    with pytest.raises(CodecError, match="unknown codec 'rle'"):
        zc.get_codec_class("rle")


@pytest.mark.parametrize(
    "compressors, field",
    [
        ([{"name": "rle", "configuration": {"max_run": 0}}], "max_run"),
        ([{"name": "rle", "configuration": {"max_run": "x"}}], "max_run"),
        ([{"name": "rle", "configuration": {"max_runs": 3}}], "max_runs"),
        ([{"name": "zstd", "configuration": {"level": "x"}}], "level"),
        ([{"name": "zstd", "configuration": {"lvl": 3}}], "lvl"),
        ([{"name": "gzip", "configuration": {"level": 99}}], "level"),
        ([{"id": "rle", "max_run": 256}], "max_run"),
    ],
)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_bad_configuration_fails_at_creation_naming_codec_and_field(
    rle, compressors, field, zarr_format
):
    store = MemoryStore()
    with pytest.raises(MetadataError) as info:
        zarrc.create_array(
            store,
            name="g/a",
            shape=(4,),
            dtype="u1",
            zarr_format=zarr_format,
            compressors=compressors,
        )
    assert isinstance(info.value, CodecError)  # SPEC: either; the issue: MetadataError
    codec = compressors[0].get("name") or compressors[0]["id"]
    assert f"'{codec}'" in str(info.value) and f"'{field}'" in str(info.value)
    assert store.list_prefix("") == []


def test_unknown_codec_at_creation_writes_nothing(plugin_dir):
    store = MemoryStore()
    with pytest.raises(MetadataError, match="'rle'"):
        zarrc.create_array(store, shape=(4,), dtype="u1", compressors=["rle"])
    assert store.list_prefix("") == []


def _install_distribution(root: Path) -> None:
    """Install the doc's pyproject as a dist-info under `root` (as pip would write it)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads(_blocks("toml")[0])["project"]
    dist = root / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = [
        f"[{group}]" + "".join(f"\n{k} = {v}" for k, v in eps.items())
        for group, eps in project["entry-points"].items()
    ]
    (dist / "entry_points.txt").write_text("\n\n".join(lines) + "\n")


def test_an_installed_package_is_found_through_its_entry_point(plugin_dir):
    store = MemoryStore()
    _install_distribution(plugin_dir)
    assert "rle" in zc.available_codecs()  # listed without importing it
    assert "zarrc_rle" not in sys.modules
    a = zarrc.create_array(
        store, name="x", shape=(300,), dtype="u1", chunks=(300,), compressors=["rle"]
    )  # nobody called register_codec
    a[...] = 5
    assert store.get("x/c/0") == bytes([255, 5, 45, 5])
    assert zc.get_codec_class("rle").__module__ == "zarrc_rle"
    # forgotten again, the codec is found anew when the array is opened
    _forget_rle()
    np.testing.assert_array_equal(zarrc.open_array(store, path="x")[...], np.full(300, 5, "u1"))
