"""Traefik's `headers` middleware: Kubernetes `Middleware` CRDs, file-provider
YAML/TOML (`http.middlewares.<name>.headers`) and Docker labels
(`traefik.http.middlewares.<name>.headers.<key>`).

Semantics from `pkg/middlewares/headers/header.go` (v2.11: `processCorsHeaders`,
`isOriginAllowed`; v3.7.9: `processCorsHeaders`, `matchOrigin`,
`PostRequestModifyResponseHeaders`):
- a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
  answered 200 by Traefik, allowed origin or not (then without ACAO);
- list entries match exactly or `*`; regex entries with Go's unanchored
  `MatchString` and reflect the origin;
- `*` with credentials sends a literal `*` before v3.6.22/v3.7.6 and
  reflects the request Origin since (traefik PR #13368); the same fix
  echoes ACRM/ACRH for a `*` method/header list with credentials and stops
  sending `Access-Control-Max-Age: 0` by default (PR #13371);
- actual responses get ACAO (over the backend's) for allowed origins, ACAC
  whenever configured, ACEH, and `Vary: Origin` only with `addVaryHeader`;
- Go's server writes header names sorted.
The version is taken from a `traefik:vX` image in the same file, else
from the caller, else the newest (3.7.9); findings that depend on it say so.
"""

from __future__ import annotations

import re

from .. import saferegex
from ..backend import FileOracle, Upstream
from ..cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRH, ACRM, CORS_PREFIX, MAX_AGE, ORIGIN, VARY
from ..model import Answer, Handler, MiddlewareOrder, OriginPattern, Request, RiskyDefault, Scope, Source
from .base import Gate, as_list, as_text, backend, local, put, scope_url
from .source import LList, LMap

NEWEST = (3, 7, 9)
KEYS = {k.lower(): k for k in ("accessControlAllowCredentials", "accessControlAllowHeaders",
                               "accessControlAllowMethods", "accessControlAllowOriginList",
                               "accessControlAllowOriginListRegex", "accessControlExposeHeaders",
                               "accessControlMaxAge", "addVaryHeader")}
AUTH_KINDS = ("forwardauth", "basicauth", "digestauth")


