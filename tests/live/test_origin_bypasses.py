"""Origins at the edge of an allow-list, on the real servers (issue 15).

The samples' live tests ask every scope from a trusted origin, a hostile one
and `null`; the claims of CORS205, CORS206 and CORS207 are about other
origins: the bypasses the pattern search finds (`https://webvevil-isor.com`
through `webv.+isor`, `https://example.com_.evil.example` and its backtick
and `!` variants past `[^.a-z0-9-]`), the http twin a `https?://` pattern
trusts, and the origins an entry no Origin can equal was written for
(`www.example.com` meant `https://www.example.com`).  For each, real nginx
and Apache must answer as the model says (`differences`), and allow or
refuse the origin as the finding claims.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from corslint.apache.model import load as load_apache
from corslint.nginx.model import load as load_nginx

from . import test_apache_samples as apache_samples
from . import test_nginx_samples as nginx_samples
from .apache_compare import ConfApache
from .apache_compare import differences as apache_differences
from .apache_harness import Upstream as ApacheUpstream
from .apache_harness import require_apache
from .model_compare import Backend, differences, probe_paths
from .nginx_compare import RawNginx
from .nginx_harness import Upstream, require_nginx

pytestmark = pytest.mark.live

BYPASSES = ("https://example.com_.evil.example", "https://example.com`.evil.example",
            "https://example.com!.evil.example")

#: sample -> (origins the server lets in, origins it refuses)
NGINX = {
    "cors205-host-label-wildcard.conf": (("https://webvevil-isor.com", "https://webvaisor.com"), ("https://webvisor.com",)),
    "cors205-special-char-suffix.conf": ((*BYPASSES, "https://example.com"),
                                         ("https://example.com.evil.example",)),
    "cors206-https-optional-after-localhost.conf": (("http://example.com", "http://app.example.com"), ()),
    "cors207-map-entries-never-match.conf": ((), ("https://www.example.com", "https://webvisor.com",
                                                  "https://example.org", "https://example.net")),
}
APACHE = {
    "cors205-host-label-wildcard.conf": (("https://webvevil-isor.com", "https://webvaisor.com"), ("https://webvisor.com",)),
    "cors205-special-char-suffix.conf": ((*BYPASSES, "https://example.com"), ("https://example.com.evil.example",)),
    "cors207-setenvif-never-matches.conf": ((), ("https://dashboard.example.com", "https://partner.example.org")),
}


def allowed(server, url: str, origin: str) -> bool:
    """The server's GET answer carries this origin as Allow-Origin."""
    parts = urlsplit(url)
    _status, headers = server.request("GET", parts.path, headers=[("Origin", origin)], host=parts.hostname)
    return (("access-control-allow-origin", origin) in headers)


def check(server, model, compare, sample: str, cases: dict, app: Backend) -> None:
    admitted, refused = cases[sample]
    scope = next(s for s in model.scopes() if urlsplit(s.url).path.startswith("/api/"))
    parts = urlsplit(scope.url)
    urls = [f"{parts.scheme}://{parts.netloc}{p}" for p in probe_paths(scope)]
    _count, problems = compare(server, model, urls, (*admitted, *refused), app.for_model)
    assert not problems, f"{sample}: the model differs from {server.NAME}\n" + "\n".join(problems)
    assert [o for o in admitted if not allowed(server, urls[0], o)] == []
    assert [o for o in refused if allowed(server, urls[0], o)] == []


@pytest.mark.parametrize("sample", sorted(NGINX))
def test_nginx_answers_edge_origins_as_the_model_says(sample: str) -> None:
    require_nginx(headers_more=True)
    app = Backend("ok")
    path = nginx_samples.SAMPLES / sample
    with Upstream(responder=app.respond) as up, \
            RawNginx(lambda s: nginx_samples.prepare(s, path), upstream=up) as ngx:
        conf_dir = os.path.join(ngx.prefix, "conf")
        model = load_nginx(os.path.join(conf_dir, "site.conf"), root=conf_dir)
        assert not model.parsed.errors, model.parsed.errors
        check(ngx, model, differences, sample, NGINX, app)


@pytest.mark.parametrize("sample", sorted(APACHE))
def test_apache_answers_edge_origins_as_the_model_says(sample: str) -> None:
    require_apache()
    app = Backend("ok")
    text = apache_samples.rewrite((apache_samples.SAMPLES / sample).read_text())
    with ApacheUpstream(responder=app.respond) as up, ConfApache(text, upstream=up) as apache:
        model = load_apache(apache.conf_path)
        assert not model.parsed.errors, model.parsed.errors
        check(apache, model, apache_differences, sample, APACHE, app)
