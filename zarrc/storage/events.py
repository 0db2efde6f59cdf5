"""Store events (a retry, a conflict on a conditional write) reported through one function.

:func:`emit` is the single place store code reports what happened; today it writes a logging
record on the ``zarrc.storage`` logger. When zarrc grows a telemetry module, ``emit`` is where
it hooks in (the event names, e.g. ``store.retry``, are already the telemetry names).
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["emit", "logger"]

logger = logging.getLogger("zarrc.storage")


def emit(event: str, **fields: Any) -> None:
    """Report ``event`` (e.g. ``"store.retry"``) with its fields.

    The logging record's message names the event and its fields; the fields are also attached
    to the record as ``record.event`` and ``record.fields`` for handlers that want them.
    """
    if logger.isEnabledFor(logging.INFO):
        text = " ".join(f"{name}={value!r}" for name, value in fields.items())
        logger.info("%s %s", event, text, extra={"event": event, "fields": fields})
