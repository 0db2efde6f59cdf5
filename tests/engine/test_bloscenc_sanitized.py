"""csrc/zc_bloscenc.c built with AddressSanitizer and UBSan, against libblosc's own encoder.

The Python tests compare the encoder's output with python-blosc through the extension; this one
also catches reads or writes outside any row, buffer or scratch block: every row and buffer is
its own allocation of exactly its size (``bloscenc_fuzz.c``). It needs gcc with the sanitizer
runtimes and the liblz4 / libblosc headers, and is skipped without them.
"""

import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(__file__)
CSRC = os.path.join(HERE, "..", "..", "csrc")


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    exe = str(tmp_path_factory.mktemp("bloscenc") / "bloscenc_fuzz")
    build = subprocess.run(
        ["gcc", "-std=c99", "-O1", "-g", "-Wall", "-Wextra", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-I", CSRC,
         os.path.join(HERE, "bloscenc_fuzz.c"), os.path.join(CSRC, "zc_bloscenc.c"),
         "-llz4", "-lblosc", "-o", exe], capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip(f"cannot build with sanitizers: {build.stderr.strip()[-300:]}")
    return exe


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_encoder_is_libblosc_and_stays_in_bounds(fuzzer, seed):
    run = subprocess.run([fuzzer, "60", str(seed)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "60 cases, 0 mismatches" in run.stdout
