"""Acceptance: corslint calls a configuration an input error exactly when
the real server (or node, or Python's `re`) refuses to load it, at the line
the server names, in the server's words.

A differential over a property list of tricky patterns (PCRE syntax Python
spells differently or lacks, patterns every engine refuses, JavaScript's
own syntax): each pattern is put in a generated configuration, the real
judge is asked (`nginx -t` with the pattern as a `map` key, `apache2 -t`
with it in `SetEnvIf`, `node --check` with it as a regex literal, Python's
`re.compile` for django-cors-headers), and corslint's verdict on the very
same file must agree.  nginx directive contexts get the same treatment, and
every `expect: error` sample is refused by its server at the annotated line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corslint.config import Settings
from corslint.engine import lint

from . import test_django_live
from .apache_compare import ConfApache
from .apache_harness import ApacheServer, require_apache, vhost_block
from .model_compare import refused_sample
from .nginx_compare import RawNginx
from .nginx_harness import NginxServer, Upstream, require_nginx, server_block
from .server_process import CHECK_TIMEOUT
from .test_apache_samples import rewrite as apache_rewrite
from .test_apache_samples import snippets
from .test_nginx_samples import prepare

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
#: the fixture that configures Django once for the process (the answer test's)
django_project = test_django_live.django_project

#: PCRE2 patterns: refused by every engine, PCRE-only syntax nginx and httpd
#: accept (Python's `re` refuses or reads them otherwise), and plain ones
PCRE_PATTERNS = [
    r"^https?://(localhost|test\.example\.ai",      # the map key
    r"^https://(a|b))$", r"^https://[z-a]+$", r"*.example\.com$", r"^https://a{3,2}$",
    r"^https://(?<n>a)(?<n>b)$", r"^https://\g{2}$", r"^https://[[:alpha:]$", r"^https://(?<1a>x)$",
    r"^https://\K(?<tenant>[a-z]+)\.example\.com$", r"^https://(?|a|b)\.example\.com$",
    r"^https://[a-z]++\.example\.com$", r"^https://(?>app|admin)\.example\.com$",
    r"(*UTF)^https://\p{L}+\.example\.com$", r"^https://[[:alnum:]-]+\.example\.com$",
    r"^https://\Qa.b\E$", r"^https://a{,3}$", r"^https://(?P<n>a)(?P=n)$", r"^https://x{2$",
    r"^https://(?i)APP\.example\.com$", r"^https://(?#comment)app\.example\.com$", r"^https://[\w-]+$",
    r"^https://a\\(b$",   # the servers' readers make `\\(` an escaped `(`; Python's re sees a group
]

#: JavaScript regex literals whose verdict corslint gives: refused by V8 and
#: Python's `re` alike, or accepted by V8 (whatever Python says)
JS_PATTERNS = [
    r"^https:\/\/(a|b\.example\.com$", r"^https:\/\/(a|b))$", r"+\.example\.com$", r"^a**$",
    r"^https:\/\/[z-a]$", r"^a{3,2}$", r"^https:\/\/[a-z$", r"(?<n>a)(?<n>b)",
    r"^https:\/\/(?<tenant>[a-z]+)\.example\.com$", r"[]", r"[^]", r"[\w-a]", r"\p{L}", r"a{", r"a{,3}",
    r"^https:\/\/app\.example\.com$", r"\k<x>", r"(?=a)*",
]
JS_FLAGS = ["", "i", "gi", "ii", "x"]
#: what node refuses and corslint does not judge (V8-only refusals, never a
#: false input error): held here so a change either way is seen
JS_UNJUDGED = [r"(?P<n>a)", r"(?>a)", r"(?i)a"]
#: a possessive repeat: Python 3.10's `re` refuses it as V8 does ("multiple repeat"), 3.11's reads it
POSSESSIVE = [r"a++"]
if sys.version_info >= (3, 11):
    JS_UNJUDGED += POSSESSIVE
else:
    JS_PATTERNS += POSSESSIVE

#: nginx directives in a full configuration: in contexts nginx refuses, and in ones it accepts
CONTEXT_CASES = {
    "if-in-http": 'http {\n    if ($http_origin) { set $a 1; }\n}\n',
    "add_header-in-events": 'events {\n    add_header X-A 1;\n}\nhttp {\n}\n',
    "location-at-top": 'location / { return 200; }\nhttp {\n}\n',
    "proxy_pass-in-server": 'http {\n    server {\n        listen 127.0.0.1:@@PORT@@;\n'
                            '        proxy_pass http://127.0.0.1:9;\n    }\n}\n',
    "add_header-in-server-if": 'http {\n    server {\n        listen 127.0.0.1:@@PORT@@;\n'
                               '        if ($http_origin) { add_header X-A 1; }\n    }\n}\n',
    "allowed": 'http {\n    add_header X-A 1;\n    server {\n        listen 127.0.0.1:@@PORT@@;\n'
               '        location / {\n            if ($http_origin) { add_header X-B 1; }\n'
               '            limit_except GET { deny all; }\n            location /x { return 204; }\n'
               '        }\n    }\n}\n',
    "third-party-module": 'http {\n    more_set_headers "X-A: 1";\n    server {\n'
                          '        listen 127.0.0.1:@@PORT@@;\n        more_clear_headers Server;\n    }\n}\n',
    "return-without-semicolon": 'http {\n    server {\n        listen 127.0.0.1:@@PORT@@;\n'
                                '        location / {\n            return 204\n        }\n    }\n}\n',
}


def _errors(path: Path, kind: str | None = None) -> list[tuple[int, str]]:
    """corslint's input errors on one file: (line, message)."""
    report = lint([str(path)], Settings(), forced_kind=kind)
    return sorted((e.line, e.message) for e in report.errors if e.path == str(path))


