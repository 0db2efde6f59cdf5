"""The wheel of scripts/wheel.sh, installed in a fresh venv, carries its native engine.

scripts/test.sh builds the wheel, installs it into a second venv and runs the whole suite
there with ``ZARRC_TEST_WHEEL`` naming the wheel file; these tests check what only that run
can: zarrc is the installed wheel (not the source tree), its extensions load the C libraries
it bundles and none from the system, every native codec is active and runs, and the wheel
holds what the package needs and nothing of tests/. Elsewhere they skip.
"""

import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import zarrc
from zarrc._libraries import LIBRARIES
from zarrc.errors import NativeCodecMissingWarning
from zarrc.storage import LocalStore
from zarrc.testing.engine import io_kinds

ROOT = Path(__file__).resolve().parents[2]
WHEEL = os.environ.get("ZARRC_TEST_WHEEL")
pytestmark = pytest.mark.skipif(not WHEEL, reason="runs against the installed wheel: "
                                "scripts/test.sh sets ZARRC_TEST_WHEEL")
PACKAGE = Path(zarrc.__file__).parent
LIBS = PACKAGE.parent / "zarrc.libs"
SYSTEM_SONAMES = ("libzstd.so", "liblz4.so", "libblosc.so", "libdeflate.so")
# an array of each native codec: (zarr_format, compressor)
ARRAYS = {
    "zstd": (3, {"name": "zstd", "configuration": {"level": 3, "checksum": True}}),
    "lz4": (2, {"id": "lz4"}),
    "blosc": (3, {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 5}}),
    "gzip": (3, {"name": "gzip", "configuration": {"level": 5}}),
    "zlib": (2, {"id": "zlib", "level": 1}),
}


def extensions() -> list[Path]:
    found = sorted((PACKAGE / "_ext").glob("*.so"))
    assert len(found) >= 10, found
    return found


def test_zarrc_is_the_installed_wheel_not_the_source_tree():
    assert PACKAGE.resolve() != (ROOT / "zarrc").resolve(), "zarrc imported from the source tree"
    assert PACKAGE.parent.name == "site-packages", PACKAGE
    with zipfile.ZipFile(WHEEL) as wheel:
        tag = re.search(r"^Tag: (.+)$", wheel.read(next(
            n for n in wheel.namelist() if n.endswith(".dist-info/WHEEL"))).decode(), re.M)
    installed = (PACKAGE.parent / f"zarrc-{zarrc.__version__}.dist-info" / "WHEEL").read_text()
    assert f"Tag: {tag.group(1)}" in installed
    assert re.search(r"-manylinux_2_\d+_\w+\.whl$", WHEEL), WHEEL


def test_the_native_engine_and_every_native_codec_are_active():
    info = zarrc.build_info()
    assert info["native_engine"] == "active", info["native_engine_reason"]
    for name, codec in info["codecs"].items():
        assert codec["native"], name
        assert codec["file"] is not None and Path(codec["file"]).parent == LIBS, codec
        if codec["runtime"] is not None:
            assert codec["runtime"] == codec["built"], codec


@pytest.mark.skipif(shutil.which("readelf") is None or shutil.which("ldd") is None,
                    reason="readelf/ldd are not installed")
def test_the_extensions_need_no_codec_library_from_the_system():
    for ext in extensions():
        needed = re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(
            ["readelf", "-d", str(ext)], capture_output=True, text=True, check=True).stdout)
        assert not [n for n in needed if n.startswith(SYSTEM_SONAMES)], (ext.name, needed)
        resolved = subprocess.run(["ldd", str(ext)], capture_output=True, text=True,
                                  check=True).stdout
        for line in resolved.splitlines():
            name, _, where = line.strip().partition(" => ")
            if re.match(r"lib(zstd|lz4|blosc|deflate|snappy)\b", name):
                path = Path(where.split(" (")[0])
                assert path.resolve().parent == LIBS.resolve(), (ext.name, line)


@pytest.mark.parametrize("codec", sorted(ARRAYS))
def test_each_codec_runs_natively(codec, tmp_path):
    zarr_format, compressor = ARRAYS[codec]
    data = np.arange(20_000, dtype="<i4").reshape(100, 200) % 977
    with warnings.catch_warnings():
        warnings.simplefilter("error", NativeCodecMissingWarning)
        a = zarrc.create_array(LocalStore(tmp_path), name="a", shape=data.shape, chunks=(30, 70),
                               dtype=data.dtype, compressors=[compressor],
                               zarr_format=zarr_format)
        a[...] = data
        b = zarrc.open_array(LocalStore(tmp_path), path="a", mode="r")
        assert io_kinds(b)[0] == "native"
        np.testing.assert_array_equal(b[...], data)
        np.testing.assert_array_equal(b[7:91, 3:177:5], data[7:91, 3:177:5])


def test_the_wheel_holds_the_package_and_nothing_of_tests():
    with zipfile.ZipFile(WHEEL) as wheel:
        names = set(wheel.namelist())
    source = ROOT / "zarrc"
    expected = {f"zarrc/{p.relative_to(source).as_posix()}" for p in source.rglob("*")
                if p.suffix in (".py", ".pyi", ".pyx", ".pxd") or p.name == "py.typed"}
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith("tests/") or "/tests/" in n]
    ext = {Path(n).name.split(".")[0] for n in names if n.startswith("zarrc/_ext/")
           and n.endswith(".so")}
    assert ext == {p.stem for p in (source / "_ext").glob("*.pyx")}
    libs = {n.split("/")[1].split("-")[0] for n in names if n.startswith("zarrc.libs/lib")}
    assert set(LIBRARIES) <= libs, libs
    assert any(n.startswith("zarrc.libs/licenses/") for n in names)
