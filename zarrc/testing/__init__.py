"""Test helpers for zarrc and for code built on it (never imported by the library itself)."""

from zarrc.testing.counting import CountingStore
from zarrc.testing.store import StoreTests

__all__ = ["CountingStore", "StoreTests"]
