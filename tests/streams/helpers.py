"""What the stream tests share: a store that is slow and watches how many reads overlap."""

from __future__ import annotations

import threading
import time

from zarrc.storage import MemoryStore

_METADATA = ("zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata")


#: How long a held read waits for its release at most (a test that never releases it fails)
HOLD_LIMIT = 30.0


class WatchedStore(MemoryStore):
    """A MemoryStore whose chunk reads take ``delay`` seconds, and which records how many run
    at once (``peak``), how many ran (``reads``, one entry per chunk key read) and how many
    are running now (``running``). A read of a key in ``holds`` first waits until its event is
    set (at most ``HOLD_LIMIT``): a read slower than the others however loaded the machine."""

    fetch_concurrency = 1

    def __init__(self, data=None, delay: float = 0.0, holds=None) -> None:
        super().__init__(data)
        self.delay = delay
        self.holds: dict[str, threading.Event] = dict(holds or {})
        self._guard = threading.Lock()
        self.running = self.peak = 0
        self.reads: list[str] = []
        self.watch = False

    def get(self, key, byte_range=None):
        if not self.watch or key.endswith(_METADATA):
            return super().get(key, byte_range)
        with self._guard:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.reads.append(key)
        try:
            if key in self.holds:
                self.holds[key].wait(HOLD_LIMIT)
            time.sleep(self.delay)
            return super().get(key, byte_range)
        finally:
            with self._guard:
                self.running -= 1

    def get_many(self, keys):
        return [self.get(key) for key in keys]

    def get_ranges(self, key, ranges):
        return [self.get(key, (a, b)) for a, b in ranges] if self.get(key, (0, 0)) is not None \
            else None
