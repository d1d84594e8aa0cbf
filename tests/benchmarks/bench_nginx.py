#!/usr/bin/env python3
"""Benchmark corslint on large nginx configurations.

corslint runs as a pre-commit hook, i.e. on every commit, so it must cost
about as much as reading the configuration and no more, and that cost must
grow linearly with the size of the input.  This script checks these budgets
in one run:

* time corslint(big) <= 2 x crossplane(big), and the same for dense
    Linting a ~68,000-line nginx config may cost at most twice a bare
    crossplane parse of the same file.  Both run in a fresh subprocess, so
    both pay the same interpreter start-up and the comparison is fair.
* memory corslint(big) <= 3 x crossplane(big), and the same for dense
    Peak resident memory (ru_maxrss of the process and its forked workers).
* time corslint(big) <= 8 x corslint(small)
    Linear growth: 68,000 / 10,000 lines = 6.8, plus some slack.  Anything
    quadratic (rescanning every server per location, say) blows this.
* time corslint(tiny) <= 3 x `python -c pass`
    Start-up: linting one 10-line server block must not be dominated by
    imports.  `python -c pass` runs on the same interpreter (sys.executable).

The configurations are generated deterministically (seeded random) into a
temporary folder.  *big* and *small*: an `http {}` with `map $http_origin`
blocks (exact and regex entries), upstreams, and many `server` blocks with
locations of every kind, CORS `add_header`s, preflight `if` blocks,
`limit_except`, `auth_basic`, `proxy_pass`, static files, `error_page` and
comments.  *dense*: about 2,000 servers that all answer CORS, each with a
`map` allow-list variable as Allow-Origin at server level and five proxied
locations with a preflight `if`, `proxy_hide_header
Access-Control-Allow-Origin` and an add_header of their own.

Each figure is the best of --repeat runs; the commands take turns, so a
compared pair meets the same load.  corslint exiting with 1 (findings) is
normal; exit status 2 or a traceback is an error.

Exit status: 0 all budgets hold, 1 a budget is exceeded, 2 error.

    python tests/benchmarks/bench_nginx.py [--lines 68000] [--small 10000]
        [--repeat 5] [--corslint CMD] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = 20240601

# --------------------------------------------------------------------------
# Config generation
# --------------------------------------------------------------------------

WORDS = [
    "api", "app", "admin", "shop", "cdn", "static", "auth", "media",
    "billing", "search", "docs", "status", "files", "graph", "events",
    "partner", "portal", "internal", "reports", "mobile",
]
TLDS = ["example.com", "example.org", "example.net", "corp.example"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
REQ_HEADERS = [
    "Authorization", "Content-Type", "X-Requested-With", "X-Request-Id",
    "X-CSRF-Token", "Accept", "If-None-Match", "X-Api-Key",
]
EXPOSE_HEADERS = ["ETag", "Link", "X-Total-Count", "X-Request-Id", "Location"]
COMMENTS = [
    "CORS for the single-page app",
    "TODO: tighten this before launch",
    "legacy clients still call this path",
    "preflight answered here, not by the backend",
    "see ticket OPS-1234",
    "static assets, cached for a day",
    "health checks from the load balancer",
    "corslint: ignore[CORS203]",
]


class Writer:
    """Collects indented config lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def line(self, text: str = "") -> None:
        self.lines.append("    " * self.depth + text if text else "")

    def open(self, head: str) -> None:
        self.line(head + " {")
        self.depth += 1

    def close(self) -> None:
        self.depth -= 1
        self.line("}")

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class Ctx:
    rng: random.Random
    maps: list[str]
    upstreams: list[str]


def origin(rng: random.Random) -> str:
    return f"https://{rng.choice(WORDS)}.{rng.choice(TLDS)}"


def sample(rng: random.Random, items: list[str], lo: int, hi: int) -> list[str]:
    return rng.sample(items, rng.randint(lo, min(hi, len(items))))


