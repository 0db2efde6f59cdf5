"""One background event loop per process, for stores whose client library is asynchronous.

zarrc's API is synchronous (threads, the GIL released); an async client (obstore's) keeps many
requests in flight from one thread when its coroutines run on this loop. :func:`run` submits a
coroutine from any thread but the loop's own and waits for its result. After a ``fork`` the
child starts its own loop (the parent's thread does not exist there).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any

__all__ = ["run"]

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_pid: int | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _pid
    with _lock:
        if _loop is None or _pid != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="zarrc-store-io", daemon=True
            )
            thread.start()
            _loop, _pid = loop, os.getpid()
        return _loop


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` on the background loop and return its result (or raise its error)."""
    loop = _background_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:  # waiting here would stop the loop that has to do the work
        coroutine.close()
        raise RuntimeError("zarrc.storage.aio.run called from its own event loop")
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result()
