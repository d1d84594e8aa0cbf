"""Smoke tests for the live nginx harness: it starts, answers, and proxies."""

from __future__ import annotations

import pytest

from .nginx_harness import NginxServer, Upstream, require_nginx, server_block

pytestmark = pytest.mark.live


def test_add_header_comes_back() -> None:
    require_nginx()
    conf = server_block("    location / { add_header X-Corslint-Test yes; }")
    with NginxServer(conf, files={"index.html": b"hello"}) as ngx:
        status, headers = ngx.request("GET", "/")
    assert status == 200
    assert ("x-corslint-test", "yes") in headers


def test_proxied_location_keeps_both_acao_lines() -> None:
    require_nginx()
    conf = server_block(
        "    location /api/ {\n"
        "        proxy_pass http://@@UPSTREAM@@;\n"
        "        add_header Access-Control-Allow-Origin https://nginx.example;\n"
        "    }"
    )
    with Upstream() as up, NginxServer(conf, upstream=up) as ngx:
        status, headers = ngx.request("GET", "/api/x", headers=[("Origin", "https://a.example")])
    assert status == 200
    acao = [v for n, v in headers if n == "access-control-allow-origin"]
    assert acao == ["https://backend.example", "https://nginx.example"]
    assert up.requests and up.requests[0][0] == "GET" and up.requests[0][1] == "/api/x"


def test_headers_more_loaded() -> None:
    require_nginx(headers_more=True)
    conf = server_block('    location / { more_set_headers "X-More: 1"; return 200 "x"; }')
    with NginxServer(conf, headers_more=True) as ngx:
        status, headers = ngx.request("GET", "/")
    assert status == 200
    assert ("x-more", "1") in headers


def test_from_full_config_runs_a_sample() -> None:
    require_nginx()
    sample = """
    user www-data;
    worker_processes auto;
    pid /run/nginx.pid;
    events { worker_connections 768; }
    http {
        include /etc/nginx/mime.types;
        access_log /var/log/nginx/access.log;
        upstream app { server 10.0.0.5:8080; }
        server {
            listen 443 ssl http2 default_server;
            listen [::]:443 ssl;
            ssl_certificate /etc/ssl/x.pem;
            ssl_certificate_key /etc/ssl/x.key;
            server_name api.example.com;
            root /var/www/api;
            location /api/ { proxy_pass http://app; add_header X-Via nginx always; }
            location / { add_header X-Static 1; }
        }
    }
    """
    with Upstream() as up, NginxServer.from_full_config(sample, files={"index.html": b"i"}, upstream=up) as ngx:
        s1, h1 = ngx.request("GET", "/api/z", host="api.example.com")
        s2, h2 = ngx.request("GET", "/", host="api.example.com")
    assert s1 == 200 and ("x-via", "nginx") in h1 and ("access-control-allow-origin", "https://backend.example") in h1
    assert s2 == 200 and ("x-static", "1") in h2


def test_bad_config_raises_with_stderr() -> None:
    require_nginx()
    from .nginx_harness import NginxError

    with pytest.raises(NginxError, match="nginx -t failed"):
        with NginxServer(server_block("    location / { no_such_directive 1; }")):
            pass


def test_parallel_instances_do_not_clash() -> None:
    require_nginx()
    servers = [NginxServer(server_block(f"    location / {{ return 200 'n{i}'; }}")) for i in range(4)]
    try:
        for s in servers:
            s.start()
        assert len({s.port for s in servers}) == 4
        for i, s in enumerate(servers):
            assert s.request_full("GET", "/")[2] == f"n{i}".encode()
    finally:
        for s in servers:
            s.stop()


def test_a_port_another_process_took_is_given_up(monkeypatch) -> None:
    """free_port() hands out a port another process binds before nginx does
    (two suites side by side): that process answers the readiness check,
    nginx logs the failed bind, and the harness moves to another port."""
    import socket

    from . import server_process

    require_nginx()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    ports, free = iter([taken.getsockname()[1]]), server_process.free_port
    monkeypatch.setattr(server_process, "free_port", lambda: next(ports, None) or free())
    try:
        with NginxServer(server_block("    location / { return 200 'ours'; }")) as ngx:
            assert ngx.port != taken.getsockname()[1]
            assert ngx.request_full("GET", "/")[2] == b"ours"
    finally:
        taken.close()

