"""AWS API Gateway CORS as AWS SAM and the Serverless Framework (v3) generate it.

REST APIs have no CORS engine: SAM (`samtranslator/swagger/swagger.py`
`add_cors`, `_options_method_response_for_cors`; `model/api/api_generator.py`
`_add_cors`) and Serverless (`lib/plugins/aws/package/compile/events/
api-gateway/lib/cors.js` `compileCors`, `generateCorsResponseTemplate`;
`validate.js` `getCors`) add an OPTIONS method with a MOCK integration
that answers every OPTIONS request 200 with static headers.  Actual
requests go to the integration (Lambda proxy), which must send its own
CORS headers: unknown here.  SAM values are API Gateway mapping
expressions (`"'https://a.example'"`); SAM refuses `AllowCredentials: true`
with `AllowOrigin: "'*'"`.  Serverless `origins` reflect a matching
Origin through a VTL template (`.`->`[.]`, first `*`->`.+`, Java full
match) and default to the first entry; it never checks `*` + credentials.
HTTP APIs (`AWS::Serverless::HttpApi` `CorsConfiguration`) use API
Gateway's native CORS, documented in "Configure CORS for HTTP APIs":
preflights answered by API Gateway, CORS headers added to integration
responses (exact status codes are not documented: answers are marked uncertain).
"""

from __future__ import annotations

import re

from .. import saferegex
from ..backend import FileOracle, Upstream
from ..cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRM, CORS_PREFIX, MAX_AGE, ORIGIN
from ..model import Answer, Handler, OriginPattern, RejectedAtStartup, Request, Scope, Source
from .base import Gate, as_list, as_text, backend, local, put, scope_url
from .source import Intrinsic, LMap

SERVERLESS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
                      "X-Amz-User-Agent", "X-Amzn-Trace-Id")


class Value:
    """A header value from the manifest and its line (value None: unknown)."""

    def __init__(self, value: str | None, source: Source):
        self.value, self.source = value, source


class MockGate(Gate):
    """A REST API path whose OPTIONS method is a MOCK integration with static headers."""

    def __init__(self, scope: Scope, headers: list[tuple[str, Value]], reflect: list[tuple[re.Pattern, Source]],
                 status_source: Source, tool: str):
        self.scope, self.headers, self.reflect, self.status_source, self.tool = \
            scope, headers, reflect, status_source, tool

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        if request.method != "OPTIONS":
            return backend(upstream, "API Gateway passes the request to the Lambda integration, which must add its "
                                     "own CORS headers", self.scope.source)
        answer = local(200, f"the OPTIONS MOCK integration {self.tool} generates answers 200 with static headers",
                       self.status_source)
        origin = request.header(ORIGIN) or ""
        for name, value in self.headers:
            put(answer, name, value.value, value.source)
        for regex, source in self.reflect:
            if origin and regex.fullmatch(origin):     # `$context.responseOverride` replaces the static value
                for line in answer.lines(ACAO):
                    line.value, line.source = origin, source
                break
        return answer


class HttpApiGate(Gate):
    """An HTTP API route with API Gateway's native CORS."""

    def __init__(self, scope: Scope, config: dict[str, Value], origins: list[Value]):
        self.scope, self.config, self.origins = scope, config, origins

    def allowed(self, origin: str) -> Value | None:
        for entry in self.origins:
            v = entry.value or ""
            if v == "*" or v == origin or (v in ("https://*", "http://*") and origin.startswith(v[:-1])):
                return entry
        return None

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        origin = request.header(ORIGIN)
        entry = self.allowed(origin) if origin else None
        acrm = request.header(ACRM)
        if request.method == "OPTIONS" and origin and acrm:
            answer = local(204, "API Gateway answers the preflight itself (HTTP API CORS)", self.scope.source)
        else:
            answer = backend(upstream, "API Gateway passes the request to the integration and adds the configured "
                                       "CORS headers (it ignores the integration's own)", self.scope.source)
            answer.headers = [h for h in answer.headers if not h.name.startswith(CORS_PREFIX)]
        answer.certain = False
        if entry is None:
            return answer
        credentials = self.config.get("AllowCredentials")
        value = "*" if entry.value == "*" and not (credentials and credentials.value == "true") else origin
        put(answer, ACAO, value, entry.source)
        if credentials and credentials.value == "true":
            put(answer, ACAC, "true", credentials.source)
        keys = (("AllowMethods", ACAM), ("AllowHeaders", ACAH),
                ("MaxAge", MAX_AGE)) if answer.handler == Handler.MIDDLEWARE else \
            (("ExposeHeaders", ACEH),)
        for key, name in keys:
            if key in self.config and self.config[key].value:
                put(answer, name, self.config[key].value, self.config[key].source)
        return answer


