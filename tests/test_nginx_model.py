"""Unit tests of the nginx model: what nginx answers, decided phase by phase.

The live tests (tests/live/) prove the same against a real nginx; these
pin the individual rules of nginx's semantics so a regression names the
rule it broke.
"""

from __future__ import annotations

import textwrap

import pytest

from corslint.backend import Upstream
from corslint.model import Request
from corslint.nginx.model import load


@pytest.fixture
def model(tmp_path):
    def build(text: str):
        path = tmp_path / "site.conf"
        path.write_text(textwrap.dedent(text))
        return load(str(path))
    return build


def ask(m, method: str, path: str, origin: str = "https://app.example.com", host: str = "localhost", **kw):
    headers = (("origin", origin),)
    if method == "OPTIONS":
        headers += (("access-control-request-method", "PUT"),)
    return m.answer(Request(method, f"http://{host}{path}", headers), **kw)


def test_location_matching_order(model):
    m = model("""
        server {
            listen 80;
            location = /exact { return 201; }
            location ^~ /static/ { return 202; }
            location /api/ { return 203; }
            location ~ ^/api/v[0-9]+/ { return 204; }
            location ~* \\.PNG$ { return 205; }
            location / { return 206; }
        }
    """)
    assert ask(m, "GET", "/exact").status == 201
    assert ask(m, "GET", "/static/a.png").status == 202     # ^~ stops the regex search
    assert ask(m, "GET", "/api/v2/x").status == 204         # a regex beats the longest prefix
    assert ask(m, "GET", "/api/x").status == 203
    assert ask(m, "GET", "/img/a.png").status == 205        # ~* is case-insensitive
    assert ask(m, "GET", "/other").status == 206


def test_add_header_inheritance_and_always(model):
    m = model("""
        server {
            listen 80;
            add_header Access-Control-Allow-Origin https://app.example.com always;
            location /a/ { return 200; }
            location /b/ { add_header X-Frame-Options DENY; return 200; }
            location /c/ { return 404; }
            location /d/ { add_header Access-Control-Allow-Origin * ; return 404; }
        }
    """)
    assert ask(m, "GET", "/a/").values("access-control-allow-origin") == ["https://app.example.com"]
    assert ask(m, "GET", "/b/").values("access-control-allow-origin") == []     # dropped by the level's own add_header
    assert ask(m, "GET", "/c/").values("access-control-allow-origin") == ["https://app.example.com"]   # always
    assert ask(m, "GET", "/d/").values("access-control-allow-origin") == []     # 404 without always


def test_preflight_if_return_runs_before_auth_but_limit_except_wins(model):
    m = model("""
        server {
            listen 80;
            location /open/ {
                auth_basic "api";
                if ($request_method = OPTIONS) { return 204; }
                proxy_pass http://127.0.0.1:8000;
            }
            location /locked/ {
                limit_except GET { deny all; }
                if ($request_method = OPTIONS) { return 204; }
                return 200;
            }
        }
    """)
    assert ask(m, "OPTIONS", "/open/").status == 204
    assert ask(m, "GET", "/open/").status == 401                    # the rewrite phase runs before access
    locked = ask(m, "OPTIONS", "/locked/")
    assert locked.status == 403 and locked.status_source.line == 10    # the limit_except line


def test_map_on_origin_and_reflection(model):
    m = model("""
        map $http_origin $cors {
            default "";
            "https://app.example.com" $http_origin;
            ~^https://[a-z]+\\.partner\\.example$ $http_origin;
        }
        server {
            listen 80;
            location / {
                add_header Access-Control-Allow-Origin $cors always;
                add_header Vary Origin always;
                return 204;
            }
        }
    """)
    assert ask(m, "GET", "/", "https://APP.example.com").values("access-control-allow-origin") == \
        ["https://APP.example.com"]                                 # exact keys are case-insensitive
    assert ask(m, "GET", "/", "https://x.partner.example").values("access-control-allow-origin") == \
        ["https://x.partner.example"]
    assert ask(m, "GET", "/", "https://evil.example").values("access-control-allow-origin") == []   # empty: not sent


def test_proxy_headers_hide_and_duplicates(model):
    m = model("""
        server {
            listen 80;
            proxy_hide_header Access-Control-Allow-Origin;
            location /hidden/ { proxy_pass http://127.0.0.1:8000; }
            location /twice/ {
                proxy_hide_header X-Powered-By;
                add_header Access-Control-Allow-Origin https://app.example.com always;
                proxy_pass http://127.0.0.1:8000;
            }
        }
    """)
    upstream = Upstream(200, [("Access-Control-Allow-Origin", "https://backend.example")])
    hidden = ask(m, "GET", "/hidden/x", upstream=upstream)
    assert hidden.values("access-control-allow-origin") == []
    assert hidden.stripped[0][0] == "access-control-allow-origin"
    twice = ask(m, "GET", "/twice/x", upstream=upstream)           # a level's own proxy_hide_header list replaces
    assert twice.values("access-control-allow-origin") == ["https://backend.example", "https://app.example.com"]
    assert ask(m, "GET", "/twice/x").status is None                 # the backend is unknown by default


def test_static_content_answers_options_with_405(model):
    m = model("""
        server {
            listen 80;
            root /var/www;
            location /fonts/ { add_header Access-Control-Allow-Origin * always; }
        }
    """)
    answer = ask(m, "OPTIONS", "/fonts/a.woff2")
    assert answer.status == 405 and answer.handler == "static"
    assert ask(m, "GET", "/fonts/a.woff2").status == 200


def test_server_selection_by_name(model):
    m = model("""
        server { listen 80 default_server; return 200; }
        server { listen 80; server_name api.example.com; return 201; }
        server { listen 80; server_name *.example.org; return 202; }
        server { listen 80; server_name ~^cdn[0-9]+\\.example\\.net$; return 203; }
    """)
    assert ask(m, "GET", "/", host="api.example.com").status == 201
    assert ask(m, "GET", "/", host="x.example.org").status == 202
    assert ask(m, "GET", "/", host="cdn7.example.net").status == 203
    assert ask(m, "GET", "/", host="unknown.example").status == 200
    assert len(m.scopes()) == 4     # every server is reachable, so every server is probed
