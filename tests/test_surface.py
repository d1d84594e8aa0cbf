"""`corslint surface`: the policy of the samples as a browser meets it, run
as a user runs it, checked against what each real server sends (read in
the sample and said in each test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import corslint, write

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = "samples"
EXPOSURES = ("any-with-credentials", "pattern-with-credentials", "list-with-credentials", "any", "pattern",
             "list", "unknown", "none")
ACCESS = {"none", "read", "read-credentials", "unknown"}


def surface_json(*args: str, cwd: Path = ROOT, code: int = 0) -> dict:
    result = corslint("surface", "-f", "json", *args, cwd=cwd)
    assert result.returncode == code, result.stderr
    doc = json.loads(result.stdout)
    check_shape(doc)
    return doc


def scopes(doc: dict, path: str | None = None) -> list[dict]:
    found = [dict(scope, site=server["site"]) for server in doc["servers"] for scope in server["scopes"]]
    return [s for s in found if path is None or s["path"] == path]


def check_shape(doc: dict) -> None:
    """The document as surface-contract.md documents it."""
    assert doc["version"] == 1 and doc["tool"]["name"] == "corslint"
    probed = doc["origins_probed"]
    assert len(probed) <= 40 and probed[-2:] == ["https://evil.example", "null"]
    ranks = [EXPOSURES.index(s["exposure"]) for s in doc["servers"]]
    assert ranks == sorted(ranks)
    for server in doc["servers"]:
        assert server["site"].startswith(("http://", "https://")) and isinstance(server["port"], int)
        assert server["host"] in server["site"]
        assert server["exposure"] == server["scopes"][0]["exposure"]
        assert set(server["source"]) == {"path", "line"}
        for scope in server["scopes"]:
            assert set(scope) == {"name", "path", "source", "assumption", "exposure", "origins", "access",
                                  "credentials", "methods", "headers", "exposed", "max_age", "preflight",
                                  "errors_keep_cors", "redirects_keep_cors", "unknowns", "lines"}
            assert scope["origins"]["kind"] in ("none", "any", "reflect-any", "list", "pattern", "unknown")
            assert scope["origins"]["values"] == sorted(scope["origins"]["values"])
            assert list(scope["access"]) == probed and set(scope["access"].values()) <= ACCESS
            assert scope["credentials"] in (True, False, None)
            for name in ("methods", "headers", "exposed"):
                assert scope[name] is None or scope[name] == sorted(scope[name])
            assert set(scope["preflight"]) == {"answered", "status"}
            assert set(scope["lines"]) == {"origins", "credentials", "methods", "headers", "exposed", "max_age",
                                           "preflight"}
            assert not scope["source"]["path"].startswith("/")     # relative to the repository's top level
    for error in doc["errors"]:
        assert set(error) == {"path", "line", "message"}


def test_nginx_reflects_any_origin_with_credentials():
    """The map's `default $http_origin` echoes every Origin, with
    `Allow-Credentials: true`: every site reads /api/ with the user's cookies."""
    doc = surface_json(f"{SAMPLES}/nginx/cors202-map-default-reflects.conf")
    [api] = scopes(doc, "/api/")
    assert api["exposure"] == "any-with-credentials" and api["origins"]["kind"] == "reflect-any"
    assert api["access"]["https://evil.example"] == "read-credentials"
    assert api["credentials"] is True
    assert api["methods"] == ["DELETE", "GET", "OPTIONS", "POST", "PUT"]
    assert api["headers"] == ["content-type", "x-csrf-token"]
    assert api["preflight"] == {"answered": True, "status": 204}
    assert {"path": "samples/nginx/cors202-map-default-reflects.conf", "line": 15} in api["lines"]["credentials"]


def test_nginx_pattern_admits_evil_origins():
    """`~^https://app\\.example\\.com` has no `$`: nginx sends
    `https://app.example.com.evil.example` back, with credentials."""
    doc = surface_json(f"{SAMPLES}/nginx/cors205-map-unanchored.conf")
    [api] = scopes(doc, "/api/")
    assert api["exposure"] == "pattern-with-credentials" and api["origins"]["kind"] == "pattern"
    loose, strict = api["origins"]["patterns"]
    assert loose["regex"] == "^https://app\\.example\\.com" and loose["described"] == \
        "https://app.example.com<anything>"
    assert "https://app.example.com.evil.example" in loose["admits"]
    assert loose["source"] == {"path": "samples/nginx/cors205-map-unanchored.conf", "line": 20}
    assert strict["admits"] == []
    assert "https://app.example.com.evil.example" in doc["origins_probed"]
    assert api["access"]["https://app.example.com.evil.example"] == "read-credentials"
    assert api["access"]["https://evil.example"] == "none"
    assert api["max_age"] == {"sent": 7200, "chromium": 7200, "firefox": 7200, "webkit": 600}
    assert any("proxied backend" in u for u in api["unknowns"])    # proxy_pass http://media_api


