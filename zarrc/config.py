"""Runtime settings: zarr-python 3's configuration object (donfig), with zarrc's own names.

``zarrc.config`` is a :class:`donfig.Config` (this module, made one), as ``zarr.config`` is:
``get("array.order")``, ``set({...})`` (also a context manager), ``pprint()``, ``refresh()``,
YAML files in donfig's places and environment variables ``ZARRC_<KEY>`` (``__`` for a dot:
``ZARRC_ARRAY__ORDER=F``).
Keys, all honoured by zarrc:

- ``default_zarr_format`` (3): the format of groups and arrays created without one;
- ``array.order`` (``"C"``): the memory order of new arrays (stored in v2, in-memory in v3);
- ``array.write_empty_chunks`` (False): store chunks equal to the fill value;
- ``threading.max_workers`` (None = the number of cores): the engine's pool size, which also
  bounds the chunks in flight; the pool resizes itself at the next read or write;
- ``progress`` (False): show a progress bar (tqdm, the ``progress`` extra) for reads and
  writes over many chunks, streams and conversions that are not told otherwise;
- ``storage.fetch_concurrency`` (64): requests a remote store (``ObjectStore``,
  ``FaultyStore``) keeps in flight when its constructor was not given a number; separate from
  the decode threads above;
- ``storage.retry.attempts`` (8), ``storage.retry.timeout`` (60 s), ``storage.retry.base_delay``
  (0.05 s), ``storage.retry.max_delay`` (5 s): the retry policy of stores not given one
  (``zarrc.storage.RetryPolicy``).

zarrc's own spellings stay: ``threads`` is ``threading.max_workers`` read as an int (from
``ZARRC_THREADS`` too) and ``write_empty_chunks`` is ``array.write_empty_chunks``, so
``config.get("threads")`` and ``config.set(threads=4)`` keep working. More threads than cores
only add GIL hand-offs on local stores (``docs/performance.md``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import types
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from donfig import Config as _DonfigConfig

__all__ = ["Config", "default_threads"]  # and, as methods of this module, get, set, ...

#: zarrc's own names for keys zarr-python spells differently.
ALIASES = {"threads": "threading.max_workers", "write_empty_chunks": "array.write_empty_chunks"}

DEFAULTS = {
    "default_zarr_format": 3,
    "array": {"order": "C", "write_empty_chunks": False},
    "threading": {"max_workers": None},
    "progress": False,
    "storage": {
        "fetch_concurrency": 64,
        "retry": {"attempts": 8, "timeout": 60.0, "base_delay": 0.05, "max_delay": 5.0},
    },
}

_NO_DEFAULT = object()


@functools.cache
def default_threads() -> int:
    """The pool size when ``threading.max_workers`` is unset: the number of cores (asked once:
    ``os.cpu_count()`` reads /sys and costs tens of microseconds, every small read asks)."""
    return max(1, os.cpu_count() or 1)


def _positive_int(name: str, value: Any, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"config {name!r} must be a positive integer, got {value!r}")


def _seconds(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"config {name!r} must be a number of seconds >= 0, got {value!r}")


def _check(key: str, value: Any) -> None:
    """Reject a bad value of a key zarrc reads, before anything is changed."""
    if key == "threading.max_workers":
        _positive_int("threads" if value is not None else key, value, allow_none=True)
    elif key in ("storage.fetch_concurrency", "storage.retry.attempts"):
        _positive_int(key, value, allow_none=False)
    elif key in ("storage.retry.timeout", "storage.retry.base_delay", "storage.retry.max_delay"):
        _seconds(key, value)
    elif key == "array.order" and value not in ("C", "F"):
        raise ValueError(f"config 'array.order' must be 'C' or 'F', got {value!r}")
    elif key == "array.write_empty_chunks" and not isinstance(value, bool):
        raise ValueError(f"config 'array.write_empty_chunks' must be a bool, got {value!r}")
    elif key == "progress" and not isinstance(value, bool):
        raise ValueError(f"config 'progress' must be a bool, got {value!r}")
    elif key == "default_zarr_format" and value not in (2, 3):
        raise ValueError(f"config 'default_zarr_format' must be 2 or 3, got {value!r}")


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in mapping.items():
        key = str(key).replace("-", "_")
        if isinstance(value, Mapping) and f"{prefix}{key}" not in ALIASES:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


class Config(_DonfigConfig):
    """zarr-python's configuration interface; ``threads``/``write_empty_chunks`` are aliases."""

    def refresh(self, **kwargs: Any) -> None:
        """Re-read defaults, YAML files and ``ZARRC_*`` variables (aliases moved in place)."""
        super().refresh(**kwargs)
        for alias, key in ALIASES.items():
            if alias in self.config:
                value = self.config.pop(alias)
                _check(key, value)
                section, _, leaf = key.partition(".")
                self.config.setdefault(section, {})[leaf] = value
        for key, value in _flatten(self.config):
            _check(key, value)

    def reset(self) -> None:
        """Back to the defaults and the environment (as ``zarr.config.reset()``)."""
        self.clear()
        self.refresh()

    def get(self, key: str, default: Any = _NO_DEFAULT) -> Any:
        """The value of ``key`` (dots for nesting); ``threads`` is always a positive int."""
        if key == "threads":
            value = super().get(ALIASES[key], None)
            return default_threads() if value is None else value
        key = ALIASES.get(key, key)
        if default is _NO_DEFAULT:
            return super().get(key)
        return super().get(key, default)

    def set(self, arg: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """Set values now, or for a ``with`` block: ``set({"array.order": "F"})``,
        ``set(threads=4)``. Bad values of zarrc's keys raise ValueError and change nothing."""
        items = {}
        for key, value in [*(arg or {}).items(), *kwargs.items()]:
            key = key if arg is not None and key in arg else key.replace("__", ".")
            key = ALIASES.get(key, key)
            for flat, leaf in (_flatten(value, key + ".") if isinstance(value, Mapping)
                               else [(key, value)]):
                _check(flat, leaf)
            items[key] = value
        return super().set(items)

    def override(self, **values: Any) -> contextlib.AbstractContextManager[Any]:
        """``set(**values)`` for a ``with`` block (zarrc's earlier spelling)."""
        block: contextlib.AbstractContextManager[Any] = self.set(values)
        return block


class _ConfigModule(types.ModuleType, Config):
    """This module as a :class:`Config`: ``zarrc.config`` is the module and the object."""


# zarr.config is a donfig Config; so is zarrc.config, which is also this module (so that
# ``from zarrc import config`` anywhere, the API reference and ``zarrc.config.get`` all agree).
# A module may change its class to a ModuleType subclass (Python's data model allows it).
_this = sys.modules[__name__]
_this.__class__ = _ConfigModule
_DonfigConfig.__init__(_this, "zarrc", defaults=[DEFAULTS])  # Config's own __init__ is donfig's

if TYPE_CHECKING:
    # What type checkers see of this module: at run time it is a Config object (above), whose
    # methods these are; mypy knows the module only by its source.
    def get(key: str, default: Any = ...) -> Any: ...
    def set(arg: Mapping[str, Any] | None = None, **kwargs: Any) -> Any: ...
    def reset() -> None: ...
    def refresh(**kwargs: Any) -> None: ...
    def override(**values: Any) -> contextlib.AbstractContextManager[Any]: ...
    def pprint(**kwargs: Any) -> None: ...
