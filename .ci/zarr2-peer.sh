#!/usr/bin/env bash
# Create (idempotently) the zarr-python 2.18 peer venv and print its python's path on stdout.
#
#   export ZARRC_ZARR2_PYTHON="$(bash .ci/zarr2-peer.sh)"
#
# The venv lives at ${ZARRC_ZARR2_VENV:-/tmp/zarrc-zarr2-venv}; it is rebuilt when the pins in
# tests/data/v2-fixtures-requirements.txt change. All chatter goes to stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/tests/data/v2-fixtures-requirements.txt"
venv="${ZARRC_ZARR2_VENV:-/tmp/zarrc-zarr2-venv}"
base_python="${ZARRC_ZARR2_BASE_PYTHON:-python3}"
stamp="$venv/.zarrc-requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "zarr2-peer: creating $venv from $req" >&2
    rm -rf "$venv"
    "$base_python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --prefer-binary -r "$req" >&2
    "$venv/bin/python" -c "import zarr, numcodecs; assert zarr.__version__.startswith('2.')" >&2
    echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