def test_nginx_wildcard_and_unanswered_preflight():
    """/datasets/ sends `*` on GET only: the preflight is refused (405, no
    CORS headers), so only simple requests work."""
    doc = surface_json(f"{SAMPLES}/nginx/cors101-static-json-no-preflight.conf")
    [data] = scopes(doc, "/datasets/")
    assert data["origins"]["kind"] == "any" and data["exposure"] == "any"
    assert data["access"]["https://evil.example"] == "read" and data["credentials"] is False
    assert data["preflight"] == {"answered": False, "status": 405}
    assert data["methods"] == [] and data["headers"] == []


def test_nginx_error_page_drops_cors():
    """`error_page 502` answers a backend that is down without the CORS
    headers: the browser reports a CORS error instead of the 502."""
    doc = surface_json(f"{SAMPLES}/nginx/cors404-error-page-backend-down.conf")
    [api] = scopes(doc, "/api/")
    assert api["origins"] == {"kind": "list", "values": ["https://shop.example.com"], "patterns": [], "null": False}
    assert api["errors_keep_cors"] is False


def test_nginx_alternatives_of_an_unknown_variable(tmp_path):
    """`$cors` is set outside the file: one entry per value, each saying
    under which assumption it holds."""
    write(tmp_path / "nginx.conf", """\
events {}
http {
    server {
        listen 80;
        server_name api.example.com;
        location /api/ {
            if ($cors = "true") {
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials true always;
            }
            return 200 "ok";
        }
    }
}
""")
    doc = surface_json("nginx.conf", cwd=tmp_path)
    by_assumption = {s["assumption"]: s for s in scopes(doc, "/api/")}
    assert by_assumption["when $cors is 'true' (set outside these files)"]["exposure"] == "any-with-credentials"
    assert by_assumption["when $cors is empty (set outside these files)"]["exposure"] == "none"


def test_apache_setenvif_suffix_pattern():
    """`SetEnvIf Origin "^(https://.*example\\.com)$"` admits
    https://evil-example.com, echoed with credentials."""
    doc = surface_json(f"{SAMPLES}/apache/cors205-setenvif-suffix.conf")
    [api] = scopes(doc, "/api/")
    assert api["exposure"] == "pattern-with-credentials"
    [pattern] = api["origins"]["patterns"]
    assert pattern["described"] == "(https://<anything>example.com)"
    assert "https://evil-example.com" in pattern["admits"]
    assert api["access"]["https://evil-example.com"] == "read-credentials"


def test_django_exact_list():
    """CORS_ALLOWED_ORIGINS with credentials: the two listed origins read
    with cookies, the exposed headers and Max-Age are the settings'."""
    doc = surface_json(f"{SAMPLES}/django/good-api-strict-origins.py")
    [api] = scopes(doc, "/api/")
    assert api["exposure"] == "list-with-credentials"
    assert api["origins"]["values"] == ["https://admin.example.com", "https://app.example.com"]
    assert api["access"]["https://app.example.com"] == "read-credentials"
    assert api["access"]["https://evil.example"] == "none"
    assert api["exposed"] == ["x-request-id", "x-total-count"]
    assert api["max_age"]["sent"] == 7200 and api["max_age"]["chromium"] == 7200


