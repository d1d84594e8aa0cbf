"""Running corslint as an attacker's pull request would make CI run it:
the console script (never `python -m corslint`, which would import a
`crossplane.py` or `json.py` committed in the checkout), in the checkout,
with a wall-clock limit and an address-space cap set in the child, so a
hang or a memory bomb fails the test instead of taking the machine down.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: what one attack may take: generous for a loaded CI machine, far below
#: what every defect took before it was fixed (47 s to hours, gigabytes)
SECONDS = 20
MEMORY = 2 << 30


def console_script() -> list[str]:
    """The installed `corslint` next to this interpreter (what users and CI
    run); `python -P -m corslint` where it is missing (-P: the working folder
    does not lead sys.path)."""
    script = Path(sys.executable).with_name("corslint")
    if script.exists():
        return [str(script)]
    found = shutil.which("corslint")
    return [found] if found else [sys.executable, "-P", "-m", "corslint"]


class Run:
    """What one bounded run gave: exit status, output, and its wall time."""

    def __init__(self, done: subprocess.CompletedProcess, seconds: float):
        self.returncode = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.seconds = seconds

    def __repr__(self) -> str:
        return (f"Run(exit {self.returncode}, {self.seconds:.1f} s, stdout={self.stdout[-2000:]!r}, "
                f"stderr={self.stderr[-2000:]!r})")


def run(*args: str, cwd: Path | str, seconds: float = SECONDS, memory: int = MEMORY,
        env: dict | None = None, text: bool = True) -> Run:
    """corslint ARGS in `cwd`, bounded: a run over `seconds` fails the test
    as a hang; the child cannot map more than `memory` bytes (a bomb ends in
    a MemoryError inside the child, which corslint must report)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.monotonic()
    try:
        done = subprocess.run([*console_script(), *args], cwd=cwd, capture_output=True, text=text,
                              errors="surrogateescape" if text else None, timeout=seconds,
                              preexec_fn=cap, env={**os.environ, **(env or {})}, check=False)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"corslint {' '.join(args)} ran over {seconds} s: it hangs on this input") from None
    return Run(done, time.monotonic() - started)
