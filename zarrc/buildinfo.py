"""What this zarrc build has: the native engine, its codecs and their libraries' versions.

:func:`show_config` (also printed by ``zarrc --version``) says it in words and
:func:`build_info` as a dict. A build without a codec's C library reads and writes that codec
through a Python package, slower: :func:`warn_missing_codec` says so once per codec per
process (:class:`zarrc.errors.NativeCodecMissingWarning`), naming the packages to install.
"""

from __future__ import annotations

import os
import platform
import sys
import threading
import warnings
from typing import Any, TextIO

from zarrc._ext import codec as _codec
from zarrc._libraries import LIBRARIES, install_hint, library_of
from zarrc._version import __version__
from zarrc.errors import NativeCodecMissingWarning

__all__ = ["build_info", "missing_codec_message", "show_config", "warn_missing_codec"]

# What reads and writes a codec's chunks when its library is not in the build.
_FALLBACK = {
    "zstd": "the Python package zstandard",
    "lz4": "the Python package lz4",
    "gzip": "Python's zlib module",
    "zlib": "Python's zlib module",
    "blosc": None,  # no Python fallback: blosc needs libblosc
}
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _engine_off_reason() -> str | None:
    """Why arrays opened now would not get the native engine at all, or None."""
    value = os.environ.get("ZARRC_NO_NATIVE_IO", "").strip()
    if value not in ("", "0"):
        return (f"ZARRC_NO_NATIVE_IO={value} is set: arrays opened now use the Python "
                f"reference implementation throughout")
    return None


def missing_codec_message(codec: str) -> str:
    """Why ``codec`` is not native in this build, what runs instead, and what to install."""
    library = library_of(codec)
    fallback = _FALLBACK[codec]
    instead = (f"its chunks go through {fallback}, slower than the native engine" if fallback else
               "there is no other implementation, so its arrays cannot be read or written")
    return (f"codec {codec!r}: zarrc was built without {library}: {instead}; "
            f"{install_hint()}")


def warn_missing_codec(codec: str) -> None:
    """Warn once per process that ``codec``'s chunks take the slow path for want of its
    library at build time (NativeCodecMissingWarning, pointing at the caller's code)."""
    with _warned_lock:
        if codec in _warned:
            return
        _warned.add(codec)
    level, frame = 1, sys._getframe(0)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(missing_codec_message(codec), NativeCodecMissingWarning, stacklevel=level)


def build_info() -> dict[str, Any]:
    """This build as a dict: ``version``, ``python``, ``platform``, ``native_engine``
    (``"active"``, ``"partial"``: some codecs lack their library, or ``"off"``),
    ``native_engine_reason`` (None when active), ``codecs`` (per codec: ``library``,
    ``native``, ``encodes``, ``built`` and ``runtime`` versions, the ``file`` loaded, and
    ``fallback``) and ``install_hint``."""
    versions = _codec.native_versions()
    encoders = set(_codec.native_encoders())
    files = _codec.native_library_files()
    codecs: dict[str, dict[str, Any]] = {}
    for library, names in LIBRARIES.items():
        for name in names:
            built, runtime = versions.get(name, (None, None))
            codecs[name] = {
                "library": library, "native": name in versions, "encodes": name in encoders,
                "built": built, "runtime": runtime, "file": files.get(name),
                "fallback": _FALLBACK[name]}
    missing = sorted({c["library"] for c in codecs.values() if not c["native"]})
    reason = _engine_off_reason()
    if reason is not None:
        state = "off"
    elif missing:
        state = "partial"
        native = [n for n, c in codecs.items() if c["native"]]
        reason = (f"zarrc was built without {', '.join(missing)}: the chunks of "
                  f"{', '.join(n for n, c in codecs.items() if not c['native'])} take the "
                  f"Python path; the native engine runs uncompressed chunks"
                  + (f" and those of {', '.join(native)}" if native else " only"))
    else:
        state = "active"
    return {
        "version": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "native_engine": state,
        "native_engine_reason": reason,
        "codecs": codecs,
        "install_hint": install_hint() if missing else None,
    }


def config_text(info: dict[str, Any] | None = None) -> str:
    """:func:`show_config`'s text (the version line first)."""
    info = build_info() if info is None else info
    lines = [f"zarrc {info['version']}",
             f"python {info['python']} ({info['platform']})",
             f"native engine: {info['native_engine']}"]
    if info["native_engine_reason"]:
        lines.append(f"  why: {info['native_engine_reason']}")
    lines.append("native codecs (library: build-time version, run-time version, file):")
    for name, c in info["codecs"].items():
        if c["native"]:
            runtime = c["runtime"] or "not reported by the library"
            how = "decode + encode" if c["encodes"] else "decode (encode in Python)"
            where = f", {c['file']}" if c["file"] else ""
            lines.append(f"  {name:6} yes  {c['library']}: built {c['built']}, "
                         f"run-time {runtime}{where}; {how}")
        else:
            instead = (f"through {c['fallback']}" if c["fallback"] else
                       "cannot be read or written")
            lines.append(f"  {name:6} no   {c['library']} was not found (or was left out) "
                         f"when zarrc was built: {instead}")
    if info["install_hint"]:
        lines.append(f"to build the missing codecs natively: {info['install_hint']}")
    return "\n".join(lines)


def show_config(file: TextIO | None = None) -> None:
    """Print this build's version, whether the native engine is active (and if not, why),
    its native codecs with their libraries' build-time and run-time versions, and what to
    install for the missing ones. Also ``zarrc --version``."""
    print(config_text(), file=sys.stdout if file is None else file)