def parse_version(text: str | None) -> tuple[int, ...] | None:
    m = re.search(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", text or "")
    if not m:
        return None
    major, minor, patch = (int(g) if g else None for g in m.groups())
    if minor is None:       # `traefik:v3` follows the newest v3
        return NEWEST if major == NEWEST[0] else (major, 99, 99)
    return (major, minor, patch if patch is not None else 0)


def fixed_wildcard(version: tuple[int, ...]) -> bool:
    """The v3.6.22 / v3.7.6 CORS fixes are in this version."""
    return (3, 6, 22) <= version < (3, 7, 0) or version >= (3, 7, 6)


def describe(version: tuple[int, ...]) -> str:
    return "v" + ".".join(str(p) for p in version)


class Headers:
    """One headers middleware's CORS settings with their lines."""

    def __init__(self, name: str, values: dict, lines: dict, item_lines: dict, source: Source, custom: dict):
        self.name = name
        self.values = values
        self.lines = lines            # key -> Source
        self.item_lines = item_lines  # key -> [Source per list item]
        self.source = source
        self.custom = custom          # customResponseHeaders: name -> (value, Source)

    def list(self, key: str) -> list[str]:
        return [str(v) for v in as_list(self.values.get(key))]

    def flag(self, key: str) -> bool:
        return as_text(self.values.get(key)) == "true"

    def line(self, key: str, index: int | None = None) -> Source:
        items = self.item_lines.get(key) or []
        if index is not None and index < len(items):
            return items[index]
        return self.lines.get(key, self.source)

    @property
    def active(self) -> bool:
        """`HasCorsHeadersDefined`."""
        return any(self.values.get(k) not in (None, [], "", False, 0) for k in KEYS.values())


class TraefikGate(Gate):
    def __init__(self, scope: Scope, headers: Headers, version: tuple[int, ...], auth: tuple[str, Source] | None):
        self.scope = scope
        self.h = headers
        self.version = version
        self.fixed = fixed_wildcard(version)
        self.auth = auth
        self.regexes = []
        for index, text in enumerate(headers.list("accessControlAllowOriginListRegex")):
            try:
                self.regexes.append((saferegex.compile(text), headers.line("accessControlAllowOriginListRegex", index)))
            except re.error:
                continue

    def match(self, origin: str) -> tuple[str, Source] | None:
        """(ACAO value, the entry that admitted it): `matchOrigin` / `isOriginAllowed`."""
        creds = self.h.flag("accessControlAllowCredentials")
        for index, item in enumerate(self.h.list("accessControlAllowOriginList")):
            source = self.h.line("accessControlAllowOriginList", index)
            if item == origin:
                return item, source
            if item == "*":
                return (origin if creds and self.fixed else "*"), source
        for regex, source in self.regexes:
            if regex.search(origin):
                return origin, source
        return None

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        h = self.h
        origin = request.header(ORIGIN)
        acrm = request.header(ACRM)
        creds = h.flag("accessControlAllowCredentials")
        preflight = h.active and request.method == "OPTIONS" and origin and acrm
        if self.auth is not None and request.method == "OPTIONS":
            kind, source = self.auth
            answer = Answer(401, handler=Handler.AUTH, status_source=source, certain=kind == "basicauth",
                            trace=[((f"the {kind} middleware runs before {h.name} and rejects the preflight, "
                                     f"which carries no credentials"), source)])
            return answer
        if preflight:
            answer = local(200, f"Traefik ({describe(self.version)}) answers the preflight itself", h.source)
            if creds:
                put(answer, ACAC, "true", h.line("accessControlAllowCredentials"))
            self._listed(answer, "accessControlAllowHeaders", ACAH, request.header(ACRH))
            self._listed(answer, "accessControlAllowMethods", ACAM, acrm)
            matched = self.match(origin)
            if matched:
                put(answer, ACAO, matched[0], matched[1])
            max_age = as_text(h.values.get("accessControlMaxAge"))
            if max_age is not None or not self.fixed:
                put(answer, MAX_AGE, str(int(max_age or 0)) if (max_age or "0").lstrip("-").isdigit()
                    else max_age, h.line("accessControlMaxAge"))
            if self.version[0] >= 3:
                self._expose(answer, creds)
            put(answer, "content-length", "0", h.source)
        else:
            answer = backend(upstream, f"Traefik forwards the request to the service through {h.name}",
                             self.scope.source)
            for name, (value, source) in h.custom.items():
                if value:
                    put(answer, name, value, source)
                else:
                    answer.headers = [x for x in answer.headers if x.name != name]
            matched = self.match(origin or "") if h.active else None
            if matched:
                put(answer, ACAO, matched[0], matched[1])
            if creds:
                put(answer, ACAC, "true", h.line("accessControlAllowCredentials"))
            self._expose(answer, creds)
            if h.flag("addVaryHeader"):
                known = [x.value for x in answer.lines(VARY) if x.value]
                value = "Origin" if known in ([], ["Origin"]) else ",".join(known) + ",Origin"
                put(answer, VARY, value, h.line("addVaryHeader"))
        answer.headers.sort(key=lambda x: x.name)
        return answer

    def _listed(self, answer: Answer, key: str, name: str, requested: str | None) -> None:
        items = self.h.list(key)
        if "*" in items and self.h.flag("accessControlAllowCredentials") and self.fixed:
            if requested:
                put(answer, name, requested, self.h.line(key))
        elif items:
            put(answer, name, ",".join(items), self.h.line(key))

    def _expose(self, answer: Answer, creds: bool) -> None:
        items = self.h.list("accessControlExposeHeaders")
        if items and not ("*" in items and creds and self.fixed):
            put(answer, ACEH, ",".join(items), self.h.line("accessControlExposeHeaders"))


def headers_from_map(name: str, parent: LMap, path: str) -> Headers:
    """The `headers:` mapping of `parent` (CRD spec, file-provider middleware, TOML table)."""
    block = parent.get_ci("headers")
    values, lines, items, custom = {}, {}, {}, {}
    for key in block:
        canonical = KEYS.get(str(key).lower())
        if canonical is not None:
            values[canonical] = block[key]
            lines[canonical] = Source(path, block.line_of(key))
            if isinstance(block[key], LList):
                items[canonical] = [Source(path, block[key].line_of(i)) for i in range(len(block[key]))]
        elif str(key).lower() == "customresponseheaders" and isinstance(block[key], LMap):
            for header, value in block[key].items():
                if str(header).lower().startswith(CORS_PREFIX) or str(header).lower() == VARY:
                    custom[str(header).lower()] = (as_text(value) or "", Source(path, block[key].line_of(header)))
    return Headers(name, values, lines, items, Source(path, parent.line_ci("headers")), custom)


def headers_from_labels(labels: list[tuple[str, str, int]], path: str) -> dict[str, Headers]:
    """`traefik.http.middlewares.<name>.headers.<key>=<value>` labels (keys case-insensitive, lists comma-separated)."""
    found: dict[str, Headers] = {}
    for key, value, line in labels:
        m = re.fullmatch(r"traefik\.http\.middlewares\.([^.]+)\.headers\.([a-z]+)", key, re.IGNORECASE)
        if not m or m.group(2).lower() not in KEYS:
            continue
        canonical = KEYS[m.group(2).lower()]
        mw = found.setdefault(m.group(1), Headers(m.group(1), {}, {}, {}, Source(path, line), {}))
        mw.values[canonical] = value
        mw.lines[canonical] = Source(path, line)
    return found


def rule_target(rule: str) -> tuple[str | None, str]:
    host = re.search(r"Host\(\s*`([^`]+)`", rule or "")
    prefix = re.search(r"Path(?:Prefix)?\(\s*`([^`]+)`", rule or "")
    return (host.group(1) if host else None), (prefix.group(1) if prefix else "/")


def gates_for(middlewares: dict[str, Headers], routers: list[tuple[str, str, list[tuple[str, Source]]]],
              kinds: dict[str, str], chains: dict[str, list[str]], version: tuple[int, ...], facts: list) -> list[Gate]:
    """One gate per router that uses a CORS headers middleware (directly or
    through a chain); one synthetic gate for a middleware no router of this
    file uses.  An auth middleware listed before it is a CORS501 fact."""
    gates: list[Gate] = []
    used = set()
    for router, rule, names in routers:
        flat: list[tuple[str, Source]] = []
        for name, source in names:
            flat.extend((n, source) for n in chains.get(name, [name]))
        for index, (name, source) in enumerate(flat):
            mw = middlewares.get(name)
            if mw is None or not mw.active:
                continue
            used.add(name)
            auth = next(((kinds[n], s) for n, s in flat[:index] if kinds.get(n) in AUTH_KINDS), None)
            if auth is not None:
                facts.append(MiddlewareOrder(source, f"router {router} runs the {auth[0]} middleware before the CORS "
                                                     f"headers middleware {name}: preflights carry no credentials, so "
                                                     f"they are rejected before Traefik can answer them",
                                             [(auth[1], f"{auth[0]} listed first")]))
            host, prefix = rule_target(rule)
            gates.append(_gate(f"router {router} ({name})", scope_url(host, prefix), source, mw, version, auth))
    for name, mw in middlewares.items():
        if mw.active and name not in used:
            gates.append(_gate(f"middleware {name}", scope_url(None, "/"), mw.source, mw, version, None))
    for gate in gates:
        _version_facts(gate, facts)
    return gates


def _gate(name: str, url: str, source: Source, mw: Headers, version, auth) -> TraefikGate:
    scope = Scope(name, url, source, proxied=True)
    gate = TraefikGate(scope, mw, version, auth)
    origins = mw.list("accessControlAllowOriginList")
    scope.origin_sensitive = bool(gate.regexes) or any(o != "*" for o in origins) or (
        "*" in origins and mw.flag("accessControlAllowCredentials") and gate.fixed)
    scope.literal_origins = tuple(o for o in origins if o != "*")
    # Traefik compares each entry with the request's Origin as it is
    scope.origin_entries = tuple((o, mw.line("accessControlAllowOriginList", i)) for i, o in enumerate(origins)
                                 if o != "*")
    scope.origin_patterns = tuple(OriginPattern(r.pattern, False, s) for r, s in gate.regexes)
    scope.emits_cors = bool(origins or gate.regexes)
    return gate


def _version_facts(gate: TraefikGate, facts: list) -> None:
    """CORS503: behaviours that depend on the Traefik version."""
    mw, version = gate.h, describe(gate.version)
    origins = mw.list("accessControlAllowOriginList")
    if "*" in origins and mw.flag("accessControlAllowCredentials"):
        source = mw.line("accessControlAllowOriginList", origins.index("*"))
        if gate.fixed:
            text = (f"assuming Traefik {version}: since v3.6.22/v3.7.6 '*' with accessControlAllowCredentials "
                    f"reflects the request Origin, so every site gets credentialed access (before, Traefik sent a "
                    f"literal '*' that browsers reject with credentials)")
        else:
            text = (f"assuming Traefik {version}: '*' with accessControlAllowCredentials is sent as a literal '*', "
                    f"which browsers reject with credentials; upgrading to v3.6.22/v3.7.6 or later silently turns it "
                    f"into a reflection of any Origin with credentials")
        fact = RiskyDefault(source, text)
        if all(f.source != source for f in facts if isinstance(f, RiskyDefault)):
            facts.append(fact)
    if (not gate.fixed and "accessControlMaxAge" not in mw.values and gate.scope.emits_cors
            and all(f.source != mw.source for f in facts if isinstance(f, RiskyDefault))):
        facts.append(RiskyDefault(mw.source, f"assuming Traefik {version}: without accessControlMaxAge every "
                                             f"preflight answer carries 'Access-Control-Max-Age: 0', so browsers "
                                             f"never cache preflights (fixed in v3.6.22/v3.7.6)"))

