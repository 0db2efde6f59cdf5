#!/usr/bin/env bash
# Quick start 2: set up the venv and run every check: ruff, the layer contracts, the docs site
# (built in strict mode, then checked in headless Chromium by the tests), the test suite
# (zarr-python 3 / tensorstore interop included, zarr-python 2.18 through its own venv, every
# docs example), and one pass over every asv benchmark so none rots.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${ZARRC_VENV:-.venv}"
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
echo "== docs site (mkdocs --strict into site/)"
bash scripts/docs.sh   # not --quiet: mkdocs then drops the warnings strict mode counts
export ZARRC_DOCS_SITE="$PWD/site"   # tests/docs/test_site.py opens this build
echo "== zarr-python 2.18 peer venv"
ZARRC_ZARR2_PYTHON="$(bash .ci/zarr2-peer.sh)"
export ZARRC_ZARR2_PYTHON
echo "== benchmarks, each once"
"$VENV/bin/python" asv_bench/run_once.py
echo "== pytest"
"$VENV/bin/python" -m pytest -q -n 2 -p no:cacheprovider "$@"