def _nginx_said(refusal: str | None) -> tuple[int, str, str] | None:
    """(line, message, file) of `nginx -t`'s [emerg], or None when it accepted the file."""
    if refusal is None:
        return None
    m = re.search(r"\[emerg\] (.*) in (\S+):(\d+)$", refusal, re.MULTILINE)
    assert m, refusal
    return int(m.group(3)), m.group(1), m.group(2)


def _apache_said(refusal: str | None) -> tuple[int, str] | None:
    if refusal is None:
        return None
    m = re.search(r"Syntax error on line (\d+) of \S+:\n(.*)", refusal)
    assert m, refusal
    return int(m.group(1)), m.group(2).replace("\\\\", "\\")   # httpd's log doubles each backslash


def _annotated(sample: Path) -> tuple[int, str]:
    """(line, text) of the line a sample's `expect: error` names."""
    lines = sample.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        m = re.search(r"expect(-next-line)?:\s*error", line)
        if m:
            target = number + 1 if m.group(1) else number
            return target, lines[target - 1]
    raise AssertionError(f"{sample}: no `expect: error`")


def _same_directive(a: str, b: str) -> bool:
    """Two lines hold the same directive (a trailing `# expect` comment aside)."""
    return a.split("#")[0].split("//")[0].strip() == b.split("#")[0].split("//")[0].strip()


# -- nginx ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", PCRE_PATTERNS)
def test_nginx_map_regex_verdict(pattern: str, tmp_path: Path) -> None:
    require_nginx()
    server = NginxServer('map $http_origin $cors_origin {\n    default "";\n'
                         f'    "~{pattern}" $http_origin;\n}}\n'
                         + server_block("    add_header Access-Control-Allow-Origin $cors_origin;"),
                         headers_more=False)
    _nginx_agrees(server, tmp_path, repr(pattern))


@pytest.mark.parametrize("case", sorted(CONTEXT_CASES))
def test_nginx_context_verdict(case: str, tmp_path: Path) -> None:
    require_nginx(headers_more=True)
    text = CONTEXT_CASES[case]
    if "events" not in text:
        text = "events { worker_connections 64; }\n" + text
    server = RawNginx(lambda _server: text)
    _nginx_agrees(server, tmp_path, case)


def _nginx_agrees(server, tmp_path: Path, what: str) -> None:
    """`nginx -t` on the server's configuration and corslint on the same
    file: the same (line, message), or both accept it."""
    said = _nginx_said(server.refusal())
    conf = tmp_path / "nginx.conf"
    conf.write_text(server.config_text)
    errors = _errors(conf)
    if said is None:
        assert errors == [], f"nginx accepts {what}; corslint: {errors}"
    else:
        assert errors == [said[:2]], f"nginx: {said}; corslint: {errors}"


NGINX_REFUSED = sorted(p for p in (SAMPLES / "nginx").glob("*.conf") if refused_sample(p))


@pytest.mark.parametrize("sample", NGINX_REFUSED, ids=lambda p: p.name)
def test_nginx_refuses_sample_where_corslint_says(sample: Path) -> None:
    require_nginx(headers_more=True)
    with Upstream() as up:
        server = RawNginx(lambda s: prepare(s, sample), upstream=up)
        said = _nginx_said(server.refusal())
    assert said is not None, f"{sample.name}: nginx accepts it"
    line, message, _file = said
    annotated, text = _annotated(sample)
    # the sandbox may add lines above a full configuration's own: the refused line's text is compared
    checked = server.config_text.splitlines()[line - 1] if _file.endswith("nginx.conf") else text
    assert _same_directive(checked, text), (said, text)
    assert _errors(sample) == [(annotated, message)]


# -- Apache ---------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", PCRE_PATTERNS)
def test_apache_setenvif_regex_verdict(pattern: str, tmp_path: Path) -> None:
    require_apache()
    server = ApacheServer(vhost_block(f'    SetEnvIf Origin "{pattern}" CORS_ORIGIN=$0\n'
                                      '    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN'))
    said = _apache_said(server.refusal())
    conf = tmp_path / "httpd.conf"
    conf.write_text(server.config_text)
    errors = _errors(conf, "apache")
    if said is None:
        assert errors == [], f"httpd accepts {pattern!r}; corslint: {errors}"
    else:
        assert len(errors) == 1 and errors[0][0] == said[0] and errors[0][1].startswith(said[1]), (said, errors)


