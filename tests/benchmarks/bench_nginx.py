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
* time surface(big) <= 2 x corslint(big)
    `corslint surface -f json` on the ~68,000-line config (issue 17): the
    survey asks a few origins more per scope than the rules do.
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
import random
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from measure import Budget, add_options, best_of, corslint_command, machine, print_table, run_benchmark

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


def count_lines(path: Path) -> int:
    return path.read_text().count("\n")


def write_inputs(folder: Path, big: int, small: int) -> tuple[Path, Path, Path, Path]:
    paths = folder / "big.conf", folder / "dense.conf", folder / "small.conf", folder / "tiny.conf"
    paths[0].write_text(generate_config(big))
    paths[1].write_text(generate_dense_config(big))
    paths[2].write_text(generate_config(small))
    paths[3].write_text(TINY)
    return paths


def crossplane_command(path: Path) -> list[str]:
    return [sys.executable, "-c", "import crossplane; crossplane.parse(%r, single=True, "
            "check_ctx=False, check_args=False)" % str(path)]


def measure(folder: Path, args: argparse.Namespace) -> list[Budget]:
    big, dense, small, tiny = write_inputs(folder, args.lines, args.small)
    corslint = corslint_command(args)
    findings_ok = (0, 1)
    n_big, n_dense, n_small = count_lines(big), count_lines(dense), count_lines(small)
    labels = {
        "parse_big": f"crossplane.parse big ({n_big:,} lines)",
        "big": f"corslint big ({n_big:,} lines)",
        "surface_big": f"corslint surface big ({n_big:,} lines)",
        "parse_dense": f"crossplane.parse dense ({n_dense:,} lines)",
        "dense": f"corslint dense ({n_dense:,} lines)",
        "small": f"corslint small ({n_small:,} lines)",
        "tiny": f"corslint tiny ({count_lines(tiny)} lines)",
        "pass": "python -c pass",
    }
    runs = best_of({
        labels["parse_big"]: (crossplane_command(big), (0,)),
        labels["big"]: (corslint + [str(big)], findings_ok),
        labels["surface_big"]: (corslint + ["surface", "-f", "json", str(big)], (0,)),
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
        Budget("time surface(big) / corslint(big)", run["surface_big"].seconds / run["big"].seconds, 2.0),
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
    add_options(p)
    args = p.parse_args(argv)
    if args.lines < 100 or args.small < 100:
        p.error("--lines and --small must be >= 100")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_benchmark(measure, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
