"""The one place that chooses the engine path for the reliability suite.

``use(name)`` makes this process read and write through the native chunk loops (``"native"``)
or the Python engine only (``"python"``); ``env(name)`` is the environment a child process
gets for the same choice. The public switch is ``ZARRC_NO_NATIVE_IO=1``; until it is read at
run time everywhere, the module flag ``zarrc.engine.native.ENABLED`` is set as well.
"""

from __future__ import annotations

import os

PATHS = ("native", "python")


def use(name: str) -> None:
    """Switch this process to the engine path ``name``."""
    from zarrc.engine import native

    if name == "python":
        os.environ["ZARRC_NO_NATIVE_IO"] = "1"
    else:
        os.environ.pop("ZARRC_NO_NATIVE_IO", None)
    native.ENABLED = name != "python"


def current() -> str:
    from zarrc.engine import native

    return "native" if native.available() else "python"


def env(name: str) -> dict:
    """The environment for a child process that should run on the engine path ``name``."""
    out = dict(os.environ)
    out["ZARRC_RELIABILITY_ENGINE"] = name
    if name == "python":
        out["ZARRC_NO_NATIVE_IO"] = "1"
    else:
        out.pop("ZARRC_NO_NATIVE_IO", None)
    return out
