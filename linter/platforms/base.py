"""What every platform lowering shares: the model, its gates and the
header plumbing of a gateway that sits in front of an unknown backend.

A platform manifest describes a gateway (ingress-nginx, Traefik, Envoy,
API Gateway) in front of a backend whose own headers the file cannot
show.  Each *gate* is one place where a CORS policy applies (an Ingress
path, a Traefik middleware, a VirtualService route, an API path); it has a
scope and answers requests the way that gateway does.  Actual requests
reach the backend: their status is `upstream.status`, the backend's
headers are unknown unless `upstream.headers` says otherwise, and the
gateway's CORS headers are added (or set over the backend's) on top.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..backend import UNKNOWN_UPSTREAM, FileOracle, Upstream
from ..model import Answer, Handler, HeaderLine, Parsed, Request, Scope, ServerModel, Source
from ..routeindex import PathIndex
from ..unknown import holds

SYNTHETIC_HOST = "https://service.example"
#: the host of a gate that any host reaches (its scope has SYNTHETIC_HOST)
ANY_HOST = "service.example"


class Gate:
    """One CORS policy applied to one scope.  Subclasses implement
    `answer`; `host` None means any host."""

    scope: Scope

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        raise NotImplementedError

    def place(self) -> tuple[str, str]:
        """(host, path) of the requests this gate serves: the host is
        ANY_HOST when any host reaches it; the path and every path below it."""
        parts = urlsplit(self.scope.url)
        return parts.hostname or "", parts.path or "/"

    def matches(self, request: Request) -> tuple[int, int] | None:
        """How well the request's host and path select this gate (None: not at all)."""
        host, path = self.place()
        if host != ANY_HOST and host != request.host:
            return None
        if request.path == path or request.path.startswith(_below(path)) or path == "/":
            return (1 if host == request.host else 0, len(path))
        return None


def _below(path: str) -> str:
    """What the paths below a gate's path start with."""
    return path if path.endswith("/") else path + "/"


class PlatformModel(ServerModel):
    """The gates of one manifest file and its facts."""

    def __init__(self, path: str, parsed: Parsed, gates: list[Gate], facts: list):
        self.path = path
        self.parsed = parsed
        self.gates = gates
        self._facts = facts
        self._index: dict[str, tuple[list[int], PathIndex]] | None = None

    def scopes(self) -> list[Scope]:
        return [gate.scope for gate in self.gates]

    def facts(self):
        return iter(self._facts)

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        ranked = [(m, i) for i in self._candidates(request) if (m := self.gates[i].matches(request)) is not None]
        if not ranked:
            return Answer(404, handler=Handler.NOT_FOUND,
                          trace=[("no rule of this manifest matches the request", None)])
        gate = self.gates[max(ranked, key=lambda item: (item[0], -item[1]))[1]]
        answer = gate.answer(request, upstream=upstream, files=files, client_addr=client_addr)
        answer.scope = gate.scope
        return answer


    def _candidates(self, request: Request) -> list[int]:
        """The gates that may serve the request: those of its host and of any
        host, under a path that leads to its path (a gate per Ingress host
        rule and path: scanning them all for every request is quadratic)."""
        if self._index is None:
            groups: dict[str, list[int]] = {}
            places = [gate.place() for gate in self.gates]
            for i, (host, _path) in enumerate(places):
                groups.setdefault(host, []).append(i)
            self._index = {host: (positions, PathIndex(None if places[i][1] == "/" else _below(places[i][1])
                                                       for i in positions))
                           for host, positions in groups.items()}
        out: list[int] = []
        for host in dict.fromkeys((request.host, ANY_HOST)):
            if host in self._index:
                positions, index = self._index[host]
                out += [positions[i] for i in index.candidates(request.path)]
        return out


def backend(upstream: Upstream | None, why: str, source: Source | None) -> Answer:
    """The backend's answer as the gateway passes it on: status and headers
    from `upstream` (unknown when not given)."""
    if upstream is None:
        upstream = UNKNOWN_UPSTREAM
    status, headers = upstream.status, upstream.headers
    answer = Answer(status, handler=Handler.PROXY, status_source=source, upstream_headers_unknown=headers is None,
                    trace=[(why, source)])
    for name, value in headers or ():
        answer.headers.append(HeaderLine(name.lower(), value, from_upstream=True))
    return answer


def put(answer: Answer, name: str, value: str | None, source: Source | None, replace: bool = True,
        via: tuple[Source, ...] = ()) -> None:
    """Set (or, with replace=False, add) a response header as a configuration line."""
    if replace:
        answer.headers = [h for h in answer.headers if h.name != name]
    answer.headers.append(HeaderLine(name, value, source, via=via))


def local(status: int, why: str, source: Source | None) -> Answer:
    """An answer the gateway's CORS layer sends itself (the preflight)."""
    return Answer(status, handler=Handler.MIDDLEWARE, status_source=source, trace=[(why, source)])


def scope_url(host: str | None, path: str | None) -> str:
    host = (host or "").strip().lower()
    base = f"https://{host}" if re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", host) else SYNTHETIC_HOST
    path = path or "/"
    return base + (path if path.startswith("/") else "/" + path)


def as_list(value) -> list:
    """A YAML value that should be a list: a list stays, a comma string is
    split (as Traefik labels and many users write it), None is empty."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [part.strip() for part in str(value).split(",") if part.strip()]


def as_text(value) -> str | None:
    """A scalar as the platform reads it (YAML `true` is "true"), None when unknown."""
    if value is None or isinstance(value, (dict, list)) or type(value).__name__ == "Intrinsic" \
            or (isinstance(value, str) and holds(value)):   # a template's expression
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
