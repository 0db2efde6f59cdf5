"""What a build says about itself: ``zarrc.show_config()``, ``zarrc.build_info()``,
``zarrc --version``, and the warning and error of a build without a codec's library.

The versions are checked against the library files themselves (loaded with ctypes); the
missing-library paths are simulated here by hiding a codec from the engine, and run for real
by tests/install/test_no_libraries.py on a build made without the libraries.
"""

import ctypes
import io
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

import zarrc
from zarrc import buildinfo
from zarrc._ext import chunkio
from zarrc._libraries import INSTALL_COMMANDS, LIBRARIES
from zarrc.codecs import BloscCodec
from zarrc.errors import CodecError, NativeCodecMissingWarning
from zarrc.storage import LocalStore
from zarrc.testing.engine import io_kinds

ROOT = Path(__file__).resolve().parents[2]
# the function each library reports its run-time version with
VERSION_CALLS = {"libzstd": "ZSTD_versionString", "liblz4": "LZ4_versionString",
                 "libblosc": "blosc_get_version_string"}


def test_show_config_prints_the_version_first_then_the_engine_and_every_codec():
    out = io.StringIO()
    zarrc.show_config(file=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"zarrc {zarrc.__version__}"
    info = zarrc.build_info()
    assert f"native engine: {info['native_engine']}" in lines
    for name, codec in info["codecs"].items():
        (line,) = [x for x in lines if x.split()[:1] == [name]]
        assert (" yes " in line) == codec["native"], line
        if codec["native"]:
            assert f"built {codec['built']}" in line, line


def test_build_info_versions_are_those_of_the_library_files_loaded():
    info = zarrc.build_info()
    assert info["version"] == zarrc.__version__
    assert set(info["codecs"]) == {c for codecs in LIBRARIES.values() for c in codecs}
    checked = 0
    for codec in info["codecs"].values():
        if not codec["native"] or codec["file"] is None:
            continue
        call = VERSION_CALLS.get(codec["library"])
        if call is None:  # libdeflate reports no version at run time
            assert codec["runtime"] is None
            continue
        function = getattr(ctypes.CDLL(codec["file"]), call)
        function.restype = ctypes.c_char_p
        assert function().decode() == codec["runtime"], codec
        checked += 1
    if any(c["native"] for c in info["codecs"].values()):
        assert checked, "no library file was found loaded for a native codec"


def test_zarrc_version_is_the_version_line_then_show_config():
    proc = subprocess.run([sys.executable, "-m", "zarrc.cli", "--version"],
                          capture_output=True, text=True, check=True)
    out = io.StringIO()
    zarrc.show_config(file=out)
    assert proc.stdout.splitlines()[0] == f"zarrc {zarrc.__version__}"
    assert proc.stdout == out.getvalue()


def test_no_native_io_turns_the_engine_off_and_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("ZARRC_NO_NATIVE_IO", "1")
    info = zarrc.build_info()
    assert info["native_engine"] == "off"
    assert "ZARRC_NO_NATIVE_IO=1" in info["native_engine_reason"]
    a = zarrc.create_array(LocalStore(tmp_path), shape=(4,), chunks=(2,), dtype="i4",
                           compressors=None)
    assert io_kinds(a) == ("reference",) * 4  # what it says is what arrays get


@pytest.fixture
def without_zstd(monkeypatch):
    """This build, as one without libzstd looks to the engine; the warnings forgotten."""
    real = chunkio.decodes
    monkeypatch.setattr(chunkio, "decodes", lambda codec: codec != "zstd" and real(codec))
    monkeypatch.setattr(buildinfo, "_warned", set())


def test_a_missing_codec_library_warns_once_naming_the_packages(without_zstd, tmp_path):
    data = np.arange(100, dtype="i4")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = zarrc.create_array(LocalStore(tmp_path), name="a", shape=(100,), chunks=(10,),
                               dtype="i4", compressors=[{"name": "zstd"}])
        a[...] = data
        b = zarrc.open_array(LocalStore(tmp_path), path="a")
        np.testing.assert_array_equal(b[...], data)
    slow = [w for w in caught if issubclass(w.category, NativeCodecMissingWarning)]
    assert len(slow) == 1, [str(w.message) for w in caught]
    message = str(slow[0].message)
    assert "libzstd" in message and "zstandard" in message
    for command in INSTALL_COMMANDS.values():
        assert command in message
    assert slow[0].filename == __file__  # it points at the code that opened the array
    assert io_kinds(b)[0] == "reference"


def test_no_warning_when_the_reference_path_was_asked_for(without_zstd, tmp_path, monkeypatch):
    monkeypatch.setenv("ZARRC_NO_NATIVE_IO", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", NativeCodecMissingWarning)
        a = zarrc.create_array(LocalStore(tmp_path), shape=(10,), chunks=(5,), dtype="u1",
                               compressors=[{"name": "zstd"}])
        a[...] = 7
        assert (a[...] == 7).all()


def test_blosc_without_libblosc_is_an_error_naming_the_packages(monkeypatch):
    import zarrc.codecs.blosc as blosc_module

    monkeypatch.setattr(blosc_module.native, "blosc_available", lambda: False)
    with pytest.raises(CodecError) as info:
        BloscCodec(cname="lz4").encode(np.arange(10, dtype="u1"))
    assert "libblosc" in str(info.value) and "libblosc-dev" in str(info.value)
    assert "cannot be read or written" in str(info.value)


def test_install_docs_have_the_commands_the_messages_give():
    page = (ROOT / "docs" / "install.md").read_text()
    for command in INSTALL_COMMANDS.values():
        assert f"`{command}`" in page, command


def test_the_file_reported_is_the_one_the_extension_calls_with_another_copy_loaded(tmp_path):
    """Another package may load its own copy of a codec's library first (pillow's wheel
    bundles libzstd): the file reported is still the one zarrc's extension calls. The copy
    lies where its path sorts first (/dev/shm when writable), as a name-based search of the
    process's mapped files would have picked it."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        tmp_path = Path(tempfile.mkdtemp(dir=shm))
    before = zarrc.build_info()["codecs"]
    checked = 0
    for name, codec in before.items():
        if codec["file"] is None or codec["library"] not in VERSION_CALLS:
            continue
        copy = tmp_path / f"{codec['library']}-0copy.so.1"  # sorts before the real one
        copy.write_bytes(Path(codec["file"]).read_bytes())
        ctypes.CDLL(str(copy))
        assert zarrc.build_info()["codecs"][name]["file"] == codec["file"], name
        checked += 1
        copy.unlink()
    if not checked:
        pytest.skip("no codec library loaded as a shared object in this build")
