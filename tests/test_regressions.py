"""Minimal inputs for every crash, hang and silent pass the fuzzing of
tests/test_fuzz.py (and the hostile-input review of issue 8) found.

Each test names what went wrong before the fix; all run in-process under a
time limit, so a hang comes back as a failure instead of a stuck suite.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from corslint.config import Settings
from corslint.engine import lint
from support import time_limit



def run(tmp_path: Path, name: str, content: bytes | str, kind: str | None = None, seconds: float = 20):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with time_limit(seconds):
        report = lint([str(path)], Settings(), kind)
    for error in report.errors:
        assert "internal error" not in error.message, error
    return report


# -- crashes --------------------------------------------------------------------------------

def test_express_invalid_utf8_inside_a_string_literal(tmp_path):
    """UnicodeDecodeError in the JS reader: tree-sitter accepts the byte inside
    a string, the value reader decoded it strictly.  Node reads it as U+FFFD."""
    report = run(tmp_path, "app.js", b"const cors = require('cors');\napp.get('\xff/a', cors(), h);\n", "express")
    assert report.errors == []


def test_express_invalid_utf8_outside_strings_is_a_syntax_error(tmp_path):
    """Decoding first (the first fix) hid the byte from the parser: a silent pass of
    a file Node refuses (`SyntaxError: Invalid or unexpected token`)."""
    report = run(tmp_path, "app.js", b"\xff// x\nconst cors = require('cors');\napp.use(cors());\n", "express")
    assert [e.line for e in report.errors] == [1]


def test_serverless_origin_that_is_no_regex(tmp_path):
    """re.error from compiling a Serverless `cors.origins` entry with `(`."""
    report = run(tmp_path, "serverless.yml", textwrap.dedent("""\
        service: s
        functions:
          f:
            handler: h.f
            events:
              - http:
                  path: a
                  method: get
                  cors:
                    origins:
                      - "https://(a.example"
        """), "yaml")
    assert report.errors == []


# -- hangs -----------------------------------------------------------------------------------

def test_ingress_nginx_invalid_methods_annotation_does_not_backtrack(tmp_path):
    """The validation regex `^([A-Za-z]+,?\\s?)+$` (RE2 in ingress-nginx) backtracked
    exponentially in Python on a long word that fails at its end."""
    report = run(tmp_path, "ingress.yaml", textwrap.dedent(f"""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: api
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-methods: "{"GET" * 40}!"
            nginx.ingress.kubernetes.io/cors-allow-headers: "{"X-A" * 40}!"
            nginx.ingress.kubernetes.io/cors-expose-headers: "{"X-A" * 40}!"
            nginx.ingress.kubernetes.io/cors-allow-origin: "https://{"a" * 60}!"
        spec:
          rules:
          - host: api.example.com
        """), "yaml", seconds=10)
    assert any("cors-allow-methods" in f.message for f in report.findings)


def test_ingress_nginx_validation_regexes_are_equivalent():
    """The linear spellings accept exactly what ingress-nginx's patterns accept."""
    import re

    from corslint.platforms import ingress_nginx as ing

    original = {ing.ORIGIN_VALUE: r"^((((https?://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)+)|\*)?$",
                ing.METHODS: r"^([A-Za-z]+,?\s?)+$", ing.HEADERS: r"^([A-Za-z0-9\-_]+,?\s?)+$",
                ing.EXPOSE: r"^(([A-Za-z0-9\-_]+|\*),?\s?)+$"}
    import itertools

    alphabet = "hts:/*.,a0- \n"
    for length in range(0, 6):
        for chars in itertools.product(alphabet, repeat=length):
            text = "".join(chars)
            for linear, pattern in original.items():
                assert bool(linear.match(text)) == bool(re.match(pattern, text)), (pattern, text)
    for text in ("https://a.example, http://*.b.example:8080", "http:80://", "xhttp://a", "https:///", "*"):
        assert bool(ing.ORIGIN_VALUE.match(text)) == bool(re.match(original[ing.ORIGIN_VALUE], text)), text


