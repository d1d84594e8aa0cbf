"""Acceptance: a variable set outside the linted files, both ways, on real nginx.

The site includes ``samples/nginx/snippets/cors-flag-unknown.conf`` (``if
($cors = "true")``) and nginx.conf sets ``$cors`` (an http-level ``map``,
as a main file would) to "true" in one run and to "" in the other.  The
model reads the site and the snippet only, so ``$cors`` is unknown to it:
its alternative assuming nginx's value must answer every preflight and GET
(trusted, hostile and null origins; a backend that answers 200/204 and one
that answers 500) exactly as nginx does, and the alternatives must be
those two values; with "true" nginx indeed echoes a hostile Origin with
credentials and answers the preflight 204 without Allow-Origin.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from corslint.nginx.model import load

from .model_compare import BACKENDS, HOSTILE, NULL, Backend, differences, probe_paths, trusted_origin
from .nginx_compare import RawNginx
from .nginx_harness import Upstream, require_nginx

pytestmark = pytest.mark.live

SNIPPETS = Path(__file__).resolve().parents[2] / "samples" / "nginx" / "snippets"
SITE = """\
server {
    listen 127.0.0.1:@@PORT@@;
    server_name partner-api.example.com;
    location /api/ {
        include snippets/cors-flag-unknown.conf;
        proxy_pass http://@@UPSTREAM@@;
    }
}
"""


def prepare(server: RawNginx, value: str) -> str:
    conf = Path(server.prefix) / "conf"
    shutil.copytree(SNIPPETS, conf / "snippets", dirs_exist_ok=True)
    (conf / "site.conf").write_text(server._substitute(SITE))
    return ("events { worker_connections 64; }\n"
            f'http {{\n    map $host $cors {{ default "{value}"; }}\n    include {conf}/site.conf;\n}}\n')


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("value", ["true", ""], ids=["cors-true", "cors-empty"])
def test_each_assumption_answers_as_nginx_with_that_value(value: str, backend: str) -> None:
    require_nginx(headers_more=True)
    app = Backend(backend)
    with Upstream(responder=app.respond) as up, RawNginx(lambda s: prepare(s, value), upstream=up) as ngx:
        conf_dir = os.path.join(ngx.prefix, "conf")
        model = load(os.path.join(conf_dir, "site.conf"), root=conf_dir)
        assert not model.parsed.errors, model.parsed.errors
        assert [variant.assumed for _, variant in model.alternatives] == [{"cors": "true"}, {"cors": ""}]
        variant = model.assuming({"cors": value})
        problems, count = [], 0
        for scope in variant.scopes():
            parts = urlsplit(scope.url)
            urls = [f"{parts.scheme}://{parts.netloc}{p}" for p in probe_paths(scope)]
            n, found = differences(ngx, variant, urls, (trusted_origin(scope), HOSTILE, NULL), app.for_model,
                                   label=f"[{scope.name}] ")
            count, problems = count + n, problems + found
        host = "partner-api.example.com"
        preflight = ngx.request("OPTIONS", "/api/", headers=[("Origin", HOSTILE), ("Access-Control-Request-Method",
                                                                                   "PUT")], host=host)
        actual = ngx.request("GET", "/api/", headers=[("Origin", HOSTILE)], host=host)
    sent = [(n.lower(), v) for n, v in actual[1] if n.lower().startswith("access-control-allow-")]
    # what the sample's findings say: with "true", any Origin echoed with credentials (CORS202)
    # and a 204 preflight without Allow-Origin (CORS104); with "", no CORS at all
    assert preflight[0] == 204 and not any(n.lower() == "access-control-allow-origin" for n, _ in preflight[1])
    assert (("access-control-allow-origin", HOSTILE) in sent and ("access-control-allow-credentials", "true") in sent
            if value else not any(n == "access-control-allow-origin" and v != "https://backend.example"
                                  for n, v in sent))
    assert count and not problems, f"$cors={value!r}: {len(problems)} of {count} answers differ\n" + "\n".join(problems)
