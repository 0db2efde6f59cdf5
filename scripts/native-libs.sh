#!/usr/bin/env bash
# The C libraries of the native codecs (libzstd, liblz4, libblosc, libdeflate) with their headers:
# installed with apt-get where missing, when run as root on Debian/Ubuntu; elsewhere, or if that
# fails, a note (setup.py then builds without them and says what to install: docs/install.md).
# Run by scripts/setup-venv.sh and scripts/wheel.sh.
set -euo pipefail
native_io_headers() {
  local h
  for h in zstd.h lz4.h blosc.h libdeflate.h; do
    [[ -f "/usr/include/$h" || -f "/usr/local/include/$h" ]] || return 1
  done
}
if ! native_io_headers && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing libzstd-dev liblz4-dev libblosc-dev libdeflate-dev (the native codecs)"
  APT_PKGS=(libzstd-dev liblz4-dev libblosc-dev libdeflate-dev)
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" >/dev/null 2>&1; then
    { apt-get update -qq >/dev/null 2>&1 \
      && apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" >/dev/null 2>&1; } \
      || echo "setup: note: could not install ${APT_PKGS[*]}; their codecs stay on the Python path"
  fi
fi