def test_nginx_catastrophic_location_regex(tmp_path):
    """`location ~ (a|aa)+$` tried on the probe URL of a prefix location `/aaaa...!`
    never returned; now the match runs within a time budget and the pattern is
    reported (file:line) as too slow to analyse.  (`(a+)+$` was the example:
    `regex`, the guard's engine, answers that one at once.)"""
    report = run(tmp_path, "site.conf", textwrap.dedent(f"""\
        server {{
            listen 80;
            location /{"a" * 40}! {{ return 200; }}
            location ~ (a|aa)+$ {{
                add_header Access-Control-Allow-Origin *;
                return 200;
            }}
        }}
        """), "nginx", seconds=15)
    assert [(e.line, "backtracks" in e.message) for e in report.errors] == [(4, True)]


def test_yaml_alias_bomb(tmp_path):
    """A "billion laughs": nine lines of aliases expand to 10**9 values that the
    lowerings walked."""
    lines = ["apiVersion: networking.k8s.io/v1", "kind: Ingress", "metadata:", "  annotations:",
             '    nginx.ingress.kubernetes.io/enable-cors: "true"', "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    report = run(tmp_path, "bomb.yaml", "\n".join(lines) + "\nspec: {x: *a8}\n", "yaml", seconds=10)
    assert len(report.errors) == 1 and "alias" in report.errors[0].message


def test_yaml_recursive_alias(tmp_path):
    report = run(tmp_path, "rec.yaml", "apiVersion: v1\nkind: Ingress\nmetadata:\n  annotations: &a\n    x: *a\n",
                 "yaml")
    assert [e.line for e in report.errors] == [4]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_in_a_folder_is_not_opened(tmp_path):
    """Classifying a FIFO found in a folder opened it, which blocks forever."""
    os.mkfifo(tmp_path / "pipe.conf")
    (tmp_path / "site.conf").write_text("server {\n    listen 80;\n}\n")
    with time_limit(10):
        report = lint([str(tmp_path)], Settings())
    assert report.errors == [] and report.files == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_given_explicitly_is_an_input_error(tmp_path):
    os.mkfifo(tmp_path / "pipe.conf")
    with time_limit(10):
        report = lint([str(tmp_path / "pipe.conf")], Settings())
    assert len(report.errors) == 1 and "not a regular file" in report.errors[0].message


# -- wrong verdicts on a byte-order mark ---------------------------------------------------

@pytest.mark.parametrize("name, kind", [("settings.py", "django"), ("app.py", "flask"), ("main.py", "starlette")])
def test_python_with_a_bom_is_valid_python(tmp_path, name, kind):
    """Python skips a UTF-8 BOM; the readers reported `invalid non-printable character U+FEFF`."""
    report = run(tmp_path, name, b"\xef\xbb\xbfx = 1\n", kind)
    assert report.errors == []


@pytest.mark.parametrize("name, kind", [("settings.py", "django"), ("app.py", "flask"), ("main.py", "starlette")])
def test_python_truncated_to_half_a_bom_is_an_error(tmp_path, name, kind):
    """The `utf-8-sig` codec turns a lone `\\xef` into an empty text: a silent pass."""
    report = run(tmp_path, name, b"\xef", kind)
    assert len(report.errors) == 1


def test_nginx_with_a_bom_is_an_error(tmp_path):
    """nginx reads the BOM as part of the first directive (`unknown directive "\\ufeffserver"`);
    the linter ignored the unknown directive and passed the file."""
    report = run(tmp_path, "site.conf", b"\xef\xbb\xbfserver {\n    listen 80;\n}\n", "nginx")
    assert [e.line for e in report.errors] == [1] and "byte order mark" in report.errors[0].message


def test_apache_with_a_bom_is_valid(tmp_path):
    """httpd skips a UTF-8 BOM; the grammar refused `\\ufeffHeader`."""
    report = run(tmp_path, "site.conf", b"\xef\xbb\xbfHeader set X-A b\n", "apache")
    assert report.errors == []


def test_yaml_and_toml_with_a_bom_are_valid(tmp_path):
    report = run(tmp_path, "t.toml", b"\xef\xbb\xbf[http.middlewares.x.headers]\naccessControlAllowOriginList = "
                                      b"['https://a.example']\n", "yaml")
    assert report.errors == []
    report = run(tmp_path, "i.yaml", b"\xef\xbb\xbfapiVersion: networking.k8s.io/v1\nkind: Ingress\n", "yaml")
    assert report.errors == []


# -- messages without a line -----------------------------------------------------------------

def test_nginx_blocks_nested_too_deep_name_a_line(tmp_path):
    """crossplane's RecursionError came out as 'maximum recursion depth exceeded'
    with no line; 150 levels passed crossplane and overflowed the lowering."""
    for depth in (150, 5000):
        report = run(tmp_path, f"deep{depth}.conf", "http {\n" + "location / {\n" * depth + "}\n" * depth + "}\n",
                     "nginx")
        assert [e.line for e in report.errors] == [101], report.errors
        assert "nested deeper" in report.errors[0].message


@pytest.mark.parametrize("name, kind", [("settings.py", "django"), ("app.py", "flask"), ("main.py", "starlette")])
def test_python_parser_memory_error_on_199_brackets(tmp_path, name, kind):
    """CPython 3.11's parser raises MemoryError (not SyntaxError) on 199 open
    brackets before a string; the readers let it through (an empty message)."""
    report = run(tmp_path, name, b"[" * 199 + b'"""doc"""\n', kind)
    assert len(report.errors) == 1 and report.errors[0].line == 1 and report.errors[0].message


@pytest.mark.parametrize("package", ["[1]", '{"dependencies": ["express"]}', '{"dependencies": {"express": null}}',
                                     "[" * 100_000 + "]" * 100_000, '"x"'])
def test_express_odd_package_json(tmp_path, package):
    """AttributeError (a list where an object was expected) and RecursionError
    (deep nesting) reading the package.json next to an Express app."""
    (tmp_path / "package.json").write_text(package)
    report = run(tmp_path, "app.js", "const cors = require('cors');\nconst app = require('express')();\n"
                                     "app.use(cors());\n", "express")
    assert report.errors == []


def test_long_origin_pattern_is_not_scanned_quadratically(tmp_path):
    """`SetEnvIf Origin "^aaaa…"` with a 200 kB word: the host-name scan of the
    pattern (origins.hosts_spelled) backtracked quadratically: 485 s.  PCRE2
    finds the pattern too large, so httpd refuses it (checked with
    `apache2 -t`): one input error, its message not 200 kB long."""
    report = run(tmp_path, "site.conf", 'SetEnvIf Origin "^' + "a" * 150_000 + "\xff" + "a" * 50_000
                 + '" ORIGIN_OK=1\nHeader always set Access-Control-Allow-Origin "%{ORIGIN}e" env=ORIGIN_OK\n'
                 'Header always set Access-Control-Allow-Origin "https://' + "b" * 100_000 + '!"\n',
                 "apache", seconds=10)
    assert [(e.line, e.message[:37]) for e in report.errors] == [(1, "SetEnvIf regex could not be compiled.")]
    assert len(report.errors[0].message) < 400


@pytest.mark.parametrize("name, kind, text", [
    ("site.conf", "nginx", "server {\n    listen 80;\n    server_name [data.example.org;\n"
                           "    location / { add_header Access-Control-Allow-Origin *; }\n}\n"),
    ("big-port.conf", "nginx", "server {\n    listen 99999;\n    location / { add_header Access-Control-Allow-Origin *; }\n}\n"),
    ("vhost.conf", "apache", "<VirtualHost *:80>\n    ServerName[ docs.example.com\n"
                             "    Header always set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n"),
    ("port.conf", "apache", "<VirtualHost *:99999>\n    Header always set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n"),
])
def test_server_name_or_port_that_makes_no_url(tmp_path, name, kind, text):
    """`ValueError: Invalid IPv6 URL` (or `Port out of range`) in every rule: the
    probe URL was built from a server name no browser can send."""
    report = run(tmp_path, name, text, kind)
    assert report.errors == []


@pytest.mark.parametrize("text", [
    # SAM: `Events` that is a string
    "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
    "    Properties:\n      Events: U\n",
    # Traefik CRD: `metadata` that is a string
    "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: cors\nspec:\n  headers:\n"
    "    accessControlAllowOriginList: ['https://a.example']\n",
])
def test_manifest_value_of_the_wrong_type(tmp_path, text):
    """AttributeError: 'str' object has no attribute 'values' / 'get'."""
    report = run(tmp_path, "manifest.yaml", text, "yaml")
    assert report.errors == []


def test_input_error_survives_the_second_judging_process():
    """A model of 1500+ scopes is judged by a forked child that pickles its
    errors back: unpickling InputError raised TypeError (`__init__() missing
    2 required positional arguments`), so any error there crashed the run."""
    import pickle

    from corslint.diagnostics import InputError

    error = pickle.loads(pickle.dumps(InputError("a.conf", 3, "message", 7)))
    assert (error.path, error.line, error.message, error.column, str(error)) == \
        ("a.conf", 3, "message", 7, "a.conf:3:7: message")


def test_errors_from_the_forked_judge_reach_the_report(tmp_path):
    """The same through the engine: a big config whose catastrophic regex is met in both shares."""
    from corslint import engine

    servers = "".join(f"server {{\n    listen 80;\n    server_name s{i}.example;\n"
                      f"    location /{'a' * 40}! {{ return 200; }}\n"
                      f"    location ~ (a|aa)+$ {{ add_header Access-Control-Allow-Origin *; }}\n}}\n" for i in range(800))
    path = tmp_path / "big.conf"
    path.write_text(servers)
    with time_limit(120):
        report = lint([str(path)], Settings(), "nginx")
    assert engine.load_model(str(path), "nginx").size() >= engine.PARALLEL_MIN_SCOPES
    assert report.errors and all("backtracks" in e.message for e in report.errors)
    assert len({str(e) for e in report.errors}) == len(report.errors)


def test_apache_location_that_is_no_path(tmp_path):
    """`<Location [/api/>` made the probe URL `http://host[/api/`: ValueError
    (Invalid IPv6 URL) in every rule."""
    report = run(tmp_path, "site.conf", "<VirtualHost *:80>\n    ServerName reports.example.com\n"
                                        "    <Location [/api/>\n        Header always set Access-Control-Allow-Origin \"*\"\n"
                                        "    </Location>\n</VirtualHost>\n", "apache")
    assert report.errors == []


@pytest.mark.parametrize("workers", [2, 3])
def test_split_judging_reports_what_one_process_reports(tmp_path, monkeypatch, workers):
    """Any number of judging processes gives the very same report."""
    from corslint import engine

    servers = "".join(
        f"server {{\n    listen 80;\n    server_name s{i}.example.com;\n"
        f"    location /api/ {{\n"
        f"        add_header Access-Control-Allow-Origin {'$http_origin' if i % 3 else '*'};\n"
        f"        add_header Access-Control-Allow-Credentials true;\n"
        f"        proxy_pass http://127.0.0.1:{8000 + i % 7};\n    }}\n"
        f"    location /static/ {{ root /srv/www; add_header Access-Control-Allow-Origin *; }}\n"
        f"    location = /health {{ return 200; }}\n}}\n" for i in range(600))
    path = tmp_path / "big.conf"
    path.write_text(servers)
    assert engine.load_model(str(path), "nginx").size() >= engine.PARALLEL_MIN_SCOPES

    def report(count: int):
        monkeypatch.setattr(engine, "_workers", lambda model: count)
        with time_limit(120):
            result = lint([str(path)], Settings(), "nginx")
        return [(f.path, f.line, f.code, f.message, str(f.request)) for f in result.findings], result.errors

    alone = report(1)
    assert alone[0] and not alone[1]
    assert report(workers) == alone


@pytest.mark.parametrize("name, kind, text", [
    ("site.conf", "nginx", "server {\n    include \0snippets/cors.conf;\n}\n"),
    ("site.conf", "apache", "<VirtualHost *:80>\nInclude \0conf/cors.conf\n</VirtualHost>\n"),
])
def test_an_include_path_with_a_nul_byte_names_no_file(tmp_path, name, kind, text):
    """`include \\0h5bp/...` (the fuzz test found it) raised ValueError from
    os.path.realpath out of the reader: a path with a NUL byte names no file."""
    from corslint.engine import load_model

    path = tmp_path / name
    path.write_text(text)
    model = load_model(str(path), kind)
    assert model.parsed.errors == []
    notices = [n.message for n in model.parsed.notices]    # a missing include: a notice at its line
    assert len(notices) == 1 and "no such file" in notices[0], notices


def test_apache_rewrite_flag_reading_an_unknown_server_variable_is_uncertain_not_a_crash(tmp_path):
    """`[E=REGION:${map:%{REMOTE_ADDR}}]` (openstreetmap's chef templates): %{REMOTE_ADDR} is not known
    statically; the rule's effect is uncertain, never an internal error of every rule."""
    from support import corslint

    (tmp_path / "site.conf").write_text(
        "<VirtualHost *:443>\n  ServerName a.example\n  RewriteEngine on\n  RewriteMap ip2region prg:/x\n"
        "  RewriteRule .* - [E=REGION:${ip2region:%{REMOTE_ADDR}|eu}]\n"
        "  RewriteRule ^/old/(.*)$ /%{REMOTE_ADDR}/$1 [R,L]\n"
        "  Header always set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n")
    result = corslint("--type", "apache", "site.conf", cwd=tmp_path)
    assert "internal error" not in result.stdout + result.stderr and result.returncode in (0, 1), result.stderr


def test_if_dropping_an_add_header_that_headers_more_still_sends_is_not_cors403(tmp_path):
    """Field (seanmalter/NGINX-https-proxy, checked on nginx 1.22 with headers-more):
    server-level `more_set_headers 'Access-Control-Allow-Origin: *'` and a location whose
    OPTIONS `if` has its own add_header lines.  The `if` drops the location's `add_header
    Access-Control-Allow-Origin *`, but the 204 still carries the header from headers-more:
    nothing is lost (no CORS403).  The 200 carries it twice (CORS402)."""
    from support import corslint

    (tmp_path / "default.conf").write_text(
        "server {\n  listen 80;\n  more_set_headers 'Access-Control-Allow-Origin: *';\n"
        "  more_set_headers 'Access-Control-Allow-Methods: GET, POST, OPTIONS';\n"
        "  location /api/ {\n    if ($request_method = OPTIONS) {\n      add_header Content-Type text/plain;\n"
        "      return 204;\n    }\n    add_header Access-Control-Allow-Origin *;\n"
        "    proxy_pass http://127.0.0.1:8000;\n  }\n}\n")
    result = corslint("default.conf", cwd=tmp_path)
    assert "CORS403" not in result.stdout, result.stdout
    assert "default.conf:10: CORS402" in result.stdout, result.stdout


def test_a_configured_regex_python_warns_about_prints_no_warning(tmp_path):
    """`[[` in a configured pattern makes Python's re print "FutureWarning:
    Possible nested set" on stderr: the pattern is the checkout's, and
    nothing but corslint's own messages may reach the user's stderr."""
    from support import corslint

    (tmp_path / "site.conf").write_text(
        "map $http_origin $cors {\n    default \"\";\n    \"~^https://[[a-z]+\\.example\\.com$\" $http_origin;\n}\n"
        "server {\n    listen 80;\n    location / {\n        add_header Access-Control-Allow-Origin $cors always;\n"
        "        add_header Vary Origin always;\n        return 200;\n    }\n}\n")
    result = corslint("site.conf", cwd=tmp_path)
    assert "Warning" not in result.stderr, result.stderr
