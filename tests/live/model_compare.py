"""The comparison every model-vs-real-server acceptance test makes.

``compare(server, model, ...)`` asks ``corslint simulate`` (the model plus
the browser's request construction) about one cross-origin call, sends the
request it predicts to the running server (a ``LoopbackServer``: nginx or
Apache), and returns the difference (status, and the ordered value list of
every ``access-control-*`` and ``vary`` header) as text, empty when they
agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from corslint import simulate
from corslint.backend import UNREACHABLE_UPSTREAM, FileOracle
from corslint.backend import Upstream as ModelUpstream
from corslint.browser import Call, actual_request, preflight_request
from corslint.origins import attack_candidates, intended_origin, pattern_intent
from corslint.regexes import example_for

from .server_process import LoopbackServer

TRUSTED_FALLBACK = "https://app.example.com"
_REFUSED = re.compile(r"(?:#|//)\s*expect(?:-next-line)?:\s*error\b")
HOSTILE = "https://evil.example"
NULL = "null"
ON_DISK = FileOracle(on_disk=True)
CLIENT_ADDR = "127.0.0.1"
#: a client the server does not count as 127.0.0.1 (nginx `allow
#: 127.0.0.1`, Apache `Require ip 127.0.0.1`): the remote client probes assume
OTHER_CLIENT_ADDR = "127.0.0.2"
#: besides Chromium's headers, the clients a generated config with
#: User-Agent conditions is asked for: an empty User-Agent and curl's
OTHER_CLIENTS = ((("User-Agent", ""),), (("User-Agent", "curl/8.5.0"),))

#: the two cross-origin calls per origin: a PUT with a JSON body (the
#: browser preflights it: OPTIONS + Access-Control-Request-Method PUT +
#: Access-Control-Request-Headers content-type; only the preflight is
#: compared) and a plain GET (no preflight; the GET itself is compared)
PREFLIGHT = ("preflight", "PUT", (("Content-Type", "application/json"),))
ACTUAL = ("actual", "GET", ())
KINDS = (PREFLIGHT, ACTUAL)

UpstreamFor = Callable[[str], ModelUpstream]
#: what a server's header value becomes before comparing (Apache's idle
#: percentage, say, which no model can know)
Normalize = Callable[[str], str]


def cors_view(headers: Iterable[tuple[str, str | None]],
              normalize: Normalize | None = None) -> dict[str, list[str | None]]:
    """``{name: [values in wire order]}`` for access-control-* and vary lines."""
    out: dict[str, list[str | None]] = {}
    for name, value in headers:
        name = name.lower()
        if name.startswith("access-control-") or name == "vary":
            if value is not None and normalize is not None:
                value = normalize(value)
            out.setdefault(name, []).append(value)
    return out


def compare(server: LoopbackServer, model, url: str, origin: str, kind: tuple, upstream_for: UpstreamFor,
            label: str = "", normalize: Normalize | None = None, client_headers: tuple = (),
            client_addr: str = CLIENT_ADDR) -> str:
    """Ask `corslint simulate` (model + browser) about one cross-origin call
    and send the request it predicts for that stage (the preflight, or the
    GET) to the server; '' when status and CORS headers agree, else a
    description of the difference.  The Host header is the URL's host;
    `upstream_for` describes the test backend's answer to the request's
    method.  `client_headers` replace the browser's own (Call.client_headers);
    `client_addr` is where the request comes from (a loopback address)."""
    stage, method, headers = kind
    call = Call(url, origin, method, headers, client_headers=client_headers)
    request = preflight_request(call) if stage == "preflight" else actual_request(call)
    sim = simulate.run(model, call, upstream=upstream_for(request.method), files=ON_DISK, client_addr=client_addr)
    answer = sim.preflight if stage == "preflight" else sim.response
    if answer is None:
        return f"{label} {method} {url}: simulate predicts no {stage} request"
    status, got = server.request(request.method, request.target, headers=request.headers, host=request.host,
                                 source=client_addr)
    real = (status, cors_view(got, normalize))
    predicted = (answer.status, cors_view(((h.name, h.value) for h in answer.headers), normalize))
    if predicted == real:
        return ""
    hdrs = "; ".join(f"{n}: {v}" for n, v in request.headers)
    why = " | ".join(text for text, _ in answer.trace)
    return (f"{label} {request.method} {url} (Host {request.host}) [{hdrs}]\n"
            f"    {server.NAME + ':':<7} {real[0]} {real[1]}\n"
            f"    {'model:':<7} {predicted[0]} {predicted[1]}\n"
            f"    model trace: {why}")


def differences(server: LoopbackServer, model, urls: Iterable[str], origins: Iterable[str],
                upstream_for: UpstreamFor, label: str = "", normalize: Normalize | None = None,
                client_headers: tuple = (), client_addr: str = CLIENT_ADDR) -> tuple[int, list[str]]:
    """`compare` for every URL, origin and kind: (how many calls were
    compared, the differences found)."""
    count, problems = 0, []
    origins = tuple(origins)
    for url in urls:
        for origin in origins:
            for kind in KINDS:
                count += 1
                diff = compare(server, model, url, origin, kind, upstream_for,
                               label=f"{label}{kind[0]} from {origin}:", normalize=normalize,
                               client_headers=client_headers, client_addr=client_addr)
                if diff:
                    problems.append(diff)
    return count, problems


# -- the samples' tests ------------------------------------------------------------------------

#: what the test backend answers (its own CORS headers, so hiding, replacing
#: and duplicates show), per method: "ok" answers OPTIONS with a 204
#: preflight answer and the rest with a 200; "error" answers everything with a 500
BACKENDS = {
    "ok": {"OPTIONS": (204, [("Access-Control-Allow-Origin", "https://backend.example"),
                             ("Access-Control-Allow-Methods", "GET, POST"), ("Vary", "Origin")]),
           "*": (200, [("Access-Control-Allow-Origin", "https://backend.example"),
                       ("Access-Control-Allow-Credentials", "true"), ("Vary", "Accept-Encoding"),
                       ("Content-Type", "application/json"), ("Content-Length", "12")])},
    "error": {"*": (500, [("Access-Control-Allow-Origin", "https://backend.example"), ("Vary", "Origin"),
                          ("Content-Type", "application/json"), ("Content-Length", "12")])},
}


class Backend:
    """One of BACKENDS, as the test upstream (`respond`) and as the model's
    description of it (`for_model`)."""

    def __init__(self, name: str):
        self.table = BACKENDS[name]

    def answer(self, method: str) -> tuple[int, list[tuple[str, str]]]:
        return self.table.get(method, self.table["*"])

    def respond(self, method: str, path: str, headers):
        status, hdrs = self.answer(method)
        return status, hdrs, b"" if status == 204 else b'{"ok": true}'

    def for_model(self, method: str) -> ModelUpstream:
        status, hdrs = self.answer(method)
        return ModelUpstream(status, list(hdrs))


class _Down:
    """A backend that is down, as the model is told (`simulate --upstream-down`)."""

    @staticmethod
    def for_model(method: str) -> ModelUpstream:
        return UNREACHABLE_UPSTREAM


DOWN = _Down()


def trusted_origin(scope) -> str:
    """An origin the configuration allows: a literal one, else one its regex admits."""
    for origin in scope.literal_origins:
        if re.match(r"^https?://[^/\s*$,]+$", origin) and origin != HOSTILE:
            return origin
    for pattern in scope.origin_patterns:
        for example in example_for(pattern.regex):
            if re.match(r"^https?://[^/\s]+$", example):
                return example
    return TRUSTED_FALLBACK


#: edge origins asked per scope (a pattern yields a few dozen candidates)
MAX_EDGE_ORIGINS = 24


def edge_origins(scope) -> list[str]:
    """Origins at the edge of a scope's allow-list, where CORS205-207 make
    claims: the foreign origins the pattern search tries (a wildcard inside
    a label, `_` past a "not a host character" class), the origin a pattern
    or a mistyped entry was probably written for, and the http twins of
    them all.  The servers must answer these as the model does too."""
    out: list[str] = []
    for pattern in scope.origin_patterns:
        out += attack_candidates(pattern.regex, pattern.ignore_case)[:8]
        out.append(pattern_intent(pattern.regex)[0])
    out += [intended_origin(entry) for entry, _source in scope.origin_entries]
    out += ["http://" + o[8:] for o in out if o and o.startswith("https://")]
    return list(dict.fromkeys(o for o in out if o))[:MAX_EDGE_ORIGINS]


def probe_paths(scope) -> list[str]:
    """The scope path plus, for a directory URL, a present and a missing file."""
    path = urlsplit(scope.url).path
    paths = [path]
    if path.endswith("/"):
        paths += [path + "data.json", path + "missing.txt"]
    return paths


def file_text(path) -> str:
    """What a file a probe names holds (JSON for .json, else a small page)."""
    return ('{"sample": "file contents for the live test"}\n' if str(path).endswith(".json")
            else "<!doctype html><title>live test file</title>\n")


def refused_sample(path) -> bool:
    """A sample of a configuration the server or node refuses to load
    (annotated `expect: error`): nothing to run, so the answer tests skip
    it and `test_refused_live.py` checks the refusal itself."""
    return _REFUSED.search(path.read_text(encoding="utf-8")) is not None
