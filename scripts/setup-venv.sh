#!/usr/bin/env bash
# Create (idempotently) the project venv and install zarrc into it, editable, with the extras given.
#   bash scripts/setup-venv.sh [EXTRAS]     e.g. test,lint     (venv: ${ZARRC_VENV:-.venv})
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${ZARRC_VENV:-.venv}"
EXTRAS="${1:-}"
PYTHON="${PYTHON:-python3}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "setup: creating venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Optional: the compression libraries' headers, each enabling its codec in the native chunk
# loops (setup.py finds each on its own); never a failed setup.
bash scripts/native-libs.sh
# With the docs extra: Debian's chromium for the site's browser test (tests/docs/test_site.py),
# installed only as root with apt-get; without it that test skips, saying so.
if [[ ",$EXTRAS," == *",docs,"* ]] && ! command -v chromium >/dev/null 2>&1 \
    && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing chromium (the docs site's browser test)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    { apt-get update -qq >/dev/null 2>&1 \
      && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; } \
      || echo "setup: note: could not install chromium; the browser test will skip"
  fi
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --upgrade pip >/dev/null
# Build tools first, then zarrc itself (editable: the Cython extensions are compiled in place).
"${PIP[@]}" install -c requirements/constraints.txt "setuptools>=77" wheel Cython
spec="."
[[ -n "$EXTRAS" ]] && spec=".[${EXTRAS}]"
echo "setup: installing zarrc${EXTRAS:+ [$EXTRAS]} (compiling the native extensions)"
"${PIP[@]}" install -c requirements/constraints.txt --no-build-isolation -e "$spec"