def _mapping_expression(value, source: Source, what: str, facts: list) -> Value:
    """A SAM header value: a quoted literal `'x'`, else unknown (and, for a
    bare literal, a deploy-time error)."""
    if isinstance(value, Intrinsic) or value is None:
        return Value(None, source)
    text = as_text(value) or ""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return Value(text[1:-1], source)
    if re.fullmatch(r"(method\.request|stageVariables|context)\..+", text):
        return Value(None, source)
    facts.append(RejectedAtStartup(source, f"{what} {text!r} is not an API Gateway mapping expression: string "
                                           f"literals must be quoted twice (\"'{text}'\"), or the deployment fails "
                                           f"with \"Invalid mapping expression specified\""))
    return Value(None, source)


def sam(doc: LMap, path: str, facts: list) -> list[Gate]:
    """`AWS::Serverless::Api` `Cors` (and `Globals.Api.Cors`), `AWS::Serverless::HttpApi` `CorsConfiguration`."""
    resources = doc.get("Resources") if isinstance(doc.get("Resources"), LMap) else LMap()
    globals_ = doc.get("Globals") if isinstance(doc.get("Globals"), LMap) else LMap()
    rest: dict[str, tuple] = {}
    http: dict[str, tuple] = {}
    for kind, key, table, default in (("Api", "Cors", rest, "ServerlessRestApi"),
                                      ("HttpApi", "CorsConfiguration", http, "ServerlessHttpApi")):
        block = globals_.get(kind)
        if isinstance(block, LMap) and key in block:
            table[default] = (block[key], Source(path, block.line_of(key)))
        for name, res in resources.items():
            if isinstance(res, LMap) and res.get("Type") == f"AWS::Serverless::{kind}":
                props = res.get("Properties") if isinstance(res.get("Properties"), LMap) else LMap()
                if key in props:
                    table[name] = (props[key], Source(path, props.line_of(key)))
                elif name not in table and default in table:
                    table[name] = table[default]
    routes: dict[tuple, list] = {}
    for name, res in resources.items():
        if not (isinstance(res, LMap) and res.get("Type") == "AWS::Serverless::Function"):
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), LMap) else LMap()
        events = props.get("Events")
        for event in (events.values() if isinstance(events, LMap) else ()):
            if not isinstance(event, LMap) or event.get("Type") not in ("Api", "HttpApi"):
                continue
            ep = event.get("Properties") if isinstance(event.get("Properties"), LMap) else LMap()
            api_ref = ep.get("RestApiId") if event["Type"] == "Api" else ep.get("ApiId")
            api = api_ref.value if isinstance(api_ref, Intrinsic) else api_ref
            api = api if isinstance(api, str) else ("ServerlessRestApi" if event["Type"] == "Api" else "ServerlessHttpApi")
            key = (event["Type"], api, str(ep.get("Path") or "/"))
            routes.setdefault(key, []).append((str(ep.get("Method") or "any").upper(), Source(path, event.line)))
    gates: list[Gate] = []
    for (kind, api, route), methods in routes.items():
        table = rest if kind == "Api" else http
        if api not in table:
            continue
        scope = Scope(f"{kind} {api} {route}", scope_url(None, re.sub(r"\{[^}]+\}", "1", route)), methods[0][1],
                      proxied=True, served_methods=tuple(m for m, _ in methods if m not in ("ANY", "OPTIONS")))
        value, source = table[api]
        gate = _sam_rest(scope, value, source, path, [m for m, _ in methods], facts) if kind == "Api" else \
            _http_api(scope, value, source, path, facts)
        if gate is not None:
            gates.append(gate)
    return gates


