"""Smoke tests for the live Apache harness: it starts, answers, proxies, reads .htaccess."""

from __future__ import annotations

import threading

import pytest

from .apache_harness import (
    ApacheError,
    ApacheServer,
    Upstream,
    require_apache,
    vhost_block,
)

pytestmark = pytest.mark.live


def test_header_always_set_comes_back() -> None:
    require_apache()
    conf = vhost_block("    Header always set X-Corslint-Test yes")
    with ApacheServer(conf, files={"index.html": b"hello"}) as apache:
        status, headers = apache.request("GET", "/")
        missing, missing_headers = apache.request("GET", "/nope")
    assert status == 200
    assert ("x-corslint-test", "yes") in headers
    assert missing == 404
    assert ("x-corslint-test", "yes") in missing_headers


def test_proxypass_backend_acao_arrives() -> None:
    require_apache()
    conf = vhost_block("    ProxyPass /api/ http://@@UPSTREAM@@/api/")
    with Upstream() as up, ApacheServer(conf, upstream=up) as apache:
        status, headers = apache.request("GET", "/api/x", headers=[("Origin", "https://a.example")])
    assert status == 200
    assert [v for n, v in headers if n == "access-control-allow-origin"] == ["https://backend.example"]
    assert up.requests and up.requests[0][:2] == ("GET", "/api/x")
    assert ("Origin", "https://a.example") in up.requests[0][2]


def test_htaccess_applies_with_allowoverride_all() -> None:
    require_apache()
    conf = vhost_block("    <Directory @@ROOT@@>\n        AllowOverride All\n    </Directory>")
    with ApacheServer(
        conf,
        files={"index.html": b"hi", "sub/a.txt": b"a"},
        htaccess={"": "Header set X-Root htaccess", "sub": "Header set X-Sub htaccess"},
    ) as apache:
        _, root_headers = apache.request("GET", "/index.html")
        _, sub_headers = apache.request("GET", "/sub/a.txt")
    assert ("x-root", "htaccess") in root_headers
    assert ("x-root", "htaccess") in sub_headers and ("x-sub", "htaccess") in sub_headers


def test_htaccess_ignored_with_allowoverride_none() -> None:
    require_apache()
    with ApacheServer(vhost_block(""), files={"index.html": b"hi"}, htaccess={"": "Header set X-Root htaccess"}) as apache:
        status, headers = apache.request("GET", "/")
    assert status == 200
    assert all(n != "x-root" for n, _ in headers)


def test_bad_config_raises_with_stderr() -> None:
    require_apache()
    with pytest.raises(ApacheError, match="Invalid command 'NoSuchDirective'"), ApacheServer("NoSuchDirective 1"):
        pass


def test_parallel_instances_do_not_clash() -> None:
    require_apache()
    results: dict[int, object] = {}

    def run(i: int) -> None:
        try:
            with ApacheServer(vhost_block(f"    Header always set X-Instance {i}"), files={"index.html": b"x"}) as a:
                results[i] = (a.port, a.request("GET", "/"))
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 6
    ports = set()
    for i, res in results.items():
        assert not isinstance(res, Exception), res
        port, (status, headers) = res  # type: ignore[misc]
        ports.add(port)
        assert status == 200 and ("x-instance", str(i)) in headers
    assert len(ports) == 6


def test_from_site_config_runs_a_sample() -> None:
    require_apache()
    sample = r"""
Listen 443
<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName api.example.com
    ServerAdmin webmaster@example.com
    DocumentRoot /var/www/example
    ErrorLog ${APACHE_LOG_DIR}/error.log
    CustomLog ${APACHE_LOG_DIR}/access.log combined
    SSLEngine on
    SSLCertificateFile /etc/ssl/certs/x.pem
    SSLCertificateKeyFile /etc/ssl/private/x.key
    <Directory /var/www/example>
        Options -Indexes
        AllowOverride None
        Require all granted
        Header always set Access-Control-Allow-Origin "https://app.example.com"
    </Directory>
    <Directory /var/www/example/private>
        AuthType Basic
        AuthName "x"
        AuthUserFile /etc/apache2/.htpasswd
        Require valid-user
    </Directory>
    ProxyPass /api/ http://10.0.0.5:8080/api/
    ProxyPassReverse /api/ http://10.0.0.5:8080/api/
</VirtualHost>
</IfModule>
"""
    with Upstream() as up, ApacheServer.from_site_config(
        sample, files={"index.html": b"hi", "private/s.txt": b"s"}, upstream=up
    ) as apache:
        status, headers = apache.request("GET", "/", host="api.example.com")
        assert status == 200
        assert ("access-control-allow-origin", "https://app.example.com") in headers
        assert apache.request("GET", "/private/s.txt")[0] == 401
        ok = apache.request("GET", "/private/s.txt", headers=[("Authorization", "Basic dXNlcjpwYXNz")])
        assert ok[0] == 200
        api_status, api_headers = apache.request("GET", "/api/v1")
    assert api_status == 200
    assert ("access-control-allow-origin", "https://backend.example") in api_headers
    assert up.requests[0][1] == "/api/v1"
