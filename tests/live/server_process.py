"""What the nginx and Apache harnesses share: a real server process on
127.0.0.1 at a random free port, configured in a temporary prefix, checked
with `-t` first, waited for until it answers (bounded), stopped with its
whole process group (bounded), and asked over a raw loopback socket.

Configurations name `@@PORT@@`, `@@ROOT@@` (the docroot), `@@PREFIX@@` and
`@@UPSTREAM@@` (the `Upstream` passed in); `_substitute` fills them in.  A
subclass says how to lay out its prefix (`_prepare_prefix`), what to write
before each start attempt (`_before_attempt`), its configuration
(`render_config`, more placeholders in `_placeholders`), its command line
(`_cmd`, `RUN_ARGS`), how it stops (`STOP_SIGNALS`) and its names (`NAME`,
`CHECK`, `Error`, `KEEP_PREFIX_ENV`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from .upstream import Upstream, loopback_request

if TYPE_CHECKING:     # typing.Self is Python 3.11's; annotations are not evaluated here
    from typing import Self

START_TIMEOUT = 5.0
STOP_TIMEOUT = 5.0
CHECK_TIMEOUT = 15.0
REQUEST_TIMEOUT = 5.0
#: start attempts: a free port found by bind-and-close may be taken before the server binds it
PORT_ATTEMPTS = 3
#: once the port answers, how long the server has to log that the answer was not its own
BIND_GRACE = 0.05

Headers = list[tuple[str, str]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_files(root: str, files: Mapping[str, bytes]) -> None:
    """Docroot-relative files; a path ending in `/` makes just a directory."""
    for rel, content in files.items():
        path = os.path.join(root, rel.lstrip("/"))
        if rel.endswith("/"):
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(content)


class LoopbackServer:
    """A server process on 127.0.0.1; a context manager."""

    NAME = "server"                       # in messages and the prefix's name
    CHECK = "server -t"                   # the check command, in messages
    Error: type[RuntimeError] = RuntimeError
    KEEP_PREFIX_ENV = ""                  # set it to keep the prefix for a post-mortem
    RUN_ARGS: tuple[str, ...] = ()        # what `_cmd` gets for the long-running process
    #: (signal, seconds to wait) tried in turn before SIGKILL
    STOP_SIGNALS: tuple[tuple[int, float], ...] = ((signal.SIGTERM, STOP_TIMEOUT),)

    def __init__(self, binary: str | None, start_timeout: float, upstream: Upstream | None) -> None:
        self.binary = binary
        self.start_timeout = start_timeout
        self.upstream = upstream
        self.port = 0
        self.prefix = ""
        self.root = ""
        self.conf_path = ""
        self.config_text = ""
        self._proc: subprocess.Popen[bytes] | None = None

    # ---------------------------------------------------------------- what a server says

    def _prepare_prefix(self) -> None:
        """Create the folders and files of the prefix; set root and conf_path."""
        raise NotImplementedError

    def _before_attempt(self) -> None:
        """Write what depends on the port (called once the port is chosen)."""

    def render_config(self) -> str:
        raise NotImplementedError

    def _placeholders(self) -> dict[str, str]:
        return {"@@PORT@@": str(self.port), "@@ROOT@@": self.root, "@@PREFIX@@": self.prefix}

    def _substitute(self, text: str) -> str:
        for placeholder, value in self._placeholders().items():
            text = text.replace(placeholder, value)
        if "@@UPSTREAM@@" in text:
            if self.upstream is None or not self.upstream.port:
                raise self.Error("config uses @@UPSTREAM@@ but no started Upstream was passed (upstream=...)")
            text = text.replace("@@UPSTREAM@@", self.upstream.address)
        return text

    def _cmd(self, *extra: str) -> list[str]:
        raise NotImplementedError

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        if self._proc is not None:
            return self
        if self.binary is None:
            raise self.Error(f"{self.NAME} binary not found")
        self.prefix = tempfile.mkdtemp(prefix=f"corslint-{self.NAME}-")
        try:
            self._prepare_prefix()
            self._start_on_a_free_port()
        except BaseException:
            self.stop()
            raise
        return self

    def refusal(self) -> str | None:
        """What the `-t` check says of the configuration when the server
        refuses it, None when it accepts it; nothing is started (the live
        tests of input errors compare this verdict with corslint's).
        `config_text` keeps the checked text afterwards."""
        if self.binary is None:
            raise self.Error(f"{self.NAME} binary not found")
        self.prefix = tempfile.mkdtemp(prefix=f"corslint-{self.NAME}-")
        try:
            self._prepare_prefix()
            self.port = free_port()
            self._before_attempt()
            self.config_text = self.render_config()
            with open(self.conf_path, "w", encoding="utf-8") as fh:
                fh.write(self.config_text)
            try:
                self._check_config()
            except self.Error as exc:
                return str(exc)
            return None
        finally:
            self.stop()

    def _start_on_a_free_port(self) -> None:
        last_error = ""
        for _attempt in range(PORT_ATTEMPTS):  # retry only on a lost race for the port
            self.port = free_port()
            self._before_attempt()
            self.config_text = self.render_config()
            with open(self.conf_path, "w", encoding="utf-8") as fh:
                fh.write(self.config_text)
            self._check_config()
            try:
                self._launch()
                return
            except self.Error as exc:
                last_error = str(exc)
                if "Address already in use" not in last_error:
                    raise
        raise self.Error(f"could not bind a free port after {PORT_ATTEMPTS} attempts:\n{last_error}")

    def _check_config(self) -> None:
        try:
            res = subprocess.run(self._cmd("-t"), capture_output=True, timeout=CHECK_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise self.Error(f"{self.CHECK} timed out after {CHECK_TIMEOUT}s") from exc
        if res.returncode != 0:
            raise self.Error(
                f"{self.CHECK} failed (rc={res.returncode}):\n{res.stderr.decode(errors='replace')}"
                f"{res.stdout.decode(errors='replace')}\n--- generated config ---\n{self.config_text}"
            )

    def _launch(self) -> None:
        # A previous attempt's error log would confuse the port-race check.
        log = os.path.join(self.prefix, "logs", "error.log")
        if os.path.exists(log):
            os.unlink(log)
        out = open(os.path.join(self.prefix, "logs", "stdout.log"), "wb")  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                self._cmd(*self.RUN_ARGS),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: workers and children die with it
            )
        finally:
            out.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self.error_log()
                self._reap()
                raise self.Error(f"{self.NAME} exited during start-up:\n{err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
            except OSError:
                time.sleep(0.01)
                continue
            # What answered may be another process that took the port between
            # free_port() and this bind (CI runs two suites side by side): then
            # ours logs the failed bind (nginx retries it for 2 s, httpd exits)
            time.sleep(BIND_GRACE)
            err = self.error_log()
            if self._proc.poll() is None and "Address already in use" not in err:
                return
            self._reap()
            raise self.Error(f"{self.NAME} lost port {self.port} to another process:\n{err}"
                             f"\nAddress already in use")
        err = self.error_log()
        self._reap()
        raise self.Error(f"{self.NAME} did not answer on port {self.port} within {self.start_timeout}s:\n{err}")

    def _signal_group(self, sig: int) -> None:
        assert self._proc is not None
        try:
            os.killpg(self._proc.pid, sig)  # the group id is the first process's pid
        except (ProcessLookupError, PermissionError):
            pass

    def _reap(self) -> None:
        """Stop the server (and its workers or children) if needed; bounded."""
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                for sig, wait in self.STOP_SIGNALS:
                    try:
                        proc.send_signal(sig)
                    except ProcessLookupError:
                        break
                    try:
                        proc.wait(timeout=wait)
                        break
                    except subprocess.TimeoutExpired:
                        continue
            if proc.poll() is None:
                self._signal_group(signal.SIGKILL)
                proc.wait(timeout=5)
            # Workers left behind (the first process killed hard) share the process group.
            self._signal_group(signal.SIGKILL)
        finally:
            self._proc = None

    def stop(self) -> None:
        try:
            self._reap()
        finally:
            if self.prefix and os.path.isdir(self.prefix) and not os.environ.get(self.KEEP_PREFIX_ENV):
                shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- inspection

    def error_log(self) -> str:
        parts = []
        for name in ("error.log", "stdout.log"):
            path = os.path.join(self.prefix, "logs", name)
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as fh:
                    parts.append(fh.read())
        return "".join(parts)

    # ---------------------------------------------------------------- requests

    def request_full(
        self,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]] = (),
        host: str = "localhost",
        body: bytes | None = None,
        timeout: float = REQUEST_TIMEOUT,
        source: str = "127.0.0.1",
    ) -> tuple[int, Headers, bytes]:
        """Send one request: (status, headers, body); the body is empty for HEAD/204/304.
        `source`: the client address the server sees (any of 127.0.0.0/8)."""
        if not self.port:
            raise self.Error(f"{self.NAME} is not running")
        return loopback_request(self.port, method, path, headers, host, body, timeout, source)

    def request(self, *args, **kwargs) -> tuple[int, Headers]:
        """``request_full`` without the body: the status and the response
        headers as ``[(lowercase name, value), ...]`` in wire order, one
        entry per header line (no redirects followed)."""
        status, got, _ = self.request_full(*args, **kwargs)
        return status, got


class Batches:
    """Runs the generated configurations of many tests in batches (one
    server per batch) and keeps only the batch in use running: tests run in
    seed order, so batch `seed // size` starts when its first seed comes.
    `make(index)` builds a batch with `start()` and `stop()`."""

    def __init__(self, make: Callable[[int], object], size: int) -> None:
        self.make = make
        self.size = size
        self.current = None
        self.index = -1

    def get(self, seed: int):
        index = seed // self.size
        if index != self.index:
            self.close()
            self.current = self.make(index)
            self.index = index
            self.current.start()
        assert self.current is not None
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None
            self.index = -1