def _sam_rest(scope: Scope, cors, source: Source, path: str, methods: list[str], facts: list) -> MockGate | None:
    props = cors if isinstance(cors, LMap) else LMap(source.line)
    line = (lambda key: Source(path, props.line_of(key))) if isinstance(cors, LMap) else (lambda key: source)
    origin_raw = props.get("AllowOrigin") if isinstance(cors, LMap) else cors
    if origin_raw is None:
        return None
    origin = _mapping_expression(origin_raw, line("AllowOrigin"), "AllowOrigin", facts)
    credentials = props.get("AllowCredentials") is True
    if credentials and origin.value == "*":
        facts.append(RejectedAtStartup(line("AllowCredentials"), "SAM refuses this template (InvalidResourceException: "
                                                                 "Cors AllowCredentials can not be true when AllowOrigin "
                                                                 "is \"'*'\")", [(origin.source, "AllowOrigin '*'")]))
        return None
    every = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
    names = set(every) if "ANY" in methods else {m for m in methods} | {"OPTIONS"}
    allowed = _mapping_expression(props["AllowMethods"], line("AllowMethods"), "AllowMethods", facts) \
        if "AllowMethods" in props else Value(",".join(sorted(names)), line("AllowOrigin"))
    headers = [(ACAO, origin)]
    if "AllowHeaders" in props:
        headers.append((ACAH, _mapping_expression(props["AllowHeaders"], line("AllowHeaders"), "AllowHeaders", facts)))
    headers.append((ACAM, allowed))
    if "MaxAge" in props:
        age = props["MaxAge"]
        headers.append((MAX_AGE, Value(str(age), line("MaxAge")) if isinstance(age, int) else
                        _mapping_expression(age, line("MaxAge"), "MaxAge", facts)))
    if credentials:
        headers.append((ACAC, Value("true", line("AllowCredentials"))))
    scope.emits_cors = True
    scope.origin_sensitive = False
    scope.literal_origins = (origin.value,) if origin.value else ()
    return MockGate(scope, headers, [], source, "SAM")


def _http_api(scope: Scope, cors, source: Source, path: str, facts: list) -> HttpApiGate | None:
    if cors is True:
        config = {k: Value("*", source) for k in ("AllowMethods", "AllowHeaders")}
        origins = [Value("*", source)]
    elif isinstance(cors, LMap):
        config = {}
        for key in ("AllowHeaders", "AllowMethods", "ExposeHeaders"):
            if key in cors:
                config[key] = Value(",".join(str(v) for v in as_list(cors[key])), Source(path, cors.line_of(key)))
        if "MaxAge" in cors:
            config["MaxAge"] = Value(as_text(cors["MaxAge"]), Source(path, cors.line_of("MaxAge")))
        if "AllowCredentials" in cors:
            config["AllowCredentials"] = Value(as_text(cors["AllowCredentials"]),
                                               Source(path, cors.line_of("AllowCredentials")))
        listed = cors.get("AllowOrigins")
        origins = [Value(str(o), Source(path, listed.line_of(i))) for i, o in enumerate(listed)] \
            if isinstance(listed, list) else []
    else:
        return None
    creds = config.get("AllowCredentials")
    wildcard = next((o for o in origins if o.value == "*"), None)
    if creds is not None and creds.value == "true" and wildcard is not None:
        facts.append(RejectedAtStartup(creds.source, "API Gateway refuses AllowCredentials with the '*' origin: the "
                                                     "deployment fails", [(wildcard.source, "AllowOrigins '*'")]))
        return None
    scope.emits_cors = bool(origins)
    scope.literal_origins = tuple(o.value for o in origins if o.value and "*" not in o.value)
    return HttpApiGate(scope, config, origins)


