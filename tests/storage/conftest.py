"""Servers for the store tests (one of each per session, started on first use) and the import
path for their helpers (``store_servers``)."""

import os
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from store_servers import RangeHTTPServer, RedisServer, S3Server  # noqa: E402

BUCKET = "zarrc-tests"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on loopback, with the bucket ``zarrc-tests``."""
    pytest.importorskip("moto.server", reason="moto[server] is in the test extra")
    server = S3Server()
    server.create_bucket(BUCKET)
    yield server
    server.stop()


@pytest.fixture
def s3_url(s3_server):
    """A fresh, empty prefix in the test bucket."""
    return f"s3://{BUCKET}/{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def http_server(tmp_path_factory):
    """An HTTP server with Range support over a directory (``http_server.root``)."""
    server = RangeHTTPServer(tmp_path_factory.mktemp("http-root"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on loopback; the tests skip, saying why, where it is missing."""
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
    except FileNotFoundError as exc:
        pytest.skip(f"no Redis tests: {exc}")
    yield server
    server.stop()
