"""The one place that chooses the engine path for the reliability suite.

``use(name)`` makes arrays opened afterwards in this process read and write through the native
chunk I/O (``"native"``, wherever store and codecs allow it) or the reference Python one
(``"python"``); ``env(name)`` is the environment a child process gets for the same choice.
Both set the public switch ``ZARRC_NO_NATIVE_IO``, read when an array is opened (as
``zarrc.testing.engine`` does for the other tests).
"""

from __future__ import annotations

import os

PATHS = ("native", "python")


def _value(name: str) -> str:
    if name not in PATHS:
        raise ValueError(f"engine path must be one of {PATHS}, got {name!r}")
    return "1" if name == "python" else "0"


def use(name: str) -> None:
    """Switch this process to the engine path ``name`` for arrays opened from now on."""
    os.environ["ZARRC_NO_NATIVE_IO"] = _value(name)


def env(name: str) -> dict:
    """The environment for a child process that should run on the engine path ``name``."""
    return {**os.environ, "ZARRC_NO_NATIVE_IO": _value(name)}
