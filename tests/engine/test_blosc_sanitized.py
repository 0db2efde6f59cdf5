"""The native blosc code built with AddressSanitizer and UBSan, against libblosc itself.

``blosc_fuzz.c`` drives both halves:
- encode: csrc/zc_bloscenc.c encodes random layouts, typesizes, clevels and data; its bytes
  must be libblosc's encoder's.
- decode: csrc/zc_blosc.c decodes chunks damaged at random (header, block starts and streams
  changed, cut short, grown); a chunk it accepts must decode in libblosc to the same bytes.

The Python tests compare these paths through the extension; here every row, buffer and scratch
block is also its own allocation of exactly its size, so a read or write outside one stops the
run. Needs gcc with the sanitizer runtimes and the liblz4 / libblosc headers; skipped without.
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
    exe = str(tmp_path_factory.mktemp("sanitized") / "blosc_fuzz")
    made = subprocess.run(
        ["gcc", "-std=c99", "-O1", "-g", "-Wall", "-Wextra", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-DZC_HAVE_LZ4",
         "-DZC_HAVE_BLOSC", "-I", CSRC,
         os.path.join(HERE, "blosc_fuzz.c"), os.path.join(CSRC, "zc_bloscenc.c"),
         os.path.join(CSRC, "zc_blosc.c"), "-llz4", "-lblosc", "-o", exe],
        capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot build with sanitizers: {made.stderr.strip()[-300:]}")
    return exe


@pytest.mark.parametrize("mode, cases", [("encode", 60), ("decode", 400)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_native_blosc_is_libblosc_and_stays_in_bounds(fuzzer, mode, cases, seed):
    run = subprocess.run([fuzzer, mode, str(cases), str(seed)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{cases} cases, 0 mismatches" in run.stdout
