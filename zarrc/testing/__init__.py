from zarrc.testing.store import StoreTests  # noqa: F401  (the store conformance suite)
