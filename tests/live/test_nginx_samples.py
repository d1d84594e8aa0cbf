"""Acceptance: for every nginx sample, `simulate`'s predictions equal real nginx.

Each sample (site file or full nginx.conf; ``snippets/`` are reached through
the files that include them) is rewritten so it runs in a sandbox, the
model is built from the very file nginx runs, and every scope URL is probed
with a preflight (OPTIONS + Access-Control-Request-Method PUT +
Access-Control-Request-Headers content-type) and a GET, from a trusted
origin (one the scope allows), from ``https://evil.example`` and from
``null``, once with a backend that answers 200/204 and once with one that
answers 500 (both send their own Access-Control-Allow-Origin and Vary), and
for samples that proxy, once with the backend down (a closed port).
Status and the ordered values of every ``access-control-*`` and ``vary``
header predicted by ``corslint.simulate`` (model + browser) must equal what
nginx sends.

Rewrite (textual, so the file keeps its lines): ``listen 80`` -> the test
port (IPv6 listens dropped), ``127.0.0.1:8000`` -> the test upstream,
``/var/www/`` -> ``PREFIX/www/``, ``/etc/nginx/.htpasswd`` -> a temp
htpasswd, ``worker_processes auto`` -> 1.  ``snippets/`` is copied into the
conf folder, where nginx and the model both resolve ``include snippets/...``.

Docroot files: a scope URL that names a file gets that file; a directory URL
gets an ``index.html``, a ``data.json`` probed next to it, and a
``missing.txt`` that is left missing on purpose.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from corslint.nginx.model import load

from .model_compare import (
    BACKENDS,
    DOWN,
    HOSTILE,
    KINDS,
    NULL,
    OTHER_CLIENT_ADDR,
    Backend,
    compare,
    differences,
    file_text,
    probe_paths,
    refused_sample,
    trusted_origin,
)
from .nginx_compare import RawNginx
from .nginx_harness import Upstream, require_nginx

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "nginx"
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*.conf") if not refused_sample(p))
#: the samples with a proxy: where a backend that is down matters (its 502,
#: through error_page where there is one)
PROXYING_FILES = [p for p in SAMPLE_FILES if "_pass" in p.read_text()]

_LISTEN = re.compile(r"^(\s*)listen\s+([^;]*);", re.MULTILINE)


def rewrite(text: str) -> str:
    """Sandbox a sample; placeholders are filled in by the harness."""
    def listen(m: re.Match) -> str:
        args = m.group(2).split()
        if args and args[0].startswith("["):
            return m.group(1) + "# listen (IPv6) dropped for the live test"
        flags = [a for a in args[1:] if a in ("default_server", "default")]
        return m.group(1) + "listen " + " ".join(["127.0.0.1:@@PORT@@", *flags]) + ";"

    text = _LISTEN.sub(listen, text)
    text = text.replace("127.0.0.1:8000", "@@UPSTREAM@@")
    text = text.replace("/var/www/", "@@PREFIX@@/www/")
    text = text.replace("/etc/nginx/.htpasswd", "@@PREFIX@@/conf/.htpasswd")
    text = re.sub(r"worker_processes\s+auto;", "worker_processes 1;", text)
    return text


def is_full_config(text: str) -> bool:
    return re.search(r"^\s*http\s*\{", text, re.MULTILINE) is not None


def prepare(server: RawNginx, sample: Path) -> str:
    """Write the rewritten sample (and what it includes) into the prefix;
    return the nginx.conf text."""
    conf = Path(server.prefix) / "conf"
    shutil.copytree(SAMPLES / "snippets", conf / "snippets", dirs_exist_ok=True)
    (conf / ".htpasswd").write_text("user:{PLAIN}secret\n")
    (Path(server.prefix) / "www").mkdir(exist_ok=True)
    text = rewrite(sample.read_text())
    if is_full_config(text):
        return text
    site = conf / "site.conf"
    site.write_text(server._substitute(text))
    return ("events { worker_connections 64; }\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    include {site};\n}}\n")


def create_files(model, paths: list[str]) -> None:
    """Create the docroot files the probe paths name under every root of the
    sample (``missing.txt`` stays missing)."""
    roots = set()
    for server in model.conf.servers:
        for level in _levels(server):
            if level.root is not None and not level.root[1]:
                roots.add(level.root[0])
    for root in roots:
        if "$" in root:
            continue
        for path in paths:
            if path.endswith("missing.txt"):
                continue
            full = Path(root) / path.lstrip("/")
            if path.endswith("/"):
                full = full / "index.html"
            full.parent.mkdir(parents=True, exist_ok=True)
            if not full.exists():
                full.write_text(file_text(full))


def _levels(level):
    yield level
    for loc in level.locations:
        yield from _levels(loc)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_answers_match_nginx(sample: Path, backend: str) -> None:
    require_nginx(headers_more=True)
    app = Backend(backend)
    with Upstream(responder=app.respond) as up:
        check_sample(sample, up, app)


@pytest.mark.parametrize("sample", PROXYING_FILES, ids=[p.name for p in PROXYING_FILES])
def test_sample_answers_match_nginx_backend_down(sample: Path) -> None:
    """The backend is down (its port closed: nginx answers 502 itself and
    error_page applies); the model is told so (`simulate --upstream-down`)."""
    require_nginx(headers_more=True)
    down = Upstream.closed()
    check_sample(sample, down, DOWN)


def check_sample(sample: Path, up: Upstream, app) -> None:
    """Every scope's answers, from nginx running the sample and from the model."""
    with RawNginx(lambda s: prepare(s, sample), upstream=up) as ngx:
        full = is_full_config(sample.read_text())
        conf_dir = os.path.join(ngx.prefix, "conf")
        model = load(ngx.conf_path if full else os.path.join(conf_dir, "site.conf"), root=conf_dir)
        assert not model.parsed.errors, model.parsed.errors
        scopes = model.scopes()
        assert scopes, f"{sample.name}: the model lists no scope"
        plan = [(scope, probe_paths(scope)) for scope in scopes]
        create_files(model, [p for _, paths in plan for p in paths])
        problems = []
        count = 0
        for scope, paths in plan:
            parts = urlsplit(scope.url)
            assert parts.port == ngx.port, f"scope URL {scope.url} does not use the live port {ngx.port}"
            n, found = differences(ngx, model, [f"{parts.scheme}://{parts.netloc}{p}" for p in paths],
                                   (trusted_origin(scope), HOSTILE, NULL), app.for_model, label=f"[{scope.name}] ")
            count, problems = count + n, problems + found
    assert not problems, f"{sample.name}: {len(problems)} of {count} answers differ from nginx\n" + "\n".join(problems)


