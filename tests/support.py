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

def api_server(*location_lines: str) -> str:
    """An `api.example.com` server on port 80 whose `/api/` location holds
    these lines (the first one on line 5 of the text)."""
    body = "".join(f"        {line}\n" for line in location_lines)
    return ("server {\n    listen 80;\n    server_name api.example.com;\n    location /api/ {\n"
            f"{body}    }}\n}}\n")


ALLOW_ANY = "add_header Access-Control-Allow-Origin * always;"
ALLOW_CREDENTIALS = "add_header Access-Control-Allow-Credentials true always;"
#: an API that sends `*` with credentials (CORS201 and more)
WILDCARD_CREDENTIALS = api_server(ALLOW_ANY, ALLOW_CREDENTIALS, 'return 200 "ok";')

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
