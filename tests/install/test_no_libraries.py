"""A build without the codec libraries, for real: pip builds zarrc from a copy of the source
with the four left out (``ZARRC_<LIB>=0``, as on a machine without them), and the build, the
run-time warnings, the blosc error and ``show_config`` say what is missing and what to install.

Needs Cython and a C compiler (the editable venv has them: scripts/test.sh runs this file
there); about a minute of compiling.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zarrc._libraries import INSTALL_COMMANDS, LIBRARIES

pytest.importorskip("Cython", reason="building zarrc needs Cython (the editable venv has it)")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
LEFT_OUT = {"ZARRC_ZSTD": "0", "ZARRC_LZ4": "0", "ZARRC_BLOSC": "0", "ZARRC_DEFLATE": "0"}

# Run with the build on sys.path: what a user of that build sees.
PROBE = textwrap.dedent("""
    import io, json, sys, warnings
    import numpy as np
    import zarrc
    from zarrc.errors import CodecError, NativeCodecMissingWarning
    from zarrc.storage import LocalStore
    from zarrc.testing.engine import io_kinds

    out = {"file": zarrc.__file__, "info": zarrc.build_info()}
    text = io.StringIO()
    zarrc.show_config(file=text)
    out["show_config"] = text.getvalue()
    data = np.arange(5000, dtype="i4") % 17
    out["kinds"], out["equal"] = {}, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, (name, compressors) in enumerate([("zstd", [{"name": "zstd"}]),
                                                 ("zstd-again", [{"name": "zstd"}]),
                                                 ("gzip", [{"name": "gzip"}]),
                                                 ("raw", None)]):
            a = zarrc.create_array(LocalStore(sys.argv[1]), name=str(i), shape=data.shape,
                                   chunks=(1000,), dtype=data.dtype, compressors=compressors)
            a[...] = data
            b = zarrc.open_array(LocalStore(sys.argv[1]), path=str(i))
            out["kinds"][name] = io_kinds(b)[0]
            out["equal"][name] = bool((b[...] == data).all())
    out["warnings"] = [[w.category.__name__, str(w.message)] for w in caught
                       if issubclass(w.category, NativeCodecMissingWarning)]
    try:
        a = zarrc.create_array(LocalStore(sys.argv[1]), name="blosc", shape=(10,),
                               dtype="u1", compressors=[{"name": "blosc"}])
        a[...] = 1
        out["blosc"] = None
    except CodecError as exc:
        out["blosc"] = str(exc)
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """``(the pip build's output, the directory zarrc was installed into)``."""
    tmp = tmp_path_factory.mktemp("nolibs")
    source = tmp / "source"
    source.mkdir()
    for name in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "csrc", source / "csrc")
    # the package without what a build makes (the extensions, Cython's C files)
    shutil.copytree(ROOT / "zarrc", source / "zarrc",
                    ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__"))
    target = tmp / "site"
    env = {**os.environ, **LEFT_OUT}
    env.pop("ZARRC_REQUIRE_NATIVE_CODECS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-v", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-index", "--target", str(target), str(source)],
        capture_output=True, text=True, env=env, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr, target


@pytest.fixture(scope="module")
def probe(build, tmp_path_factory):
    _log, target = build
    env = {k: v for k, v in os.environ.items() if k != "ZARRC_NO_NATIVE_IO"}
    env["PYTHONPATH"] = str(target)
    data = tmp_path_factory.mktemp("nolibs-data")
    proc = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True,
                          text=True, env=env, cwd=data, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert Path(out["file"]).parent.parent == target  # that build, not this one
    return out


def test_the_build_succeeds_and_warns_once_naming_the_packages(build):
    log, _target = build
    assert log.count("WARNING: building WITHOUT") == 1, log[-3000:]
    banner = log[log.index("WARNING: building WITHOUT"):]
    for library in LIBRARIES:
        assert f"{library} (left out:" in banner
    for command in INSTALL_COMMANDS.values():
        assert command in banner


def test_show_config_says_why_the_engine_runs_no_codec(probe):
    info = probe["info"]
    assert info["native_engine"] == "partial"
    assert not any(codec["native"] for codec in info["codecs"].values())
    for library in LIBRARIES:
        assert library in info["native_engine_reason"]
    text = probe["show_config"]
    assert "native engine: partial" in text and "was not found (or was left out)" in text
    assert INSTALL_COMMANDS["Debian/Ubuntu"] in text


def test_slow_paths_warn_once_per_codec_and_read_right(probe):
    assert probe["equal"] == {"zstd": True, "zstd-again": True, "gzip": True, "raw": True}
    assert probe["kinds"] == {"zstd": "reference", "zstd-again": "reference",
                              "gzip": "reference", "raw": "native"}
    messages = [message for _category, message in probe["warnings"]]
    assert len(messages) == 2, messages  # zstd once, gzip once, nothing for raw chunks
    assert "codec 'zstd'" in messages[0] and "libzstd" in messages[0]
    assert "codec 'gzip'" in messages[1] and "libdeflate" in messages[1]
    for message in messages:
        assert INSTALL_COMMANDS["Fedora"] in message


def test_blosc_without_libblosc_is_a_clear_error(probe):
    assert probe["blosc"] is not None, "a blosc array was written without libblosc"
    assert "libblosc" in probe["blosc"] and INSTALL_COMMANDS["Debian/Ubuntu"] in probe["blosc"]


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf is not installed")
def test_the_extensions_link_no_codec_library(build):
    _log, target = build
    for ext in (target / "zarrc" / "_ext").glob("*.so"):
        dynamic = subprocess.run(["readelf", "-d", str(ext)], capture_output=True, text=True,
                                 check=True).stdout
        for library in LIBRARIES:
            assert f"[{library}." not in dynamic, (ext.name, library)
