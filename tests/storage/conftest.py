"""Servers for the store tests (one of each per session, started on first use) and the import
path for their helpers (``store_servers``)."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from store_servers import (  # noqa: E402,F401
    RangeHTTPServer,
    gcs_server,
    redis_server,
    s3_server,
    s3_url,
)


@pytest.fixture(scope="session")
def http_server(tmp_path_factory):
    """An HTTP server with Range support over a directory (``http_server.root``)."""
    server = RangeHTTPServer(tmp_path_factory.mktemp("http-root"))
    yield server
    server.stop()
