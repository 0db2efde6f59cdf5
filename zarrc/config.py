"""Runtime settings: how many chunk tasks run at once.

``threads`` sizes the engine's pool and bounds the chunks in flight; the default comes from
``ZARRC_THREADS`` or, failing that, the number of cores: chunk tasks on local stores are
CPU-bound (decode and copy), and measured on 2 cores more threads than cores only add GIL
hand-offs (``docs/performance.md``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

__all__ = ["get", "set", "override", "default_threads"]

_lock = threading.Lock()


def default_threads() -> int:
    """Threads from ``ZARRC_THREADS``, else the number of cores."""
    env = os.environ.get("ZARRC_THREADS")
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(f"ZARRC_THREADS must be a positive integer, got {env!r}") from None
        if value < 1:
            raise ValueError(f"ZARRC_THREADS must be a positive integer, got {env!r}")
        return value
    return max(1, os.cpu_count() or 1)


_settings = {"threads": default_threads(), "write_empty_chunks": False}
_listeners: list = []


def get(name: str):
    """The current value of setting ``name``."""
    try:
        return _settings[name]
    except KeyError:
        raise KeyError(f"unknown zarrc setting {name!r}; known: {sorted(_settings)}") from None


def set(**values) -> None:
    """Change settings, e.g. ``zarrc.config.set(threads=4)``."""
    for name, value in values.items():
        get(name)
        if name == "threads" and (not isinstance(value, int) or value < 1):
            raise ValueError(f"threads must be a positive integer, got {value!r}")
    with _lock:
        _settings.update(values)
    for listener in list(_listeners):
        listener(values)


@contextlib.contextmanager
def override(**values) -> Iterator[None]:
    """Change settings for the duration of a ``with`` block."""
    old = {name: get(name) for name in values}
    set(**values)
    try:
        yield
    finally:
        set(**old)


def on_change(listener) -> None:
    """Call ``listener(changed: dict)`` whenever settings change (the pool resizes itself)."""
    _listeners.append(listener)