@pytest.mark.parametrize("sample, path, kind, credentials", [
    # flask-cors's "https://*.example.com" is a regex: the `.` before example.com matches any character
    ("flask/cors205-glob-subdomains.py", "/api/cart", "pattern", True),
    # Starlette's allow_origin_regex https://.*example\.com admits https://evilexample.com
    ("starlette/cors205_regex_suffix.py", "/api/tenants/1/usage", "pattern", False),
    # cors({origin: "*", credentials: true}): `*` plus Allow-Credentials
    ("express/cors201-wildcard-credentials.js", "/api/session", "any", True),
    # ingress-nginx enable-cors without cors-allow-origin: `*` and credentials by default
    ("kubernetes/cors201-enable-cors-defaults.yaml", "/api", "any", True),
    # Traefik accessControlAllowOriginListRegex without anchors
    ("traefik/cors205-unanchored-regex.yml", "/v1", "pattern", False),
    # Istio's allowOrigins regex (app|admin) with credentials: no foreign origin
    ("istio/good-regex-with-vary.yaml", "/", "pattern", True),
    # SAM: the Lambda proxy sends its own CORS headers, which the template does not say
    ("aws/good-sam.yaml", "/notes/1", "unknown", None),
])
def test_frameworks_and_platforms(sample, path, kind, credentials):
    doc = surface_json(f"{SAMPLES}/{sample}")
    [scope] = scopes(doc, path)
    assert scope["origins"]["kind"] == kind
    assert scope["credentials"] is credentials


def test_text_groups_by_host_widest_first():
    result = corslint("surface", f"{SAMPLES}/nginx/good-public-api-wildcard.conf",
                      f"{SAMPLES}/nginx/cors205-map-unanchored.conf", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("media.example.com") < out.index("geo.example.org")   # pattern with credentials first
    assert "also" in out and "https://app.example.com.evil.example" in out
    assert "credentials       allowed (line 34)" in out
    assert "Chromium keeps 7200 s" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_text_escapes_hostile_values(tmp_path):
    """A pattern carrying an escape sequence and a workflow command after a
    line break is printed escaped, never raw."""
    write(tmp_path / "nginx.conf", 'events {}\nhttp {\n server {\n  listen 80;\n  server_name api.example.com;\n'
                                   '  location /api/ {\n'
                                   '   if ($http_origin ~ "^https://.*\\.example\\.com\x1b[2J\n::error::x$") {\n'
                                   '    add_header Access-Control-Allow-Origin $http_origin always;\n   }\n'
                                   '   return 200;\n  }\n }\n}\n')
    result = corslint("surface", "nginx.conf", cwd=tmp_path)
    assert "\\x1b" in result.stdout and "\\n::error::x" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr
    assert not any(line.lstrip().startswith("::") for line in (result.stdout + result.stderr).splitlines())


def test_input_errors_exit_2_with_the_document(tmp_path):
    """An `if` where nginx refuses it: the error on stderr, exit 2, and the surface still printed."""
    doc = surface_json(f"{SAMPLES}/nginx/error-if-in-http.conf", code=2)
    assert doc["errors"][0]["path"] == "samples/nginx/error-if-in-http.conf"
    assert doc["servers"]
    result = corslint("surface", f"{SAMPLES}/nginx/error-if-in-http.conf", cwd=ROOT)
    assert result.returncode == 2 and "error-if-in-http.conf:12:" in result.stderr and "/api/" in result.stdout


def test_output_file_and_usage_errors(tmp_path):
    out = tmp_path / "deep" / "surface.json"
    result = corslint("surface", "-f", "json", "-o", str(out), f"{SAMPLES}/nginx/cors404-error-page-backend-down.conf",
                      cwd=ROOT)
    assert result.returncode == 0 and result.stdout == ""
    check_shape(json.loads(out.read_text()))
    result = corslint("surface", "--fail-on-widen", f"{SAMPLES}/nginx", cwd=ROOT)
    assert result.returncode == 2 and "--fail-on-widen needs --diff" in result.stderr
    assert corslint("surface", cwd=ROOT).returncode == 2
    assert "--diff REV" in corslint("surface", "--help", cwd=ROOT).stdout


def test_diff_outside_a_repository_is_a_usage_error(tmp_path):
    pytest.importorskip("corslint.surface.revision", reason="the diff helper's module (merged at integration)")
    write(tmp_path / "nginx.conf", "events {}\nhttp {}\n")
    result = corslint("surface", "--diff", "HEAD", "nginx.conf", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES":
                                                                                   str(tmp_path.parent)})
    assert result.returncode == 2 and "\n" not in result.stderr.strip()


@pytest.mark.parametrize("form, marker", [("markdown", "|"), ("html", "<html")])
def test_review_views_are_wired(form, marker):
    pytest.importorskip(f"corslint.surface.{form}", reason="the views helper's module (merged at integration)")
    result = corslint("surface", "-f", form, f"{SAMPLES}/nginx/cors202-map-default-reflects.conf", cwd=ROOT)
    assert result.returncode == 0 and marker in result.stdout.lower()

