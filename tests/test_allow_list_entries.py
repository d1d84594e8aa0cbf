"""CORS207 on allow-list entries: an entry no browser Origin can equal is
reported only when the origin as browsers send it is then refused."""

from __future__ import annotations

import pytest

from corslint.config import Settings
from corslint.engine import lint
from corslint.origins import intended_origin


@pytest.mark.parametrize("entry, sent", [
    ("https://app.example.com/", "https://app.example.com"),
    ("https://app.example.com:443", "https://app.example.com"),
    ("http://app.example.com:80/", "http://app.example.com"),
    ("https://app.example.com:8443/", "https://app.example.com:8443"),
    ("https://app.example.com", None),            # already as browsers send it
    ("https://app.example.com:8443", None),
    ("https://app.example.com/admin/", "https://app.example.com"),
    ("app.example.com/", "https://app.example.com"),   # no scheme: the https:// page was meant
    ("localhost:3000", "http://localhost:3000"),        # a loopback host: the dev server, over http
    ("http_origin", None),                              # no origin either way
])
def test_intended_origin(entry, sent):
    assert intended_origin(entry) == sent


def codes(tmp_path, name: str, text: str) -> list[tuple[int, str]]:
    path = tmp_path / name
    path.write_text(text)
    report = lint([str(path)], Settings())
    assert not report.errors, report.errors
    return sorted((f.line, f.code) for f in report.findings if f.code == "CORS207")


NGINX = """\
map $http_origin $cors {{
    default "";
{entries}
}}
server {{
    listen 80;
    server_name api.example.com;
    location /api/ {{
        add_header Access-Control-Allow-Origin $cors always;
        add_header Vary Origin always;
        return 200 "ok";
    }}
}}
"""


def test_a_map_key_with_a_trailing_slash_locks_its_origin_out(tmp_path):
    text = NGINX.format(entries='    "https://app.example.com/" $http_origin;')
    assert codes(tmp_path, "api.conf", text) == [(3, "CORS207")]


def test_no_finding_when_the_origin_is_let_in_anyway(tmp_path):
    both = NGINX.format(entries='    "https://app.example.com/" $http_origin;\n    "https://app.example.com" $http_origin;')
    assert codes(tmp_path, "both.conf", both) == []
    deny = NGINX.format(entries='    "https://old.example.com/" "";')      # a dead entry that allows nothing
    assert codes(tmp_path, "deny.conf", deny) == []


def test_starlette_regex_covering_the_entry_lets_it_in(tmp_path):
    text = ('from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n'
            'app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n'
            '    allow_origins=["https://app.example.com/"],\n'
            '    allow_origin_regex=r"https://(app|admin)\\.example\\.com",\n'
            '    allow_methods=["GET", "PUT", "POST"],\n)\n')
    assert codes(tmp_path, "main.py", text) == []