def emit_map(w: Writer, ctx: Ctx, name: str) -> None:
    rng = ctx.rng
    w.open(f"map $http_origin ${name}")
    w.line('default "";')
    keys: dict[str, None] = {}  # ordered, unlike a set: keeps output deterministic
    for _ in range(rng.randint(4, 25)):
        if rng.random() < 0.3:
            dom = f"{rng.choice(WORDS)}.{rng.choice(TLDS)}".replace(".", r"\.")
            keys[f'"~^https://([a-z0-9-]+\\.)?{dom}$"'] = None
        else:
            keys[f'"{origin(rng)}"'] = None
    for key in keys:
        w.line(f"{key} $http_origin;")
    if rng.random() < 0.2:
        w.line('"null" "null";')
    w.close()
    w.line()


def emit_upstream(w: Writer, ctx: Ctx, name: str) -> None:
    rng = ctx.rng
    w.open(f"upstream {name}")
    if rng.random() < 0.5:
        w.line("least_conn;")
    for i in range(rng.randint(1, 4)):
        w.line(f"server 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{i + 2}:"
               f"{rng.choice([8000, 8080, 9000, 3000])};")
    w.line(f"keepalive {rng.choice([16, 32, 64])};")
    w.close()
    w.line()


def allow_origin_value(ctx: Ctx) -> str:
    rng = ctx.rng
    return rng.choice([
        '"*"', "$http_origin", f'"{origin(rng)}"',
        f"${rng.choice(ctx.maps)}", f"${rng.choice(ctx.maps)}",
    ])


def emit_cors_headers(w: Writer, ctx: Ctx, preflight: bool = False) -> None:
    rng = ctx.rng
    always = " always" if rng.random() < 0.4 else ""
    w.line(f"add_header Access-Control-Allow-Origin {allow_origin_value(ctx)}{always};")
    if rng.random() < 0.5:
        w.line(f'add_header Access-Control-Allow-Credentials "true"{always};')
    if preflight or rng.random() < 0.4:
        w.line(f'add_header Access-Control-Allow-Methods '
               f'"{", ".join(sample(rng, METHODS, 2, 6))}"{always};')
        w.line(f'add_header Access-Control-Allow-Headers '
               f'"{", ".join(sample(rng, REQ_HEADERS, 1, 5))}"{always};')
    if preflight and rng.random() < 0.7:
        w.line(f"add_header Access-Control-Max-Age {rng.choice([600, 3600, 86400])};")
    if not preflight and rng.random() < 0.3:
        w.line(f'add_header Access-Control-Expose-Headers '
               f'"{", ".join(sample(rng, EXPOSE_HEADERS, 1, 3))}"{always};')
    if rng.random() < 0.5:
        w.line(f"add_header Vary Origin{always};")


def emit_preflight_if(w: Writer, ctx: Ctx) -> None:
    quote = ctx.rng.choice(["OPTIONS", "'OPTIONS'", '"OPTIONS"'])
    w.open(f"if ($request_method = {quote})")
    emit_cors_headers(w, ctx, preflight=True)
    w.line("add_header Content-Type 'text/plain; charset=utf-8';")
    w.line("add_header Content-Length 0;")
    w.line("return 204;")
    w.close()


def emit_origin_if(w: Writer, ctx: Ctx) -> None:
    rng = ctx.rng
    hosts = "|".join(sample(rng, WORDS, 1, 4))
    dom = rng.choice(TLDS).replace(".", r"\.")
    w.open(f'if ($http_origin ~* "^https?://({hosts})\\.{dom}(:[0-9]+)?$")')
    if rng.random() < 0.5:
        w.line("set $cors_ok 1;")
    else:
        w.line("add_header Access-Control-Allow-Origin $http_origin always;")
        w.line("add_header Vary Origin always;")
    w.close()


def emit_proxy(w: Writer, ctx: Ctx) -> None:
    rng = ctx.rng
    w.line(f"proxy_pass http://{rng.choice(ctx.upstreams)};")
    w.line("proxy_set_header Host $host;")
    w.line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
    if rng.random() < 0.4:
        w.line("proxy_hide_header Access-Control-Allow-Origin;")
        if rng.random() < 0.5:
            w.line("proxy_hide_header Access-Control-Allow-Credentials;")
    if rng.random() < 0.3:
        w.line(f"proxy_read_timeout {rng.choice([30, 60, 300])}s;")


