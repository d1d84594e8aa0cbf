"""What the test modules share: running the corslint command as a user
does, bounding the time one input may take, and writing small files."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

#: an API that sends `*` with credentials (CORS201 and more)
WILDCARD_CREDENTIALS = textwrap.dedent("""\
    server {
        listen 80;
        server_name api.example.com;
        location /api/ {
            add_header Access-Control-Allow-Origin * always;
            add_header Access-Control-Allow-Credentials true always;
            return 200 "ok";
        }
    }
    """)

#: public fonts: nothing to report
CLEAN = textwrap.dedent("""\
    server {
        listen 80;
        server_name static.example.com;
        location /fonts/ {
            add_header Access-Control-Allow-Origin *;
            root /var/www;
        }
    }
    """)


def corslint(*args: str, cwd: Path | str | None = None, env: dict | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m corslint ARGS` (output as text; never raises on its exit status)."""
    return subprocess.run([sys.executable, "-m", "corslint", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging the suite) when one input takes too long."""
    def expired(signum, frame):
        raise TimeoutError(f"input took more than {seconds} s: corslint hangs")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write(path: Path, text: str | bytes) -> Path:
    """A file (its folders made), from text or bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path
