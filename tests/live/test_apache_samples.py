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
Access-Control-Allow-Origin and Vary).  Status and the ordered values of
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
from corslint.nginx.evaluate import Upstream as ModelUpstream
from corslint.nginx.regex import example_for

from .apache_compare import (
    HOSTILE,
    KINDS,
    NULL,
    TRUSTED_FALLBACK,
    ConfApache,
    compare,
    file_for,
)
from .apache_harness import Upstream, adapt_site_config, require_apache

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "apache"
SNIPPETS = "conf-available"
SAMPLE_FILES = sorted([*SAMPLES.glob("*.conf"), *SAMPLES.glob("*/site.conf")])

#: what the test backend answers (its own CORS headers, so replacing and
#: duplicates show), per method: "ok" answers OPTIONS with a 204 preflight
#: answer and the rest with a 200; "error" answers everything with a 500
BACKENDS = {
    "ok": {"OPTIONS": (204, [("Access-Control-Allow-Origin", "https://backend.example"),
                             ("Access-Control-Allow-Methods", "GET, POST"), ("Vary", "Origin")]),
           "*": (200, [("Access-Control-Allow-Origin", "https://backend.example"),
                       ("Access-Control-Allow-Credentials", "true"), ("Vary", "Accept-Encoding"),
                       ("Content-Type", "application/json"), ("Content-Length", "12")])},
    "error": {"*": (500, [("Access-Control-Allow-Origin", "https://backend.example"), ("Vary", "Origin"),
                          ("Content-Type", "application/json"), ("Content-Length", "12")])},
}


class Backend:
    def __init__(self, name: str):
        self.table = BACKENDS[name]

    def answer(self, method: str) -> tuple[int, list[tuple[str, str]]]:
        return self.table.get(method, self.table["*"])

    def respond(self, method: str, path: str, headers):
        status, hdrs = self.answer(method)
        return status, hdrs, b"" if status == 204 else b'{"ok": true}'

    def for_model(self, method: str) -> ModelUpstream:
        status, hdrs = self.answer(method)
        return ModelUpstream(status, list(hdrs))


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


def trusted_origin(scope) -> str:
    """An origin the configuration allows: a literal one, else one its regex admits."""
    for origin in scope.literal_origins:
        if re.match(r"^https?://[^/\s*$,]+$", origin) and origin != HOSTILE:
            return origin
    for pattern in scope.origin_patterns:
        for example in example_for(pattern.regex):
            if re.match(r"^https?://[^/\s]+$", example):
                return example
    return TRUSTED_FALLBACK


def probe_paths(scope) -> list[str]:
    """The scope path plus, for a directory URL, a present and a missing file."""
    path = urlsplit(scope.url).path
    paths = [path]
    if path.endswith("/"):
        paths += [path + "data.json", path + "missing.txt"]
    return paths


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
        full.write_text('{"sample": "file contents for the live test"}\n' if full.suffix == ".json"
                        else "<!doctype html><title>live test file</title>\n")


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[str(p.relative_to(SAMPLES)) for p in SAMPLE_FILES])
def test_sample_answers_match_apache(sample: Path, backend: str) -> None:
    require_apache()
    app = Backend(backend)
    htaccess = htaccess_of(sample)
    with Upstream(responder=app.respond) as up, ConfApache(
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
        create_files(model, [urlsplit(s.url)._replace(path=p).geturl() for s, paths in plan for p in paths])
        problems = []
        count = 0
        for scope, paths in plan:
            parts = urlsplit(scope.url)
            for path in paths:
                url = f"{parts.scheme}://{parts.netloc}{path}"
                for origin in (trusted_origin(scope), HOSTILE, NULL):
                    for kind in KINDS:
                        count += 1
                        diff = compare(apache, model, url, origin, kind, app.for_model,
                                       label=f"{kind[0]} from {origin}:")
                        if diff:
                            problems.append(diff)
        assert count
        if problems:
            pytest.fail(f"{sample.name} ({backend} backend): {len(problems)} of {count} answers differ from "
                        f"Apache\n" + "\n".join(problems), pytrace=False)