def emit_static(w: Writer, ctx: Ctx, site: str) -> None:
    rng = ctx.rng
    w.line(f"root /var/www/{site};")
    w.line(rng.choice(["try_files $uri $uri/ /index.html;",
                       "try_files $uri =404;",
                       "try_files $uri $uri/ @backend;"]))
    if rng.random() < 0.5:
        w.line(f"expires {rng.choice(['1h', '1d', '30d', 'max'])};")


def emit_location_body(w: Writer, ctx: Ctx, site: str, nested_ok: bool) -> None:
    rng = ctx.rng
    if rng.random() < 0.15:
        w.line(f"# {rng.choice(COMMENTS)}")
    if rng.random() < 0.55:
        emit_cors_headers(w, ctx)
    if rng.random() < 0.35:
        emit_preflight_if(w, ctx)
    if rng.random() < 0.12:
        emit_origin_if(w, ctx)
    if rng.random() < 0.1:
        w.open(f"limit_except {' '.join(sample(rng, ['GET', 'POST', 'PUT'], 1, 2))}")
        if rng.random() < 0.5:
            w.line("allow 10.0.0.0/8;")
        w.line("deny all;")
        w.close()
    if rng.random() < 0.1:
        w.line('auth_basic "Restricted";')
        w.line("auth_basic_user_file /etc/nginx/htpasswd;")
    if rng.random() < 0.6:
        emit_proxy(w, ctx)
    else:
        emit_static(w, ctx, site)
    if rng.random() < 0.08:
        w.line(f"error_page {rng.choice(['404', '500 502 503 504'])} /error.html;")
    if nested_ok and rng.random() < 0.15:
        ext = rng.choice(["json", "js|css", "png|jpg|svg", "woff2?"])
        w.open(f"location ~* \\.({ext})$")
        emit_location_body(w, ctx, site, nested_ok=False)
        w.close()


def location_head(rng: random.Random) -> tuple[str, bool]:
    """A location header line and whether it may hold nested locations."""
    word, other = rng.choice(WORDS), rng.choice(WORDS)
    kind = rng.choices(["prefix", "exact", "prio", "re", "rei", "quoted"],
                       weights=[40, 12, 10, 15, 15, 8])[0]
    if kind == "prefix":
        return f"location /{word}/{rng.choice(['', other + '/'])}", True
    if kind == "exact":
        return f"location = /{word}{rng.choice(['', '/health', '.json'])}", False
    if kind == "prio":
        return f"location ^~ /{word}/", True
    if kind == "re":
        return f"location ~ ^/{word}/(\\d+)/{other}$", True
    if kind == "rei":
        return f"location ~* \\.({word}|{other})$", True
    return f'location ~ "^/{word}/v[0-9]{{1,2}}/"', True


def emit_server(w: Writer, ctx: Ctx, index: int) -> None:
    rng = ctx.rng
    site = f"{rng.choice(WORDS)}{index}.{rng.choice(TLDS)}"
    w.line(f"# server {index}: {site}")
    w.open("server")
    w.line("listen 80;" if index else "listen 80 default_server;")
    if rng.random() < 0.3:
        w.line("listen [::]:80;")
    names = [site] + [f"{rng.choice(WORDS)}{index}.{rng.choice(TLDS)}"
                      for _ in range(rng.randint(0, 3))]
    w.line(f"server_name {' '.join(dict.fromkeys(names))};")
    if rng.random() < 0.3:
        w.line(f"access_log /var/log/nginx/{site}.log main;")
    if rng.random() < 0.3:
        emit_cors_headers(w, ctx)
    if rng.random() < 0.4:
        w.line("error_page 404 /404.html;")
    w.line()
    if rng.random() < 0.05:
        w.line("return 301 https://$host$request_uri;")
    else:
        seen = set()  # nginx rejects duplicate locations
        for _ in range(rng.randint(10, 30)):
            head, nested_ok = location_head(rng)
            path = head.replace("^~ ", "")  # "^~ /a/" and "/a/" clash too
            if path in seen:
                continue
            seen.add(path)
            w.open(head)
            emit_location_body(w, ctx, site, nested_ok)
            w.close()
            if rng.random() < 0.3:
                w.line()
        w.open("location @backend")
        emit_proxy(w, ctx)
        w.close()
    w.close()
    w.line()


