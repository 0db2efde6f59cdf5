"""Telemetry: what zarrc's engine and stores did, delivered to whoever subscribed.

``subscribe(callback, events=None)`` calls ``callback(event)`` for each event of the names
asked for (all of :data:`EVENTS` by default) and returns a handle whose ``close()`` stops it::

    chunk.read    a chunk (or a shard's inner chunk) was read: nbytes stored, duration
    chunk.write   a chunk was stored (or deleted, nbytes 0: it held only the fill value)
    chunk.error   a chunk could not be read or written (``error`` says why)
    store.retry   a store call failed transiently and is retried (``attempt``, ``delay``)
    stream.start  an ``iter_chunks`` / ``iter_slices`` / ``write_chunks`` stream began
    stream.stop   it ended (finished, broken off or failed): nbytes and duration in total

Each event has the attributes ``name``, ``store`` (the store's name, ``str(store)``: a URL),
``key`` (the chunk's store key; for streams the array's path), ``nbytes``, ``duration``
(seconds), ``thread`` (the name of the thread that did the work) and ``attrs`` (a dict of
the rest).

``to_opentelemetry()`` turns the events into OpenTelemetry metrics (the ``opentelemetry``
extra). This module is the bottom layer: it imports nothing of zarrc, so every layer can publish into
it (storage's :func:`zarrc.storage.events.emit` does). Publishing is gated by
:func:`active`: with nobody subscribed, the engine checks one set per batch of chunks and
builds no event at all. Callbacks run on the thread that did the work, so they should be
quick; an exception in a callback is logged on the ``zarrc.telemetry`` logger and never
reaches the read or write that published the event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["EVENTS", "Event", "Subscription", "active", "log_to", "publish", "subscribe",
           "to_opentelemetry"]

EVENTS = ("chunk.read", "chunk.write", "chunk.error", "store.retry", "stream.start",
          "stream.stop")

_log = logging.getLogger("zarrc.telemetry")
_lock = threading.Lock()
_subscriptions: tuple[Any, ...] = ()
_active: frozenset[Any] = frozenset()  # the event names somebody listens to


class Event:
    """One thing that happened (see the module docstring for the names and attributes)."""

    __slots__ = ("name", "key", "nbytes", "duration", "thread", "store", "attrs")

    def __init__(self, name: str, store: str | None = None, key: str | None = None,
                 nbytes: int | None = None, duration: float | None = None,
                 thread: str | None = None, attrs: dict[str, Any] | None = None) -> None:
        self.name = name
        self.store = store
        self.key = key
        self.nbytes = nbytes
        self.duration = duration
        self.thread = threading.current_thread().name if thread is None else thread
        self.attrs = {} if attrs is None else attrs

    def as_dict(self) -> dict[str, Any]:
        """The event as a JSON-able dict (``attrs`` merged in)."""
        out = {name: getattr(self, name) for name in self.__slots__ if name != "attrs"}
        out.update(self.attrs)
        return out

    def __repr__(self) -> str:
        fields = " ".join(f"{k}={v!r}" for k, v in self.as_dict().items() if k != "name")
        return f"<Event {self.name} {fields}>"


class Subscription:
    """A subscriber's handle: ``close()`` (or leaving a ``with`` block) unsubscribes."""

    def __init__(self, callback: Callable[[Event], Any], events: frozenset[Any]) -> None:
        self.callback = callback
        self.events = events
        self.closed = False

    def close(self) -> None:
        """Stop delivering events to the callback (closing twice is harmless)."""
        global _subscriptions
        with _lock:
            if self.closed:
                return
            self.closed = True
            _subscriptions = tuple(s for s in _subscriptions if s is not self)
            _recompute()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: BaseException) -> None:
        self.close()


def _recompute() -> None:
    global _active
    _active = frozenset().union(*(s.events for s in _subscriptions))


def _names(events: Iterable[str] | str | None) -> frozenset[Any]:
    if events is None:
        return frozenset(EVENTS)
    names = frozenset([events] if isinstance(events, str) else events)
    unknown = sorted(names - set(EVENTS))
    if unknown:
        raise ValueError(f"unknown telemetry events {unknown}; the events are {list(EVENTS)}")
    return names


def subscribe(callback: Callable[[Event], Any], events: Iterable[str] | str | None = None
              ) -> Subscription:
    """Call ``callback(event)`` for every event named in ``events`` (default: all of
    :data:`EVENTS`) until the returned handle is closed."""
    global _subscriptions
    if not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    handle = Subscription(callback, _names(events))
    with _lock:
        _subscriptions = (*_subscriptions, handle)
        _recompute()
    return handle


def active(name: str) -> bool:
    """Whether anybody listens to events named ``name`` (publishers check before they build
    events: with nobody listening, telemetry costs this one set lookup)."""
    return name in _active


def publish(events: Iterable[Event]) -> None:
    """Deliver ``events`` to the subscribers that asked for their names."""
    subscribers = _subscriptions
    for event in events:
        for sub in subscribers:
            if event.name in sub.events and not sub.closed:
                try:
                    sub.callback(event)
                except Exception:  # a subscriber's bug never fails the I/O
                    _log.exception("telemetry subscriber %r failed on %s", sub.callback,
                                   event.name)


def log_to(logger: logging.Logger | str, level: int = logging.INFO,
           events: Iterable[str] | str | None = None) -> Subscription:
    """Write each event (of ``events``, default all) as a record on ``logger`` (a Logger or
    its name) at ``level``: the message names the event and its attributes, and the record
    carries the event itself as ``record.event``. Returns the subscription's handle."""
    if isinstance(logger, str):
        logger = logging.getLogger(logger)

    def write(event: Event) -> None:
        if logger.isEnabledFor(level):
            text = " ".join(f"{k}={v}" for k, v in event.as_dict().items()
                            if k != "name" and v is not None)
            logger.log(level, "%s %s", event.name, text, extra={"event": event})

    return subscribe(write, events)


def to_opentelemetry(meter: Any = None, events: Iterable[str] | str | None = None) -> Subscription:
    """Record the events as OpenTelemetry metrics on ``meter`` (default: the global meter
    provider's ``"zarrc"`` meter): per event name a counter ``zarrc.<name>`` (events),
    for the chunk events a counter ``zarrc.<name>.bytes`` and a histogram
    ``zarrc.<name>.duration`` (seconds), each with the attributes ``store`` and ``thread``.
    Needs ``opentelemetry-api`` (``pip install 'zarrc[opentelemetry]'``). Returns the
    subscription's handle."""
    try:
        from opentelemetry import metrics
    except ImportError:
        raise ImportError("to_opentelemetry needs opentelemetry-api: "
                          "pip install 'zarrc[opentelemetry]'") from None
    if meter is None:
        meter = metrics.get_meter("zarrc")
    names = _names(events)
    counts = {n: meter.create_counter(f"zarrc.{n}", unit="1", description=f"{n} events")
              for n in names}
    sizes = {n: meter.create_counter(f"zarrc.{n}.bytes", unit="By") for n in names
             if n in ("chunk.read", "chunk.write", "stream.stop")}
    times = {n: meter.create_histogram(f"zarrc.{n}.duration", unit="s") for n in names
             if n in ("chunk.read", "chunk.write", "stream.stop")}

    def record(event: Event) -> None:
        attributes = {"store": event.store or "", "thread": event.thread or ""}
        counts[event.name].add(1, attributes)
        if event.name in sizes and event.nbytes is not None:
            sizes[event.name].add(event.nbytes, attributes)
        if event.name in times and event.duration is not None:
            times[event.name].record(event.duration, attributes)

    return subscribe(record, names)
