"""Real servers on loopback for the store tests: S3 (moto's server), HTTP with Range, Redis.

Each starts in well under a second and serves 127.0.0.1 only. The fixtures in conftest.py
start one of each per test session (per xdist worker).
"""

from __future__ import annotations

import email.utils
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


# --------------------------------------------------------------------------------- Redis


class RedisServer:
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
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

