"""Running corslint as an attacker's pull request would make CI run it:
the console script (never `python -m corslint`, which would import a
`crossplane.py` or `json.py` committed in the checkout), in the checkout,
with a CPU-time limit and an address-space cap set in the child, so a
hang or a memory bomb fails the test instead of taking the machine down.

The limit is on CPU time (the child's and its workers'), not on the wall
clock: CI runs the suite on two Pythons side by side, and the heavy attacks
of both meet on two cores, which doubles their wall time but not their CPU
time.  The wall clock bounds a run only as a hang guard, WALL_FACTOR times
the CPU limit.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: the CPU seconds one attack may take: generous for a slow CI machine, far
#: below what every defect took before it was fixed (47 s to hours, gigabytes)
SECONDS = 20
#: the wall-clock bound of a run, in CPU limits: a loaded machine's slack
WALL_FACTOR = 3
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
    """corslint ARGS in `cwd`, bounded: a run that takes over `seconds` of
    CPU time (or WALL_FACTOR times that on the clock) fails the test as a
    hang; the child cannot map more than `memory` bytes (a bomb ends in a
    MemoryError inside the child, which corslint must report)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started, cpu = time.monotonic(), _children_cpu()
    try:
        done = subprocess.run([*console_script(), *args], cwd=cwd, capture_output=True, text=text,
                              errors="surrogateescape" if text else None, timeout=seconds * WALL_FACTOR,
                              preexec_fn=cap, env={**os.environ, **(env or {})}, check=False)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"corslint {' '.join(args)} ran over {seconds * WALL_FACTOR} s: it hangs on this "
                             f"input") from None
    used = _children_cpu() - cpu
    if used > seconds:
        raise AssertionError(f"corslint {' '.join(args)} took {used:.1f} s of CPU (over {seconds} s): it hangs "
                             f"on this input")
    return Run(done, time.monotonic() - started)


def _children_cpu() -> float:
    """CPU seconds of the children waited for so far (a corslint run's
    forked workers are waited for by it, so they count too)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
