"""A tiny thread-based HTTP backend for live tests (stdlib only).

    with Upstream(status=200, headers=[("Access-Control-Allow-Origin", "*")]) as up:
        ...  # proxy_pass http://@@UPSTREAM@@ ; up.requests lists what arrived

Every request gets the same canned answer unless a ``responder`` callable is
given: ``responder(method, path, headers) -> (status, headers, body)``.
``requests`` records ``(method, path, [(name, value), ...])`` per request,
header names as sent by the client (nginx), in wire order.
"""

from __future__ import annotations

import http.client
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterable

Headers = list[tuple[str, str]]
Responder = Callable[[str, str, Headers], tuple[int, Iterable[tuple[str, str]], bytes]]

DEFAULT_HEADERS = (("Access-Control-Allow-Origin", "https://backend.example"),)

_NO_BODY_STATUSES = {204, 304}


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True  # never block interpreter exit on a stuck handler
    allow_reuse_address = True
    block_on_close = False


def _make_handler(upstream: Upstream) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # bounded reads on the socket

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

        def _handle(self) -> None:
            seen: Headers = list(self.headers.items())
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with upstream._lock:
                upstream.requests.append((self.command, self.path, seen))
            if upstream.responder is not None:
                status, headers, body = upstream.responder(self.command, self.path, seen)
            else:
                status, headers, body = upstream.status, upstream.headers, upstream.body
            self.send_response_only(status)
            self.send_header("Server", "corslint-upstream")
            names = set()
            for name, value in headers:
                names.add(name.lower())
                self.send_header(name, value)
            no_body = status in _NO_BODY_STATUSES or 100 <= status < 200
            if not no_body and "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if not no_body and self.command != "HEAD":
                self.wfile.write(body)
            self.close_connection = True

        def __getattr__(self, name: str):  # do_GET, do_OPTIONS, do_PROPFIND, ...
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

    return Handler


#: a backend that is down: a port below 1024 that no test server listens on
#: (they take random free ports above it), so it stays closed even while
#: other suites run beside this one (a random port, bound and closed, may be
#: taken by another test's server before the request, which then proxies there)
CLOSED_PORT = 9


class Upstream:
    """HTTP backend on 127.0.0.1 with a random free port; a context manager."""

    def __init__(
        self,
        status: int = 200,
        headers: Iterable[tuple[str, str]] = DEFAULT_HEADERS,
        body: bytes = b"ok",
        responder: Responder | None = None,
    ) -> None:
        self.status = status
        self.headers = list(headers)
        self.body = body
        self.responder = responder
        self.requests: list[tuple[str, str, Headers]] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int = 0

    @property
    def address(self) -> str:
        """``host:port``, the value substituted for ``@@UPSTREAM@@``."""
        return f"127.0.0.1:{self.port}"

    @classmethod
    def closed(cls) -> Upstream:
        """A backend that is down: its address is CLOSED_PORT, never started."""
        down = cls()
        down.port = CLOSED_PORT
        return down

    def start(self) -> Upstream:
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"upstream-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.shutdown()  # returns once serve_forever's loop has exited
        finally:
            server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
                self._thread = None

    def __enter__(self) -> Upstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def loopback_request(port: int, method: str, path: str, headers: Iterable[tuple[str, str]], host: str,
                     body: bytes | None, timeout: float, source: str = "127.0.0.1") -> tuple[int, Headers, bytes]:
    """One raw HTTP/1.1 request to 127.0.0.1:port from the loopback address
    `source`, no redirect following: (status, every header line lower-cased
    in wire order, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, [(name.lower(), value) for name, value in resp.getheaders()], data
    finally:
        conn.close()
