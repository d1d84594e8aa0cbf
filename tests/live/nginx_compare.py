"""Shared pieces of the nginx model-vs-real-nginx acceptance tests.

``compare(ngx, model, ...)`` asks ``corslint simulate`` (the model plus the
browser's request construction) about one cross-origin call, sends the
request it predicts to a running nginx, and returns the difference (status,
and the ordered value list of every ``access-control-*`` and ``vary``
header) as text, empty when they agree.  ``RawNginx`` runs a complete nginx.conf written by
the test (the harness's ``NginxServer`` builds the main context itself).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from corslint import simulate
from corslint.browser import Call, actual_request, preflight_request
from corslint.nginx.evaluate import FileOracle
from corslint.nginx.evaluate import Upstream as ModelUpstream

from .nginx_harness import NginxServer, headers_more_module

TRUSTED_FALLBACK = "https://app.example.com"
HOSTILE = "https://evil.example"
NULL = "null"
ON_DISK = FileOracle(on_disk=True)
CLIENT_ADDR = "127.0.0.1"

#: the two cross-origin calls per origin: a PUT with a JSON body (the
#: browser preflights it: OPTIONS + Access-Control-Request-Method PUT +
#: Access-Control-Request-Headers content-type; only the preflight is
#: compared) and a plain GET (no preflight; the GET itself is compared)
PREFLIGHT = ("preflight", "PUT", (("Content-Type", "application/json"),))
ACTUAL = ("actual", "GET", ())
KINDS = (PREFLIGHT, ACTUAL)


def cors_view(headers: Iterable[tuple[str, str | None]]) -> dict[str, list[str | None]]:
    """``{name: [values in wire order]}`` for access-control-* and vary lines."""
    out: dict[str, list[str | None]] = {}
    for name, value in headers:
        name = name.lower()
        if name.startswith("access-control-") or name == "vary":
            out.setdefault(name, []).append(value)
    return out


UpstreamFor = Callable[[str], ModelUpstream]


def compare(ngx: NginxServer, model, url: str, origin: str, kind: tuple, upstream_for: UpstreamFor,
            label: str = "") -> str:
    """Ask `corslint simulate` (model + browser) about one cross-origin call
    and send the request it predicts for that stage (the preflight, or the
    GET) to nginx; '' when status and CORS headers agree, else a description
    of the difference.  The Host header is the URL's host; `upstream_for`
    describes the test backend's answer to the request's method."""
    stage, method, headers = kind
    call = Call(url, origin, method, headers)
    request = preflight_request(call) if stage == "preflight" else actual_request(call)
    sim = simulate.run(model, call, upstream_for(request.method), ON_DISK, CLIENT_ADDR)
    answer = sim.preflight if stage == "preflight" else sim.response
    if answer is None:
        return f"{label} {method} {url}: simulate predicts no {stage} request"
    status, got = ngx.request(request.method, request.target, headers=request.headers, host=request.host)
    real = (status, cors_view(got))
    predicted = (answer.status, cors_view((h.name, h.value) for h in answer.headers))
    if predicted == real:
        return ""
    hdrs = "; ".join(f"{n}: {v}" for n, v in request.headers)
    why = " | ".join(text for text, _ in answer.trace)
    return (f"{label} {request.method} {url} (Host {request.host}) [{hdrs}]\n"
            f"    nginx: {real[0]} {real[1]}\n"
            f"    model: {predicted[0]} {predicted[1]}\n"
            f"    model trace: {why}")


class RawNginx(NginxServer):
    """An nginx whose whole ``nginx.conf`` comes from ``render(server)``,
    called once the port and prefix are chosen (placeholders are substituted
    afterwards).  ``render`` may also write further files into the prefix.

    The main-context lines the sandbox needs (``daemon off``, pid, error_log,
    headers-more, ``user root`` when root) are put at the top of the text;
    temp paths are put at the top of the ``http`` block."""

    def __init__(self, render: Callable[[RawNginx], str], **kwargs) -> None:
        super().__init__("", **kwargs)
        self._render = render

    def render_config(self) -> str:
        text = self._render(self)
        p = self.prefix
        main = ["daemon off;", "master_process on;", f"pid {p}/nginx.pid;", f"error_log {p}/logs/error.log info;"]
        module = headers_more_module()
        if module and "ngx_http_headers_more_filter_module" not in text:
            main.insert(0, f"load_module {module};")
        if os.geteuid() == 0:
            main.append("user root;")
        temp = "".join(f" {kind}_temp_path {p}/tmp/{kind};" for kind in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        head, sep, tail = text.partition("http {")
        if not sep:
            raise ValueError("RawNginx needs an `http {` block")
        # load_module must precede everything else in the main context
        modules = [line for line in head.splitlines() if line.strip().startswith("load_module")]
        head = "\n".join(line for line in head.splitlines() if not line.strip().startswith("load_module"))
        text = "\n".join(modules + main) + "\n" + head + sep + f" access_log {p}/logs/access.log;{temp}" + tail
        return self._substitute(text)
