#!/usr/bin/env bash
# Quick start 2: set up the venv and run every check: ruff, the layer contracts, mypy, the docs site
# (built in strict mode, then checked in headless Chromium by the tests), one pass over every
# asv benchmark so none rots, then the wheel: built (scripts/wheel.sh), installed into a venv
# of its own, and the whole test suite run against it (zarr-python 3 / tensorstore interop
# included, zarr-python 2.18 through its own venv, every docs example), from outside the
# source tree so a packaging mistake fails; last, what only the editable install can run
# (tests/install: a build without the C libraries) with the version tests.
#   bash scripts/test.sh [PYTEST ARGS]   e.g. -x, -k NAME, tests/test_cli.py (the wheel's run)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${ZARRC_VENV:-.venv}"
WHEEL_VENV="${ZARRC_WHEEL_VENV:-.venv-wheel}"
[[ "$WHEEL_VENV" = /* ]] || WHEEL_VENV="$ROOT/$WHEEL_VENV"
bash scripts/setup-venv.sh test,lint,bench,docs
# The Redis store tests run against a real redis-server on loopback: install it where missing
# (as root, with apt); elsewhere those tests skip and say why.
if ! command -v redis-server >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing redis-server (for the Redis store tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 \
         && apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1; } \
    || echo "setup: note: could not install redis-server; the Redis store tests will skip"
fi
echo "== ruff"
"$VENV/bin/ruff" check zarrc tests asv_bench scripts
echo "== import-linter (DESIGN.md layers)"
"$VENV/bin/lint-imports"
echo "== mypy (strict; [tool.mypy] in pyproject.toml)"
"$VENV/bin/mypy"
echo "== docs site (mkdocs --strict into site/)"
bash scripts/docs.sh   # not --quiet: mkdocs then drops the warnings strict mode counts
export ZARRC_DOCS_SITE="$PWD/site"   # tests/docs/test_site.py opens this build
echo "== zarr-python 2.18 peer venv"
ZARRC_ZARR2_PYTHON="$(bash .ci/zarr2-peer.sh)"
export ZARRC_ZARR2_PYTHON
echo "== benchmarks, each once"
"$VENV/bin/python" asv_bench/run_once.py
echo "== wheel (scripts/wheel.sh)"
bash scripts/wheel.sh
WHEEL="$(ls "${ZARRC_WHEEL_DIR:-$ROOT/dist}"/zarrc-*.whl)"  # the one it left there
echo "== the wheel in a venv of its own ($WHEEL_VENV)"
[[ -x "$WHEEL_VENV/bin/python" ]] || python3 -m venv "$WHEEL_VENV"
WPIP=("$WHEEL_VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${WPIP[@]}" install -c requirements/constraints.txt "$WHEEL[test,bench,docs]"
"${WPIP[@]}" install --force-reinstall --no-deps "$WHEEL"  # the same version, rebuilt
# Pytest arguments that name files of this tree, absolute: the wheel's run is elsewhere.
ARGS=() PATHS=0
for arg in "$@"; do
  if [[ "$arg" != -* && -e "${arg%%::*}" ]]; then
    PATHS=1
    [[ "$arg" = /* ]] && ARGS+=("$arg") || ARGS+=("$ROOT/$arg")
  else
    ARGS+=("$arg")
  fi
done
(( PATHS )) || ARGS+=("$ROOT/tests")
echo "== pytest: the installed wheel (from a directory outside the source tree)"
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/zarrc-wheel-tests.XXXXXX")"
trap 'rm -rf "$RUN_DIR"' EXIT
# Run from there, pytest and the Pythons the tests start put that directory, not the source
# tree, first on sys.path (tests/install/test_wheel.py checks which zarrc they import); it
# holds only a link to tests/, so that processes a test spawns import its functions by name.
ln -s "$ROOT/tests" "$RUN_DIR/tests"
(cd "$RUN_DIR" && ZARRC_TEST_WHEEL="$WHEEL" "$WHEEL_VENV/bin/python" \
  -m pytest -q -n 2 -p no:cacheprovider --rootdir "$ROOT" -c "$ROOT/pyproject.toml" "${ARGS[@]}")
echo "== pytest: the editable install (tests/install, tests/test_version.py)"
"$VENV/bin/python" -m pytest -q -n 2 -p no:cacheprovider tests/install tests/test_version.py