APACHE_REFUSED = sorted(p for p in (SAMPLES / "apache").glob("*.conf") if refused_sample(p))


@pytest.mark.parametrize("sample", APACHE_REFUSED, ids=lambda p: p.name)
def test_apache_refuses_sample_where_corslint_says(sample: Path) -> None:
    require_apache()
    with Upstream() as up:
        server = ConfApache(apache_rewrite(sample.read_text()), prefix_files=snippets(), upstream=up)
        said = _apache_said(server.refusal())
    assert said is not None, f"{sample.name}: httpd accepts it"
    annotated, text = _annotated(sample)
    assert _same_directive(server.config_text.splitlines()[said[0] - 1], text), (said, text)
    errors = _errors(sample)
    assert len(errors) == 1 and errors[0][0] == annotated and errors[0][1].startswith(said[1]), (said, errors)


# -- node -----------------------------------------------------------------------------------

def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    return node


def _node_said(path: Path) -> tuple[int, str] | None:
    """(line, SyntaxError text) of `node --check`, or None when it loads the file."""
    run = subprocess.run([_node(), "--check", str(path)], capture_output=True, text=True, timeout=CHECK_TIMEOUT)
    if run.returncode == 0:
        return None
    line = re.search(rf"{re.escape(str(path))}:(\d+)", run.stderr)
    error = re.search(r"^(SyntaxError: .*)$", run.stderr, re.MULTILINE)
    assert line and error, run.stderr
    return int(line.group(1)), error.group(1)


@pytest.mark.parametrize("flags", JS_FLAGS)
@pytest.mark.parametrize("pattern", JS_PATTERNS)
def test_node_regex_literal_verdict(pattern: str, flags: str, tmp_path: Path) -> None:
    source = tmp_path / "app.js"
    source.write_text(f"const cors = require('cors');\nconst origin = /{pattern}/{flags};\n"
                      "module.exports = cors({ origin });\n")
    said = _node_said(source)
    errors = _errors(source, "express")
    if said is None:
        assert errors == [], f"node loads /{pattern}/{flags}; corslint: {errors}"
    else:   # a literal node cannot even find the end of (`[a-z$/`) is a tokenizer error for both, in their words
        assert errors and errors[0][0] == said[0], (said, errors)
        if said[1].startswith("SyntaxError: Invalid regular expression: /"):
            assert errors[0][1].startswith(said[1]), (said, errors)


@pytest.mark.parametrize("pattern", JS_UNJUDGED)
def test_node_only_refusals_are_not_judged(pattern: str, tmp_path: Path) -> None:
    source = tmp_path / "app.js"
    source.write_text(f"const origin = /{pattern}/;\n")
    assert _node_said(source) is not None, f"node now loads /{pattern}/: move it to JS_PATTERNS"
    assert _errors(source, "express") == []


EXPRESS_REFUSED = sorted(p for p in (SAMPLES / "express").glob("*.js") if refused_sample(p))


@pytest.mark.parametrize("sample", EXPRESS_REFUSED, ids=lambda p: p.name)
def test_node_refuses_sample_where_corslint_says(sample: Path) -> None:
    said = _node_said(sample)
    assert said is not None, f"{sample.name}: node loads it"
    errors = _errors(sample)
    assert len(errors) == 1 and errors[0][0] == said[0] == _annotated(sample)[0], (said, errors)
    assert errors[0][1].startswith(said[1]), (said, errors)


# -- Python's re (django-cors-headers) ----------------------------------------------------------

@pytest.mark.parametrize("pattern", PCRE_PATTERNS)
def test_django_regex_verdict(pattern: str, tmp_path: Path) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text('MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]\n'
                        f"CORS_ALLOWED_ORIGIN_REGEXES = [{pattern!r}]\n")
    try:
        re.compile(pattern)
        refused = False
    except re.error:
        refused = True
    errors = _errors(settings, "django")
    assert [line for line, _ in errors] == ([2] if refused else []), errors


DJANGO_REFUSED = sorted(p for p in (SAMPLES / "django").glob("*.py") if refused_sample(p))


@pytest.mark.usefixtures("django_project")
@pytest.mark.parametrize("sample", DJANGO_REFUSED, ids=lambda p: p.name)
def test_django_answers_500_where_corslint_says(sample: Path) -> None:
    """The app starts (no system check error) and a request from an Origin
    outside CORS_ALLOWED_ORIGINS answers 500; corslint names the entry."""
    from django.core import checks
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(**test_django_live._real_settings(sample)):
        assert [m for m in checks.run_checks() if m.id.startswith("corsheaders.")] == []
        response = Client(raise_request_exception=False).get("/x", headers={"origin": "https://evil.example"},
                                                             secure=True, HTTP_HOST="app.example")
        assert response.status_code == 500
    assert [line for line, _ in _errors(sample)] == [_annotated(sample)[0]]
