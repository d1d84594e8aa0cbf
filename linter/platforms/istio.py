"""Istio `VirtualService` `http[].corsPolicy`, served by Envoy's CORS filter.

Istio turns `corsPolicy` into Envoy's route `CorsPolicy` (methods and
headers joined with ',', `maxAge` in seconds).  Envoy's behaviour, from
`source/extensions/filters/http/cors/cors_filter.cc`:
- `isOriginAllowed`: a matcher that matches the literal string `*` or the
  origin (exact: case-sensitive; prefix: `startsWith`; regex: RE2 full match);
- `decodeHeaders`: OPTIONS with a non-empty Origin and
  Access-Control-Request-Method is answered locally with 200, ACAO = the
  request Origin (never `*`), ACAC, ACAM and ACAH (`*` echoes the request's
  values), Max-Age; a disallowed origin's preflight is forwarded upstream
  (`forwardNotMatchingPreflights`, Istio `unmatchedPreflights: FORWARD`,
  the default) or answered 200 without ACAO (`IGNORE`);
- `encodeHeaders`: for an allowed origin, ACAO (the origin), ACAC and ACEH
  are set over the upstream's values.  No `Vary` is added.
"""

from __future__ import annotations

import re

from .. import saferegex
from ..backend import FileOracle, Upstream
from ..cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRH, ACRM, MAX_AGE, ORIGIN
from ..model import Answer, OriginPattern, Request, Scope, Source
from .base import Gate, as_list, as_text, backend, local, put, scope_url
from .source import LList, LMap


def seconds(duration) -> str | None:
    """A protobuf Duration (`24h`, `1h30m`, `600s`) in whole seconds."""
    text = as_text(duration)
    if text is None:
        return None
    total, units = 0.0, {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return None
    for number, unit in parts:
        total += float(number) * units[unit]
    return str(int(total))


class Matcher:
    def __init__(self, kind: str, value: str, source: Source):
        self.kind, self.value, self.source = kind, value, source

    def match(self, text: str) -> bool:
        if self.kind == "exact":
            return text == self.value
        if self.kind == "prefix":
            return text.startswith(self.value)
        try:
            return saferegex.fullmatch(self.value, text) is not None
        except re.error:
            return False


class EnvoyGate(Gate):
    def __init__(self, scope: Scope, policy: LMap, path: str, response: LMap | None = None):
        self.scope = scope
        self.response = response if isinstance(response, LMap) else LMap()
        self.path = path
        self.policy = policy
        self.matchers: list[Matcher] = []
        entries = policy.get("allowOrigins")
        if isinstance(entries, LList):
            for index, entry in enumerate(entries):
                if isinstance(entry, LMap):
                    for kind in ("exact", "prefix", "regex"):
                        if isinstance(entry.get(kind), str):
                            self.matchers.append(Matcher(kind, entry[kind], self.line("allowOrigins", index)))
        for index, value in enumerate(as_list(policy.get("allowOrigin"))):
            self.matchers.append(Matcher("exact", str(value), self.line("allowOrigin", index)))
        self.credentials = policy.get("allowCredentials") is True
        self.methods = ",".join(str(m) for m in as_list(policy.get("allowMethods")))
        self.headers = ",".join(str(h) for h in as_list(policy.get("allowHeaders")))
        self.expose = ",".join(str(h) for h in as_list(policy.get("exposeHeaders")))
        self.max_age = seconds(policy.get("maxAge"))
        self.forward = str(policy.get("unmatchedPreflights") or "FORWARD").upper() != "IGNORE"

    def line(self, key: str, index: int | None = None) -> Source:
        value = self.policy.get(key)
        if index is not None and isinstance(value, LList):
            return Source(self.path, value.line_of(index))
        return Source(self.path, self.policy.line_of(key))

    def allowed(self, origin: str) -> Matcher | None:
        return next((m for m in self.matchers if m.match("*") or m.match(origin)), None)

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        origin = request.header(ORIGIN) or ""
        matcher = self.allowed(origin) if origin else None
        preflight = request.method == "OPTIONS" and origin and request.header(ACRM)
        policy_line = Source(self.path, self.policy.line)
        if preflight and (matcher is not None or not self.forward):
            answer = local(200, "Envoy's CORS filter answers the preflight itself", policy_line)
            if matcher is not None:
                put(answer, ACAO, origin, matcher.source)
            if self.credentials:
                put(answer, ACAC, "true", self.line("allowCredentials"))
            for value, name, key, requested in (
                    (self.methods, ACAM, "allowMethods", ACRM), (self.headers, ACAH, "allowHeaders", ACRH)):
                if value:
                    put(answer, name, request.header(requested) or "" if value == "*" else value, self.line(key))
            if self.max_age:
                put(answer, MAX_AGE, self.max_age, self.line("maxAge"))
            return answer
        answer = backend(upstream, "Envoy routes the request to the destination", self.scope.source)
        for action in ("set", "add"):   # the route's `headers.response`, applied before the CORS filter's
            block = self.response.get(action)
            for name, value in (block.items() if isinstance(block, LMap) else ()):
                put(answer, str(name).lower(), as_text(value), Source(self.path, block.line_of(name)),
                    replace=action == "set")
        if matcher is not None:
            put(answer, ACAO, origin, matcher.source)
            if self.credentials:
                put(answer, ACAC, "true", self.line("allowCredentials"))
            if self.expose:
                put(answer, ACEH, self.expose, self.line("exposeHeaders"))
        return answer


def lower(doc: LMap, path: str) -> list[Gate]:
    spec = doc.get("spec") if isinstance(doc.get("spec"), LMap) else LMap()
    hosts = [h for h in as_list(spec.get("hosts")) if isinstance(h, str)]
    gates: list[Gate] = []
    for route in spec.get("http") or []:
        if not isinstance(route, LMap) or not isinstance(route.get("corsPolicy"), LMap):
            continue
        prefix = "/"
        for match in route.get("match") or []:
            uri = match.get("uri") if isinstance(match, LMap) else None
            if isinstance(uri, LMap):
                prefix = next((uri[k] for k in ("prefix", "exact") if isinstance(uri.get(k), str)), prefix)
                break
        policy = route["corsPolicy"]
        name = f"VirtualService {route.get('name') or (hosts[0] if hosts else '*')}{prefix}"
        scope = Scope(name, scope_url(hosts[0] if hosts else None, prefix), Source(path, route.line), proxied=True)
        headers = route.get("headers") if isinstance(route.get("headers"), LMap) else LMap()
        gate = EnvoyGate(scope, policy, path, headers.get("response"))
        scope.emits_cors = bool(gate.matchers)
        scope.literal_origins = tuple(m.value for m in gate.matchers if m.kind == "exact" and m.value != "*")
        scope.origin_patterns = tuple(
            OriginPattern("^" + re.escape(m.value) if m.kind == "prefix" else m.value, False, m.source,
                          full_match=m.kind == "regex") for m in gate.matchers if m.kind != "exact")
        gates.append(gate)
    return gates
