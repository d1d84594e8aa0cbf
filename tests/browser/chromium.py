"""Headless Chromium as an oracle for `corslint.browser` (standard library only).

`Oracle` starts two loopback HTTP servers -- the page origin and the API
origin -- and `Oracle.run(cases, routes)` one headless Chromium driven over
the DevTools protocol on a pipe (`--remote-debugging-pipe`: fd 3 carries our commands,
fd 4 the browser's replies and events, both NUL-separated JSON).  The page
runs every case one after the other with `fetch()` or XHR, logs a RESULT
line per case and then "ALLDONE".  One browser run serves the whole batch,
every wait is bounded, and the processes started here are always killed.

`launch(timeout)` alone gives the DevTools pipe for another page (the
surface's HTML view is checked that way).

Placeholders in URLs and header values (see `fill`):
`{page}` the page origin, `{api}` the API origin, `{alt}` the API server
under a second origin (`localhost` instead of 127.0.0.1), `{port}` the API
port.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHROMIUM = os.environ.get("CORSLINT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-extensions", "--mute-audio", "--disable-quic", "--remote-debugging-pipe",
]


@dataclass(frozen=True)
class Reply:
    """What the API server sends for one path and method ("OPTIONS" or any
    other, "*"): a status and header lines (placeholders allowed)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Outcome:
    """What Chromium did with one case."""

    result: str = ""                   # "ok <status>" or "error"
    console: list[str] = field(default_factory=list)
    cors_errors: list[tuple[str, str]] = field(default_factory=list)  # (corsError, failedParameter)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)  # (method, path, headers)


class Ports:
    def __init__(self, page: int, api: int):
        self.page, self.api = page, api

    def fill(self, text: str) -> str:
        return (text.replace("{page}", f"http://127.0.0.1:{self.page}")
                    .replace("{api}", f"http://127.0.0.1:{self.api}")
                    .replace("{alt}", f"http://localhost:{self.api}")
                    .replace("{port}", str(self.api)))


class Oracle:
    """The page and API servers (a context manager, so they always stop);
    `ports` is known on entry, before the cases are built."""

    def __enter__(self) -> Oracle:
        self.routes: dict[str, dict[str, Reply]] = {}
        self.log: list[tuple[str, str, dict]] = []
        self.api = _server(_api_handler(self.routes, self.log))
        self.page = _server(_page_handler())
        self.ports = Ports(self.page.server_address[1], self.api.server_address[1])
        self.api.ports = self.ports
        return self

    def __exit__(self, *exc) -> None:
        for server in (self.api, self.page):
            server.shutdown()
            server.server_close()

    def run(self, cases: list[dict], routes: dict[str, dict[str, Reply]],
            timeout: float = 60.0) -> dict[str, Outcome]:
        """Run every case in one Chromium; return {case id: Outcome}.

        A case is a dict: id, url (placeholders allowed), method, headers
        ([name, value] pairs the page sets), credentials, initiator
        ("fetch"/"xhr"), body (a key of BODIES in `PAGE_JS`).  `routes` maps
        a path to its replies by method ("OPTIONS" or "*").
        """
        self.routes.clear()
        self.routes.update(routes)
        self.log.clear()
        self.page.html = _page_html([{**c, "url": self.ports.fill(c["url"])} for c in cases])
        events = _drive_chromium(f"{self.ports.fill('{page}')}/", timeout)
        return _collect(cases, events, self.log, self.ports)


# --------------------------------------------------------------------------
# The two loopback servers

def _server(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _read_body(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        else:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))


def _api_handler(routes, log):
    class Api(_Quiet):
        def _answer(self):
            self._read_body()
            path = self.path.split("?")[0]
            log.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
            by_method = routes.get(path, {})
            reply = by_method.get("OPTIONS" if self.command == "OPTIONS" else "*")
            if reply is None:  # nothing configured: a loud, CORS-less answer
                reply = Reply(418)
            body = b"" if reply.status in (204, 304) or self.command == "HEAD" else b"ok"
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, self.server.ports.fill(value))
            if reply.status not in (204, 304):
                self.send_header("Content-Length", str(len(body)) if self.command != "HEAD" else "2")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _answer

        def __getattr__(self, name):  # any other method (`patch`, PURGE...)
            if name.startswith("do_"):
                return self._answer
            raise AttributeError(name)

    return Api


def _page_handler():
    class Page(_Quiet):
        def do_GET(self):
            body = self.server.html.encode() if self.path == "/" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Page


PAGE_JS = """
const BODIES = {
  none: () => undefined,
  text: () => 'hello',
  form: () => new URLSearchParams('a=1'),
  multipart: () => { const f = new FormData(); f.append('a', '1'); return f; },
  json: () => '{"a": 1}',  // the page also sets Content-Type: application/json
  stream: () => new ReadableStream({start(c) { c.enqueue(new TextEncoder().encode('x')); c.close(); }}),
  'upload-listener': () => 'hello',
};
function pageHeaders(c) {
  const own = c.headers.some(([n]) => n.toLowerCase() === 'content-type');
  return c.body === 'json' && !own ? [...c.headers, ['Content-Type', 'application/json']] : c.headers;
}
async function viaFetch(c) {
  const init = {method: c.method, headers: pageHeaders(c),
                credentials: c.credentials ? 'include' : 'same-origin'};
  const body = BODIES[c.body]();
  if (body !== undefined) init.body = body;
  if (c.body === 'stream') init.duplex = 'half';
  try { const r = await fetch(c.url, init); await r.text(); return 'ok ' + r.status; }
  catch (e) { return 'error'; }
}
function viaXhr(c) {
  return new Promise(resolve => {
    const x = new XMLHttpRequest();
    x.open(c.method, c.url);
    x.withCredentials = c.credentials;
    for (const [n, v] of pageHeaders(c)) x.setRequestHeader(n, v);
    if (c.body === 'upload-listener') x.upload.onprogress = () => {};
    x.onload = () => resolve('ok ' + x.status);
    x.onerror = () => resolve('error');
    x.send(BODIES[c.body]() ?? null);
  });
}
(async () => {
  for (const c of CASES) {
    const result = await (c.initiator === 'xhr' ? viaXhr(c) : viaFetch(c));
    console.log('RESULT ' + c.id + ' ' + result);
  }
  console.log('ALLDONE');
})();
"""


