"""Shared pieces of the Apache model-vs-real-Apache acceptance tests.

``compare(apache, model, ...)`` asks ``corslint simulate`` (the model plus
the browser's request construction) about one cross-origin call, sends the
request it predicts to a running Apache, and returns the difference (status,
and the ordered value list of every ``access-control-*`` and ``vary``
header) as text, empty when they agree.  ``Allow`` is left out on purpose:
Apache varies the order of its tokens between responses.

``ConfApache`` is an ``ApacheServer`` that also writes files into its prefix
(``conf-available/`` snippets a sample includes relative to ServerRoot)
before the configuration is checked, so Apache and the model resolve the same
``Include`` lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping

from corslint import simulate
from corslint.apache.evaluate import Evaluation
from corslint.browser import Call, actual_request, preflight_request
from corslint.model import Request
from corslint.nginx.evaluate import FileOracle
from corslint.nginx.evaluate import Upstream as ModelUpstream

from .apache_harness import ApacheServer
from .nginx_compare import HOSTILE, KINDS, NULL, TRUSTED_FALLBACK

__all__ = ["CLIENT_ADDR", "HOSTILE", "KINDS", "NULL", "ON_DISK", "TRUSTED_FALLBACK", "ConfApache", "compare",
           "cors_view", "file_for"]

ON_DISK = FileOracle(on_disk=True)
CLIENT_ADDR = "127.0.0.1"

#: mod_headers' `%{X}i` is the server's idle percentage ("i=93"), which the
#: model cannot know and writes as "i=<idle percentage>": compared by prefix
_IDLE = re.compile(r"\bi=(?:\d+|<idle percentage>)")


def cors_view(headers: Iterable[tuple[str, str | None]]) -> dict[str, list[str | None]]:
    """``{name: [values in wire order]}`` for access-control-* and vary lines."""
    out: dict[str, list[str | None]] = {}
    for name, value in headers:
        name = name.lower()
        if name.startswith("access-control-") or name == "vary":
            if value is not None:
                value = _IDLE.sub("i=<idle>", value)
            out.setdefault(name, []).append(value)
    return out


UpstreamFor = Callable[[str], ModelUpstream]


def compare(apache: ApacheServer, model, url: str, origin: str, kind: tuple, upstream_for: UpstreamFor,
            label: str = "") -> str:
    """Ask `corslint simulate` (model + browser) about one cross-origin call
    and send the request it predicts for that stage (the preflight, or the
    GET) to Apache; '' when status and CORS headers agree, else a
    description of the difference.  The Host header is the URL's host;
    `upstream_for` describes the test backend's answer to the request's
    method."""
    stage, method, headers = kind
    call = Call(url, origin, method, headers)
    request = preflight_request(call) if stage == "preflight" else actual_request(call)
    sim = simulate.run(model, call, upstream_for(request.method), ON_DISK, CLIENT_ADDR)
    answer = sim.preflight if stage == "preflight" else sim.response
    if answer is None:
        return f"{label} {method} {url}: simulate predicts no {stage} request"
    status, got = apache.request(request.method, request.target, headers=request.headers, host=request.host)
    real = (status, cors_view(got))
    predicted = (answer.status, cors_view((h.name, h.value) for h in answer.headers))
    if predicted == real:
        return ""
    hdrs = "; ".join(f"{n}: {v}" for n, v in request.headers)
    why = " | ".join(text for text, _ in answer.trace)
    return (f"{label} {request.method} {url} (Host {request.host}) [{hdrs}]\n"
            f"    apache: {real[0]} {real[1]}\n"
            f"    model:  {predicted[0]} {predicted[1]}\n"
            f"    model trace: {why}")


def file_for(model, url: str) -> str:
    """The file Apache maps `url` to (Alias, else DocumentRoot), as the model
    sees it: where a test puts the file a probe path names."""
    evaluation = Evaluation(model.conf, Request("GET", url), ModelUpstream(), ON_DISK, CLIENT_ADDR,
                            model.htaccess_files)
    evaluation.host = evaluation.select_vhost()
    return evaluation.map_to_file()


class ConfApache(ApacheServer):
    """An ``ApacheServer`` that first writes ``prefix_files`` (prefix-relative
    path -> text, placeholders substituted) into its ServerRoot."""

    def __init__(self, site_config: str, prefix_files: Mapping[str, str] | None = None, **kwargs) -> None:
        super().__init__(site_config, **kwargs)
        self.prefix_files = dict(prefix_files or {})

    def render_config(self) -> str:
        # called once the port is chosen, right before `apache2 -t`
        for rel, text in self.prefix_files.items():
            path = os.path.join(self.prefix, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self._substitute(text))
        return super().render_config()
