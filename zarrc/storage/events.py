"""Store events (a retry, a conflict on a conditional write) reported through one function.

:func:`emit` is the single place store code reports what happened: a logging record on the
``zarrc.storage`` logger, and the telemetry event of the same name (``store.retry``) for the
subscribers of :mod:`zarrc.telemetry` (the bottom layer, which imports nothing of zarrc).
"""

from __future__ import annotations

import logging
from typing import Any

from zarrc import telemetry

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
    if telemetry.active(event):
        rest = {k: v for k, v in fields.items() if k not in ("store", "key", "nbytes", "duration")}
        telemetry.publish([telemetry.Event(event, fields.get("store"), fields.get("key"),
                                           fields.get("nbytes"), fields.get("duration"),
                                           attrs=rest)])
