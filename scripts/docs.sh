#!/usr/bin/env bash
# Build the docs site into site/ in strict mode: any warning fails the build (a broken link or
# anchor, a nav entry without its file, a page of docs/ left out of the nav, a docstring
# reference mkdocstrings cannot resolve).
#   bash scripts/docs.sh [mkdocs build options]      then open site/index.html
set -euo pipefail
for arg in "$@"; do
  if [[ "$arg" == "-q" || "$arg" == "--quiet" ]]; then
    echo "docs.sh: no $arg: mkdocs then drops the very warnings strict mode counts" >&2
    exit 2
  fi
done
cd "$(dirname "$0")/.."
VENV="${ZARRC_VENV:-.venv}"
if ! "$VENV/bin/python" -c "import mkdocs, material, mkdocs_gen_files, mkdocs_literate_nav, mkdocstrings_handlers.python, zarrc" 2>/dev/null; then
  bash scripts/setup-venv.sh docs
fi
# mkdocs-material 9.7+ and a plugin print notices about MkDocs' future at every build.
export NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true
"$VENV/bin/python" -m mkdocs build --strict --clean --site-dir site "$@"
