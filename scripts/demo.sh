#!/usr/bin/env bash
# Quick start 1: set up the venv and run the demo (writes and reads a real dataset in v2 and v3).
#   bash scripts/demo.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
exec "${ZARRC_VENV:-.venv}/bin/zarrc" demo "$@"
