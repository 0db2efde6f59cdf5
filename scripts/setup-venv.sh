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
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --upgrade pip >/dev/null
# Build tools first, then zarrc itself (editable: the Cython extensions are compiled in place).
"${PIP[@]}" install -c requirements/constraints.txt "setuptools>=77" wheel Cython
spec="."
[[ -n "$EXTRAS" ]] && spec=".[${EXTRAS}]"
echo "setup: installing zarrc${EXTRAS:+ [$EXTRAS]} (compiling the native extensions)"
"${PIP[@]}" install -c requirements/constraints.txt --no-build-isolation -e "$spec"
