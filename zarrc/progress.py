"""Progress bars for long operations: a tqdm bar when asked (``progress`` extra: tqdm).

``progress=True`` on a stream or a conversion, or ``zarrc.config.set(progress=True)`` for
everything (``a[...]`` over many chunks too), shows a bar on stderr; ``progress=None`` (the
default) follows the config. tqdm is imported only when a bar is wanted: asking for one
without tqdm installed is an ImportError saying what to install.
"""

from __future__ import annotations

import threading
from typing import Any

from zarrc import config

__all__ = ["Bar", "open_bar", "wanted"]


def wanted(progress: bool | None) -> bool:
    """Whether ``progress`` (True, False, or None: the config's ``progress``) asks for a bar."""
    if progress is None:
        return bool(config.get("progress", False))
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, got {progress!r}")
    return progress


class Bar:
    """A tqdm bar that threads may advance together."""

    def __init__(self, total: int | None, unit: str, desc: str, **options: Any) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError("a progress bar needs tqdm: pip install 'zarrc[progress]'") \
                from None
        self._lock = threading.Lock()
        self._bar: Any = tqdm(total=total, unit=unit, desc=desc, dynamic_ncols=True, **options)

    def update(self, n: int = 1) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(n)

    def advance(self, *_done: object) -> None:
        """One more piece done (a stream's ``on_unit`` hook)."""
        self.update(1)

    def close(self) -> None:
        with self._lock:
            bar, self._bar = self._bar, None
        if bar is not None:
            bar.close()


def open_bar(progress: bool | None, total: int | None, unit: str, desc: str,
             **options: Any) -> Bar | None:
    """A bar of ``total`` ``unit``s (None: unknown) when ``progress`` asks for one (see
    :func:`wanted`)."""
    if not wanted(progress):
        return None
    return Bar(total, unit, desc, **options)
