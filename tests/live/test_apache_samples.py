"""Acceptance: for every Apache sample, `simulate`'s predictions equal real Apache.

Each sample (a vhost/site file or an httpd.conf; ``htaccess-*/site.conf``
together with the ``.htaccess`` next to it, served from the docroot;
``conf-available/`` snippets are reached through the files that include
them) is rewritten so it runs in a sandbox (``apache_harness.
adapt_site_config``: ``<VirtualHost *:PORT>``, DocumentRoot and directories
under the temp docroot, backends and ``[P]`` targets to the test upstream,
``AuthUserFile`` to a temp htpasswd).  The model is loaded from the very
``httpd.conf`` Apache runs (harness base config included) and told about
the ``.htaccess`` file.  Every scope URL is probed with a preflight (OPTIONS +
Access-Control-Request-Method PUT + Access-Control-Request-Headers
content-type) and a GET, from a trusted origin (one the scope allows), from
``https://evil.example`` and from ``null``, once with a backend that answers
204/200 and once with one that answers 500 (both send their own
Access-Control-Allow-Origin and Vary), and for samples that proxy once with
the backend down (a closed port).  Status and the ordered values of
every ``access-control-*`` and ``vary`` header predicted by
``corslint.simulate`` (model + browser) must equal what Apache sends.

Docroot files: a scope URL that names a file gets that file; a directory URL
gets an ``index.html``, a ``data.json`` probed next to it, and a
``missing.txt`` that is left missing on purpose.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from corslint.apache.model import load

from .apache_compare import HOSTILE, NULL, ConfApache, differences, file_for
from .apache_harness import Upstream, adapt_site_config, require_apache
from .model_compare import BACKENDS, DOWN, OTHER_CLIENT_ADDR, Backend, file_text, probe_paths, refused_sample, trusted_origin

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "apache"
SNIPPETS = "conf-available"
SAMPLE_FILES = sorted(p for p in [*SAMPLES.glob("*.conf"), *SAMPLES.glob("*/site.conf")] if not refused_sample(p))
#: the samples that proxy (ProxyPass, [P], here or in their .htaccess): where a backend that is down matters
PROXYING_FILES = [p for p in SAMPLE_FILES
                  if re.search(r"ProxyPass|\[P[,\]]", p.read_text() + (p.parent / ".htaccess").read_text()
                               if p.name == "site.conf" and (p.parent / ".htaccess").is_file() else p.read_text())]

# `Include conf-available/...` is resolved against ServerRoot by Apache and
# the model alike; the harness's adaptation drops Include lines, so they are
# hidden from it and put back afterwards.
_INCLUDE = re.compile(r"^(\s*)(Include(?:Optional)?)(\s+)(" + SNIPPETS + r"/\S+)", re.MULTILINE | re.IGNORECASE)
_KEPT = "CorslintKeptInclude__"


def rewrite(text: str) -> str:
    """Sandbox a sample; placeholders are filled in by the harness."""
    text = _INCLUDE.sub(lambda m: f"{m.group(1)}{_KEPT}{m.group(2)}{m.group(3)}{m.group(4)}", text)
    text = adapt_site_config(text, has_upstream=True)
    return text.replace(_KEPT, "")


def snippets() -> dict[str, str]:
    return {f"{SNIPPETS}/{p.name}": rewrite(p.read_text()) for p in sorted((SAMPLES / SNIPPETS).glob("*.conf"))}


def htaccess_of(sample: Path) -> str | None:
    """The .htaccess next to a folder sample's site.conf."""
    path = sample.parent / ".htaccess"
    return rewrite(path.read_text()) if sample.name == "site.conf" and path.is_file() else None


def create_files(model, urls: list[str]) -> None:
    """Create the files the probe URLs name (``missing.txt`` stays missing).
    Directory URLs go first: a path probed both as ``/x/`` and as ``/x`` is a
    directory (the second probe then meets DirectorySlash)."""
    for url in sorted(urls, key=lambda u: not urlsplit(u).path.endswith("/")):
        path = urlsplit(url).path
        if path.endswith("missing.txt"):
            continue
        full = Path(file_for(model, url))
        if path.endswith("/"):
            full = full / "index.html"
        if full.exists() or full.is_dir() or any(p.is_file() for p in full.parents):
            continue
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(file_text(full))