def serverless(doc: LMap, path: str, facts: list) -> list[Gate]:
    """Serverless Framework v3 `http` events with `cors` (REST API, MOCK OPTIONS)."""
    by_path: dict[str, dict] = {}
    functions = doc.get("functions") if isinstance(doc.get("functions"), LMap) else LMap()
    for function in functions.values():
        if not isinstance(function, LMap):
            continue
        for event in function.get("events") or []:
            http = event.get("http") if isinstance(event, LMap) else None
            if isinstance(http, str):
                method, _, route = http.partition(" ")
                http = LMap(event.line)
                http.update(method=method, path=route)
            if not isinstance(http, LMap) or not http.get("cors"):
                continue
            route = "/" + str(http.get("path") or "").strip("/")
            entry = by_path.setdefault(route, {"methods": ["OPTIONS"], "cors": http["cors"],
                                               "line": Source(path, http.line_of("cors")), "event": http})
            method = str(http.get("method") or "GET").upper()
            if method not in entry["methods"]:
                entry["methods"].append(method)
    gates: list[Gate] = []
    for route, entry in by_path.items():
        cors, line = entry["cors"], entry["line"]
        props = cors if isinstance(cors, LMap) else LMap(line.line)
        at = (lambda key, props=props, line=line: Source(path, props.line_of(key)) if key in props else line)
        origins = [str(o) for o in as_list(props.get("origins"))] if "origins" in props else []
        origin = as_text(props.get("origin")) if "origin" in props else "*"
        origin_line = at("origins") if origins else at("origin")
        if origin and "," in origin:
            origins = [o.strip() for o in origin.split(",")]
        if origins:
            origin = origins[0]
        unknown = (lambda v: None if v is None or "${" in v else v)
        headers = [(ACAO, Value(unknown(origin), origin_line)),
                   (ACAH, Value(unknown(",".join(str(h) for h in as_list(props.get("headers")))) if "headers" in props
                          else ",".join(SERVERLESS_HEADERS), at("headers"))),
                   (ACAM, Value(",".join(str(m) for m in as_list(props.get("methods"))) if "methods" in props
                          else ",".join(entry["methods"]), at("methods")))]
        if props.get("allowCredentials"):
            headers.append((ACAC, Value(as_text(props["allowCredentials"]), at("allowCredentials"))))
        if props.get("maxAge"):
            headers.append((MAX_AGE, Value(as_text(props["maxAge"]), at("maxAge"))))
        reflect = [(compiled, origin_line) for compiled in map(_origin_regex, origins) if compiled is not None]
        scope = Scope(f"http {route}", scope_url(None, re.sub(r"\{[^}]+\}", "1", route)), line, proxied=True,
                      served_methods=tuple(m for m in entry["methods"] if m not in ("OPTIONS", "ANY")))
        scope.origin_sensitive = bool(reflect)
        scope.literal_origins = tuple(o for o in origins if "*" not in o) or ((origin,) if origin and origin != "*"
                                                                               else ())
        scope.origin_patterns = tuple(OriginPattern(r.pattern, False, s, full_match=True) for r, s in reflect
                                      if "+" in r.pattern)
        gates.append(MockGate(scope, headers, reflect, line, "Serverless"))
    return gates


def _origin_regex(origin: str):
    """The regex Serverless writes for a `cors.origins` entry (`.` literal,
    the first `*` any text); None when the rest is no valid regex (the
    generated template then fails at request time: the entry lets nothing in)."""
    try:
        return saferegex.compile(origin.replace(".", "[.]").replace("*", ".+", 1))
    except (re.error, RecursionError, OverflowError):
        return None

