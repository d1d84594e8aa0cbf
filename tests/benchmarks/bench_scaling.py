#!/usr/bin/env python3
"""Benchmark how corslint's cost grows with hosts, routes and header lines.

A pull request can add thousands of virtual hosts, routes or host rules
in one file; corslint must stay linear (or n log n) in them.  For each
corpus of corpora.py (Apache virtual hosts, Flask routes, Express routes,
Ingress host rules, Traefik routers, one nginx location with many CORS
header lines) this script times corslint on --small and on --large items,
each carrying CORS configuration so the rules probe every one, and checks:

* time corslint(large) / corslint(small) <= 5 for every corpus
    With 4,000 against 1,000 items a linear run costs about 4 times as
    much (start-up and imports make it a little less); a scan of every
    host or route per request makes it about 16 times.

Each figure is the best of --repeat runs (see measure.py); corslint
exiting with 1 (findings) is normal, 2 or a traceback is an error.

Exit status: 0 all budgets hold, 1 a budget is exceeded, 2 error.

    python tests/benchmarks/bench_scaling.py [--small 1000] [--large 4000]
        [--repeat 3] [--only KIND,...] [--corslint CMD] [--keep]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import corpora
from measure import Budget, add_options, best_of, corslint_command, machine, print_table, run_benchmark

#: the largest ratio large/small allowed, for --large = 4 x --small
RATIO = 5.0


def measure(folder: Path, args: argparse.Namespace) -> list[Budget]:
    corslint = corslint_command(args)
    findings_ok = (0, 1)
    commands = {}
    for kind in args.only:
        for count in (args.small, args.large):
            path = corpora.write(folder / f"{kind}-{count}", kind, count)
            commands[f"{kind} {count:,}"] = (corslint + [str(path)], findings_ok)
    runs = best_of(commands, args.repeat)

    print(f"machine: {machine()}")
    print(f"corslint command: {shlex.join(corslint)}   (best of {args.repeat})\n")
    print_table(runs)
    limit = RATIO * args.large / (4 * args.small)
    return [Budget(f"time {kind} {args.large:,} / {kind} {args.small:,}",
                   runs[f"{kind} {args.large:,}"].seconds / runs[f"{kind} {args.small:,}"].seconds, limit)
            for kind in args.only]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", type=int, default=1000, help="items in the small corpus of each kind")
    p.add_argument("--large", type=int, default=4000, help="items in the large corpus of each kind")
    p.add_argument("--only", default=",".join(corpora.GENERATORS),
                   help=f"comma-separated kinds to measure (default: all of {', '.join(corpora.GENERATORS)})")
    add_options(p)
    p.set_defaults(repeat=3)
    args = p.parse_args(argv)
    args.only = [kind.strip() for kind in args.only.split(",") if kind.strip()]
    unknown = [kind for kind in args.only if kind not in corpora.GENERATORS]
    if unknown:
        p.error(f"unknown kind {', '.join(unknown)} (known: {', '.join(corpora.GENERATORS)})")
    if args.small < 10 or args.large <= args.small:
        p.error("--small must be >= 10 and --large > --small")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_benchmark(measure, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
