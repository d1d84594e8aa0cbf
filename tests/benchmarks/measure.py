"""What the benchmarks share: running a command in a fresh process and
keeping its best wall time, CPU time and peak memory over several rounds,
and printing the figures and the budgets they are held to.

A benchmark's `measure(folder, args)` writes its inputs into `folder`,
measures its commands with `best_of` and returns `Budget`s; `run_benchmark` calls
it and gives the exit status: 0 all budgets hold, 1 a budget is exceeded,
2 an error (a command crashed or exited with a status it must not).
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class BenchError(Exception):
    """A measured command failed (crashed, or exit status not allowed)."""


# stderr text that means the command never ran: python exits 1 for these,
# which would otherwise pass for corslint's "findings" exit status.
CRASH_MARKERS = (
    "Traceback (most recent call last)",
    "No module named",
    "Error while finding module specification",
    "can't open file",
)


@dataclass
class Run:
    """One command's best figures over several runs."""
    seconds: float     # wall time
    cpu: float         # user + system time of the process and its children
    rss_mb: float      # peak resident memory of the process or any of its children

    def best(self, other: "Run") -> "Run":
        return Run(min(self.seconds, other.seconds), min(self.cpu, other.cpu), min(self.rss_mb, other.rss_mb))


#: Runs a command and writes its wall time, CPU time, peak RSS and exit
#: status to a file.  The figures must come from a small process: Linux
#: counts in a child's ru_maxrss the memory of the process it was spawned
#: from (this script, holding the generated configurations).
MEASURE = """\
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    report.write(f"{elapsed} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_once(cmd: list[str], ok: tuple[int, ...]) -> Run:
    """Run `cmd` in a fresh process, under MEASURE."""
    with tempfile.NamedTemporaryFile("r") as report:
        try:
            proc = subprocess.run([sys.executable, "-I", "-S", "-c", MEASURE, report.name, *cmd],
                                  capture_output=True, text=True, cwd=REPO)
            elapsed, cpu, maxrss, status = report.read().split()
        except (OSError, ValueError) as exc:
            raise BenchError(f"{shlex.join(cmd)}: {exc}\n{proc.stderr if 'proc' in locals() else ''}") from exc
    if int(status) not in ok or any(m in proc.stderr for m in CRASH_MARKERS):
        hint = ""
        if "No module named corslint" in proc.stderr:
            hint = "\n(install the checkout first: pip install -e .)"
        raise BenchError(f"{shlex.join(cmd)} exited with {status}\n"
                         f"--- stderr ---\n{proc.stderr.rstrip()}{hint}")
    # Linux reports ru_maxrss in KiB, macOS in bytes
    rss = int(maxrss) / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return Run(float(elapsed), float(cpu), rss)


def best_of(commands: dict[str, tuple[list[str], tuple[int, ...]]], repeat: int) -> dict[str, Run]:
    """The best run of each command over `repeat` rounds.  The commands take
    turns within a round, so a compared pair (crossplane, then corslint on
    the same file) meets the same load on a busy machine."""
    best: dict[str, Run] = {}
    for _ in range(repeat):
        for label, (cmd, ok) in commands.items():
            run = run_once(cmd, ok)
            best[label] = best[label].best(run) if label in best else run
    return best


@dataclass
class Budget:
    name: str
    actual: float
    limit: float

    @property
    def holds(self) -> bool:
        return self.actual <= self.limit


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cores} usable cores ({os.cpu_count()} in all), {platform.machine()} {platform.system()}, "
            f"Python {platform.python_version()} ({platform.python_implementation()})")


def print_table(runs: dict[str, Run]) -> None:
    width = max(len(label) for label in runs)
    print(f"{'measurement':<{width}}  {'wall':>8}  {'cpu':>8}  {'peak RSS':>9}")
    for label, run in runs.items():
        print(f"{label:<{width}}  {run.seconds * 1000:>6.0f}ms  {run.cpu * 1000:>6.0f}ms  {run.rss_mb:>6.1f} MB")
    print()


def print_budgets(budgets: list[Budget]) -> None:
    width = max(len(b.name) for b in budgets)
    print(f"{'budget':<{width}}  {'actual':>7}  {'limit':>6}")
    for b in budgets:
        verdict = "ok" if b.holds else "EXCEEDED"
        print(f"{b.name:<{width}}  {b.actual:>6.2f}x  {b.limit:>5.1f}x  {verdict}")


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    import argparse

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def add_options(parser) -> None:
    """The options every benchmark takes: --repeat, --corslint, --keep."""
    parser.add_argument("--repeat", type=positive, default=5, help="runs per measurement (best kept)")
    parser.add_argument("--corslint", metavar="CMD",
                        help="command to run corslint (default: the corslint script next to this python, "
                             "else python -m corslint)")
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs and print their folder")


def corslint_command(args) -> list[str]:
    """--corslint, else the `corslint` console script of this interpreter's
    environment (what users and pre-commit run), else `python -m corslint`."""
    if args.corslint:
        return shlex.split(args.corslint)
    script = Path(sys.executable).parent / "corslint"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "corslint"]


def run_benchmark(measure, args) -> int:
    """`measure(folder, args)` in a fresh temporary folder (kept with
    --keep), then its budgets printed: the benchmark's exit status."""
    folder = Path(tempfile.mkdtemp(prefix="corslint-bench-"))
    try:
        budgets = measure(folder, args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"inputs kept in {folder}\n")
        else:
            shutil.rmtree(folder)
    print_budgets(budgets)
    exceeded = [b.name for b in budgets if not b.holds]
    if exceeded:
        print(f"\nbudget exceeded: {', '.join(exceeded)}")
        return 1
    return 0