def test_empty_user_agent_guard_lets_browsers_through() -> None:
    """`if ($http_user_agent = "") { return 403; }` refuses clients without a
    User-Agent, never a browser: with Chromium's headers nginx and the model
    both answer the API (and echo the Origin), with an empty User-Agent both
    answer 403."""
    require_nginx(headers_more=True)
    sample = SAMPLES / "cors202-empty-user-agent-guard.conf"
    app = Backend("ok")
    with Upstream(responder=app.respond) as up, RawNginx(lambda s: prepare(s, sample), upstream=up) as ngx:
        model = load(os.path.join(ngx.prefix, "conf", "site.conf"), root=os.path.join(ngx.prefix, "conf"))
        url = f"http://partners.example.com:{ngx.port}/api/"
        problems = [diff for kind in KINDS for client in ((), (("User-Agent", ""),))
                    for diff in [compare(ngx, model, url, HOSTILE, kind, app.for_model, client_headers=client,
                                         label=f"{kind[0]} User-Agent {'empty' if client else 'Chromium'}:")] if diff]
        assert not problems, "\n".join(problems)
        browser = ngx.request("GET", "/api/", headers=[("Origin", HOSTILE), ("User-Agent", "Mozilla/5.0")],
                              host=f"partners.example.com:{ngx.port}")
        bare = ngx.request("GET", "/api/", headers=[("Origin", HOSTILE)], host=f"partners.example.com:{ngx.port}")
        assert (browser[0], bare[0]) == (200, 403)
        assert ("access-control-allow-origin", HOSTILE) in browser[1]


def test_local_only_location_refuses_other_clients() -> None:
    """`allow 127.0.0.1; deny all;` (good-local-only-admin): for a client
    from another address, what the lint assumes for every remote client,
    nginx and the model both answer the preflight and the GET with 403."""
    require_nginx(headers_more=True)
    sample = SAMPLES / "good-local-only-admin.conf"
    app = Backend("ok")
    with Upstream(responder=app.respond) as up, RawNginx(lambda s: prepare(s, sample), upstream=up) as ngx:
        model = load(os.path.join(ngx.prefix, "conf", "site.conf"), root=os.path.join(ngx.prefix, "conf"))
        host = f"ops.example.com:{ngx.port}"
        _, problems = differences(ngx, model, [f"http://{host}/metrics/"], ("https://dashboard.example.com", HOSTILE),
                                  app.for_model, client_addr=OTHER_CLIENT_ADDR)
        assert not problems, "\n".join(problems)
        statuses = {ngx.request(method, "/metrics/", host=host, source=OTHER_CLIENT_ADDR)[0]
                    for method in ("GET", "OPTIONS")}
        assert statuses == {403}