def generate_config(n_lines: int, seed: int = SEED) -> str:
    """A deterministic nginx.conf of about `n_lines` lines."""
    rng = random.Random(seed)
    n_servers_guess = max(1, n_lines // 300)
    ctx = Ctx(rng,
              maps=[f"cors_origin_{i}" for i in range(max(1, n_servers_guess // 4))],
              upstreams=[f"backend_{i}" for i in range(max(1, n_servers_guess // 3))])
    w = Writer()
    w.line("user nginx;")
    w.line("worker_processes auto;")
    w.open("events")
    w.line("worker_connections 1024;")
    w.close()
    w.open("http")
    w.line("default_type application/octet-stream;")
    w.line("sendfile on;")
    w.line("server_names_hash_bucket_size 128;")
    w.line("server_names_hash_max_size 4096;")
    w.line("log_format main '$remote_addr - $remote_user [$time_local] \"$request\" $status';")
    w.line()
    for name in ctx.maps:
        emit_map(w, ctx, name)
    w.open("map $request_method $is_preflight")
    w.line("default 0;")
    w.line("OPTIONS 1;")
    w.close()
    w.line()
    w.line("upstream backend { server 127.0.0.1:8000; }")
    ctx.upstreams.append("backend")
    for name in ctx.upstreams[:-1]:
        emit_upstream(w, ctx, name)
    index = 0
    while len(w) < n_lines - 2:
        emit_server(w, ctx, index)
        index += 1
    w.close()
    return "\n".join(w.lines) + "\n"


def emit_dense_map(w: Writer, rng: random.Random, name: str) -> None:
    """An Origin allow-list: exact origins and one regex, else empty."""
    w.open(f"map $http_origin ${name}")
    w.line('default "";')
    for _ in range(rng.randint(2, 4)):
        w.line(f'"{origin(rng)}" $http_origin;')
    dom = f"{rng.choice(WORDS)}.{rng.choice(TLDS)}".replace(".", r"\.")
    w.line(f'"~^https://[a-z0-9-]+\\.{dom}$" $http_origin;')
    w.close()


def emit_dense_server(w: Writer, rng: random.Random, index: int, maps: list[str]) -> None:
    """A map allow-list variable as Allow-Origin at server level and five
    proxied locations, each with a preflight `if`, a `proxy_hide_header
    Access-Control-Allow-Origin` and an add_header of its own (which, by
    nginx's inheritance, drops the server's Allow-Origin there)."""
    variable = rng.choice(maps)
    w.open("server")
    w.line("listen 80;" if index else "listen 80 default_server;")
    w.line(f"server_name {rng.choice(WORDS)}{index}.{rng.choice(TLDS)};")
    w.line(f"add_header Access-Control-Allow-Origin ${variable} always;")
    for path in sample(rng, WORDS, 5, 5):
        w.open(f"location /{path}/")
        w.line(f"if ($request_method = OPTIONS) {{ add_header Access-Control-Allow-Origin ${variable}; "
               f'add_header Access-Control-Allow-Methods "{", ".join(sample(rng, METHODS, 2, 4))}"; return 204; }}')
        w.line("proxy_hide_header Access-Control-Allow-Origin;")
        w.line(f"add_header X-Served-By {path};")
        w.line(f"proxy_pass http://backend_{index % 8};")
        w.close()
    w.close()


def generate_dense_config(n_lines: int, seed: int = SEED) -> str:
    """A deterministic CORS-dense nginx.conf of about `n_lines` lines (about
    2,000 servers at 68,000 lines), every server answering CORS through a
    shared `map` allow-list (see emit_dense_server)."""
    rng = random.Random(seed)
    maps = [f"cors_allow_{i}" for i in range(max(1, n_lines // 340))]
    w = Writer()
    w.open("events")
    w.close()
    w.open("http")
    for i in range(8):
        w.line(f"upstream backend_{i} {{ server 10.0.{i}.2:8080; }}")
    for name in maps:
        emit_dense_map(w, rng, name)
    index = 0
    while len(w) < n_lines - 2:
        emit_dense_server(w, rng, index, maps)
        index += 1
    w.close()
    return "\n".join(w.lines) + "\n"


TINY = """\
# one small site, as in sites-enabled/
server {
    listen 80;
    server_name tiny.example.com;
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        proxy_pass http://127.0.0.1:8000;
    }
}
"""

# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


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


def count_lines(path: Path) -> int:
    return path.read_text().count("\n")


def write_inputs(folder: Path, big: int, small: int) -> tuple[Path, Path, Path, Path]:
    paths = folder / "big.conf", folder / "dense.conf", folder / "small.conf", folder / "tiny.conf"
    paths[0].write_text(generate_config(big))
    paths[1].write_text(generate_dense_config(big))
    paths[2].write_text(generate_config(small))
    paths[3].write_text(TINY)
    return paths


def default_command() -> list[str]:
    """The `corslint` console script of this interpreter's environment (what
    users and pre-commit run), else `python -m corslint`."""
    script = Path(sys.executable).parent / "corslint"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "corslint"]


def crossplane_command(path: Path) -> list[str]:
    return [sys.executable, "-c", "import crossplane; crossplane.parse(%r, single=True, "
            "check_ctx=False, check_args=False)" % str(path)]


def measure(folder: Path, args: argparse.Namespace) -> list[Budget]:
    big, dense, small, tiny = write_inputs(folder, args.lines, args.small)
    corslint = shlex.split(args.corslint) if args.corslint else default_command()
    findings_ok = (0, 1)
    n_big, n_dense, n_small = count_lines(big), count_lines(dense), count_lines(small)
    labels = {
        "parse_big": f"crossplane.parse big ({n_big:,} lines)",
        "big": f"corslint big ({n_big:,} lines)",
        "parse_dense": f"crossplane.parse dense ({n_dense:,} lines)",
        "dense": f"corslint dense ({n_dense:,} lines)",
        "small": f"corslint small ({n_small:,} lines)",
        "tiny": f"corslint tiny ({count_lines(tiny)} lines)",
        "pass": "python -c pass",
    }
    runs = best_of({
        labels["parse_big"]: (crossplane_command(big), (0,)),
        labels["big"]: (corslint + [str(big)], findings_ok),
        labels["parse_dense"]: (crossplane_command(dense), (0,)),
        labels["dense"]: (corslint + [str(dense)], findings_ok),
        labels["small"]: (corslint + [str(small)], findings_ok),
        labels["tiny"]: (corslint + [str(tiny)], findings_ok),
        labels["pass"]: ([sys.executable, "-c", "pass"], (0,)),
    }, args.repeat)
    run = {key: runs[label] for key, label in labels.items()}

    print(f"machine: {machine()}")
    print(f"corslint command: {shlex.join(corslint)}   (best of {args.repeat})\n")
    print_table(runs)
    return [
        Budget("time corslint(big) / crossplane(big)", run["big"].seconds / run["parse_big"].seconds, 2.0),
        Budget("time corslint(dense) / crossplane(dense)", run["dense"].seconds / run["parse_dense"].seconds, 2.0),
        Budget("memory corslint(big) / crossplane(big)", run["big"].rss_mb / run["parse_big"].rss_mb, 3.0),
        Budget("memory corslint(dense) / crossplane(dense)", run["dense"].rss_mb / run["parse_dense"].rss_mb, 3.0),
        Budget("time corslint(big) / corslint(small)", run["big"].seconds / run["small"].seconds, 8.0),
        Budget("time corslint(tiny) / python -c pass", run["tiny"].seconds / run["pass"].seconds, 3.0),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=68_000, help="size of the big and dense configs")
    p.add_argument("--small", type=int, default=10_000, help="size of the small config")
    p.add_argument("--repeat", type=int, default=5, help="runs per measurement (best kept)")
    p.add_argument("--corslint", metavar="CMD",
                   help="command to run corslint (default: the corslint script next to this python, "
                        "else python -m corslint)")
    p.add_argument("--keep", action="store_true",
                   help="keep the generated configs and print their folder")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.lines < 100 or args.small < 100:
        p.error("--repeat must be >= 1, --lines and --small >= 100")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="corslint-bench-"))
    try:
        budgets = measure(folder, args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"configs kept in {folder}\n")
        else:
            shutil.rmtree(folder)
    print_budgets(budgets)
    exceeded = [b.name for b in budgets if not b.holds]
    if exceeded:
        print(f"\nbudget exceeded: {', '.join(exceeded)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
