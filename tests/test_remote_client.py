"""Probes come from a browser on the internet: Chromium's own headers
(linter/fetchheaders.py) from 203.0.113.10.  Address rules are decided for
that client and findings they decided say so; the nginx `geo` block gives
the client's value.  (The real servers agree: tests/live/ asks nginx and
Apache from another loopback address, and with and without a User-Agent.)"""

from __future__ import annotations

import textwrap

from corslint.config import Settings
from corslint.engine import lint
from corslint.fetchheaders import REMOTE_CLIENT
from corslint.model import Request
from corslint.nginx.model import load

SERVER = """\
    server {{
        listen 80;
        server_name api.example.com;
        location /api/ {{
    {body}
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            add_header Access-Control-Allow-Headers "Content-Type" always;
            if ($request_method = OPTIONS) {{ return 204; }}
            proxy_pass http://127.0.0.1:8000;
        }}
    }}
    """


def findings(tmp_path, text: str):
    path = tmp_path / "site.conf"
    path.write_text(textwrap.dedent(text))
    report = lint([str(path)], Settings(), "nginx")
    assert report.errors == []
    return report.findings


def test_a_finding_an_address_rule_decided_names_the_remote_client(tmp_path):
    body = "        limit_except GET { allow 10.0.0.0/8; deny all; }"
    [finding] = findings(tmp_path, SERVER.format(body=body))
    assert finding.code == "CORS102"
    assert finding.request.endswith(f"for a remote client ({REMOTE_CLIENT})")


def test_a_location_closed_to_remote_clients_is_no_preflight_finding(tmp_path):
    assert findings(tmp_path, SERVER.format(body="        allow 127.0.0.1;\n        deny all;")) == []


def geo_value(tmp_path, entries: str, client: str) -> str | None:
    """The value of `$net` for `client` (None: unknown)."""
    path = tmp_path / "geo.conf"
    path.write_text(f"geo $net {{\n{entries}\n}}\n"
                    "server { listen 80; server_name a.example;\n"
                    "    location / { add_header X-Net [$net]; return 200; } }\n")
    model = load(str(path))
    [line] = model.answer(Request("GET", "http://a.example/"), client_addr=client).lines("x-net")
    return line.value


def test_geo_takes_the_longest_network_and_a_repeated_network_s_later_value(tmp_path):
    entries = "default d;\n10.0.0.0/8 wide;\n10.1.0.0/16 narrow;\n127.0.0.1 first;\n127.0.0.1/32 second;"
    assert geo_value(tmp_path, entries, "10.1.2.3") == "[narrow]"
    assert geo_value(tmp_path, entries, "10.2.0.1") == "[wide]"
    assert geo_value(tmp_path, entries, "127.0.0.1") == "[second]"
    assert geo_value(tmp_path, entries, REMOTE_CLIENT) == "[d]"


def test_geo_with_networks_from_elsewhere_is_unknown(tmp_path):
    assert geo_value(tmp_path, "default 0;\ninclude nets.conf;", REMOTE_CLIENT) is None