def error_documents(model) -> list[str]:
    """The local ErrorDocument URLs: their pages exist, as in production."""
    out: list[str] = []

    def walk(ctx) -> None:
        out.extend(target for target, _source in ctx.error_documents.values() if target.startswith("/"))
        for child in ctx.sections + ctx.ifs:
            walk(child)

    for host in (model.conf.main, *model.conf.vhosts):
        walk(host.context)
    return out


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[str(p.relative_to(SAMPLES)) for p in SAMPLE_FILES])
def test_sample_answers_match_apache(sample: Path, backend: str) -> None:
    require_apache()
    app = Backend(backend)
    with Upstream(responder=app.respond) as up:
        check_sample(sample, up, app, backend)


@pytest.mark.parametrize("sample", PROXYING_FILES, ids=[str(p.relative_to(SAMPLES)) for p in PROXYING_FILES])
def test_sample_answers_match_apache_backend_down(sample: Path) -> None:
    """The backend is down (its port closed: httpd answers 503 itself and
    ErrorDocument applies); the model is told so (`simulate --upstream-down`)."""
    require_apache()
    down = Upstream.closed()
    check_sample(sample, down, DOWN, "down")


def check_sample(sample: Path, up: Upstream, app, backend: str) -> None:
    """Every scope's answers, from Apache running the sample and from the model."""
    htaccess = htaccess_of(sample)
    with ConfApache(
            rewrite(sample.read_text()), prefix_files=snippets(), upstream=up,
            htaccess={"": htaccess} if htaccess is not None else None) as apache:
        model = load(apache.conf_path)
        assert not model.parsed.errors, model.parsed.errors
        if htaccess is not None:
            errors = model.add_htaccess(apache.root, os.path.join(apache.root, ".htaccess"))
            assert not errors, errors
        scopes = [s for s in model.scopes() if urlsplit(s.url).port == apache.port]
        assert scopes, f"{sample.name}: the model lists no scope"
        plan = [(scope, probe_paths(scope)) for scope in scopes]
        create_files(model, [urlsplit(s.url)._replace(path=p).geturl() for s, paths in plan
                             for p in paths + error_documents(model)])
        problems = []
        count = 0
        for scope, paths in plan:
            parts = urlsplit(scope.url)
            n, found = differences(apache, model, [f"{parts.scheme}://{parts.netloc}{p}" for p in paths],
                                   (trusted_origin(scope), HOSTILE, NULL), app.for_model)
            count, problems = count + n, problems + found
        assert count
        if problems:
            pytest.fail(f"{sample.name} ({backend} backend): {len(problems)} of {count} answers differ from "
                        f"Apache\n" + "\n".join(problems), pytrace=False)


def test_require_ip_refuses_other_clients() -> None:
    """`Require ip 127.0.0.1` (good-local-only-admin): for a client from
    another address, what the lint assumes for every remote client, Apache
    and the model both answer the preflight and the GET with 403."""
    require_apache()
    sample = SAMPLES / "good-local-only-admin.conf"
    app = Backend("ok")
    with Upstream(responder=app.respond) as up, ConfApache(rewrite(sample.read_text()), prefix_files=snippets(),
                                                           upstream=up) as apache:
        model = load(apache.conf_path)
        assert not model.parsed.errors, model.parsed.errors
        scope = next(s for s in model.scopes() if urlsplit(s.url).port == apache.port and "/metrics/" in s.url)
        _, problems = differences(apache, model, [scope.url], ("https://dashboard.example.com", HOSTILE),
                                  app.for_model, client_addr=OTHER_CLIENT_ADDR)
        assert not problems, "\n".join(problems)
        host = urlsplit(scope.url).netloc
        statuses = {apache.request(method, "/metrics/", host=host, source=OTHER_CLIENT_ADDR)[0]
                    for method in ("GET", "OPTIONS")}
        assert statuses == {403}
