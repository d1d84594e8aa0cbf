"""Shared pieces of the nginx model-vs-real-nginx acceptance tests.

``compare(ngx, model, ...)`` sends one request to a running nginx and asks
the model the same question; the difference (status, and the ordered value
list of every ``access-control-*`` and ``vary`` header) is returned as text,
empty when they agree.  ``RawNginx`` runs a complete nginx.conf written by
the test (the harness's ``NginxServer`` builds the main context itself).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from corslint.model import Answer, Request
from corslint.nginx.evaluate import FileOracle
from corslint.nginx.evaluate import Upstream as ModelUpstream

from .nginx_harness import NginxServer, headers_more_module

TRUSTED_FALLBACK = "https://app.example.com"
HOSTILE = "https://evil.example"
NULL = "null"
ON_DISK = FileOracle(on_disk=True)

#: (label, method, extra request headers) of the two requests per origin
PREFLIGHT = ("preflight", "OPTIONS", (("access-control-request-method", "PUT"),
                                       ("access-control-request-headers", "content-type")))
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


def model_view(answer: Answer) -> tuple[int | None, dict[str, list[str | None]]]:
    return answer.status, cors_view((h.name, h.value) for h in answer.headers)


UpstreamFor = Callable[[str], ModelUpstream]


def compare(ngx: NginxServer, model, url: str, host: str, path: str, method: str,
            headers: tuple[tuple[str, str], ...], upstream_for: UpstreamFor,
            label: str = "") -> str:
    """Send the request to nginx and to the model; '' when they agree, else a
    one-paragraph description of the difference."""
    status, got = ngx.request(method, path, headers=headers, host=host)
    real = (status, cors_view(got))
    answer = model.answer(Request(method, url, tuple((n.lower(), v) for n, v in headers)),
                          upstream=upstream_for(method), files=ON_DISK, client_addr="127.0.0.1")
    predicted = model_view(answer)
    if predicted == real:
        return ""
    hdrs = "; ".join(f"{n}: {v}" for n, v in headers)
    why = " | ".join(text for text, _ in answer.trace)
    return (f"{label} {method} {url} (Host {host}) [{hdrs}]\n"
            f"    nginx: {real[0]} {real[1]}\n"
            f"    model: {predicted[0]} {predicted[1]}\n"
            f"    model trace: {why}")


def origin_headers(origin: str, kind: tuple) -> tuple[tuple[str, str], ...]:
    return (("origin", origin),) + tuple(kind[2])


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