def _page_html(cases: list[dict]) -> str:
    data = json.dumps(cases).replace("</", "<\\/")
    return f"<!doctype html><title>corslint</title><script>const CASES = {data};{PAGE_JS}</script>"


# --------------------------------------------------------------------------
# Chromium over the DevTools pipe

def _drive_chromium(url: str, timeout: float) -> list[dict]:
    """Start Chromium, open `url`, return every protocol event until the page
    logs ALLDONE.  Raises TimeoutError past `timeout` seconds."""
    with launch(timeout) as cdp:
        return cdp.session(url)


@contextlib.contextmanager
def launch(timeout: float):
    """A headless Chromium driven over the DevTools pipe: yields its `Pipe`,
    whose every wait ends `timeout` seconds from now; the browser is killed
    and its profile removed on exit."""
    profile = tempfile.mkdtemp(prefix="corslint-chromium-")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    # A tiny Python trampoline puts our pipe ends on fds 3 and 4 and execs
    # Chromium (a preexec_fn would be unsafe with the servers' threads
    # running, and sh redirections stop at fd 9).
    proc = subprocess.Popen(
        [sys.executable, "-c", _TRAMPOLINE, str(to_browser_r), str(from_browser_w),
         CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        pass_fds=(to_browser_r, from_browser_w), start_new_session=True)
    os.close(to_browser_r)
    os.close(from_browser_w)
    cdp = Pipe(to_browser_w, from_browser_r, time.monotonic() + timeout)
    try:
        yield cdp
    finally:
        cdp.close()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


_TRAMPOLINE = """
import fcntl, os, sys
commands, events = (fcntl.fcntl(int(fd), fcntl.F_DUPFD_CLOEXEC, 10) for fd in sys.argv[1:3])
os.dup2(commands, 3)
os.dup2(events, 4)
os.execv(sys.argv[3], sys.argv[3:])
"""


class Pipe:
    """The DevTools protocol on a pipe: commands out, replies and events in."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float):
        self.write_fd, self.read_fd, self.deadline = write_fd, read_fd, deadline
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []

    def close(self) -> None:
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its reply (events meanwhile are kept)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self) -> dict:
        import select

        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                raise TimeoutError("Chromium did not finish the scenarios in time")
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def attach(self, domains: tuple[str, ...]) -> str:
        """The session of the browser's page, with these domains' events on."""
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t["targetId"] for t in targets if t["type"] == "page")
        session = self.send("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
        for domain in domains:
            self.send(f"{domain}.enable", session=session)
        return session

    def wait_for(self, wanted) -> dict:
        """The first event, seen or yet to come, for which `wanted(event)` holds."""
        seen = 0
        while True:
            for event in self.events[seen:]:
                if wanted(event):
                    return event
            seen = len(self.events)
            self.receive()

    def session(self, url: str) -> list[dict]:
        session = self.attach(("Runtime", "Log", "Network"))
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for(lambda event: _console_text(event) == "ALLDONE")
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        return self.events


def _console_text(event: dict) -> str | None:
    if event.get("method") != "Runtime.consoleAPICalled":
        return None
    args = event["params"].get("args", [])
    return " ".join(str(a.get("value", "")) for a in args)


def _collect(cases, events, log, ports) -> dict[str, Outcome]:
    """Sort what happened by case: the case id is the last path segment of
    its URL; console lines and CORS errors name the URL that failed."""
    by_path = {_path(ports.fill(c["url"])): c["id"] for c in cases}
    outcomes = {c["id"]: Outcome() for c in cases}
    owner: dict[str, str] = {}  # network request id -> case id

    def case_of(url: str) -> str | None:
        return by_path.get(_path(url)) or _owner_by_prefix(by_path, _path(url))

    for event in events:
        method, params = event.get("method"), event.get("params", {})
        text = _console_text(event)
        if text and text.startswith("RESULT "):
            _, case_id, result = text.split(" ", 2)
            outcomes[case_id].result = result
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            if entry.get("source") == "javascript" and entry["text"].startswith("Access to "):
                url = entry["text"].split("'")[1]
                case_id = case_of(url)
                if case_id:
                    outcomes[case_id].console.append(entry["text"])
        elif method == "Network.requestWillBeSent":
            case_id = case_of(params["request"]["url"])
            if case_id:
                owner[params["requestId"]] = case_id
        elif method == "Network.loadingFailed" and params.get("corsErrorStatus"):
            case_id = owner.get(params["requestId"])
            if case_id:
                status = params["corsErrorStatus"]
                outcomes[case_id].cors_errors.append((status["corsError"], status["failedParameter"]))
    for method, path, headers in log:
        case_id = by_path.get(path) or _owner_by_prefix(by_path, path)
        if case_id:
            outcomes[case_id].requests.append((method, path, headers))
    return outcomes


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _owner_by_prefix(by_path: dict[str, str], path: str) -> str | None:
    """Redirect targets live under their case's path (`/c/<id>/next`)."""
    for case_path, case_id in by_path.items():
        if path.startswith(case_path + "/"):
            return case_id
    return None
