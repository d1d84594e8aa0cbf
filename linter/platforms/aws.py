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

Authorizers (REST APIs): a Cognito or Lambda TOKEN authorizer (SAM `Auth`
`DefaultAuthorizer` or an event's `Auth.Authorizer`; Serverless
`http.authorizer`) answers a request without its identity header
(`Authorization` unless configured) itself, with the UNAUTHORIZED gateway
response (401); the integration never runs, so the Lambda's CORS headers
are not there.  That response carries only the headers the API's gateway
responses set (SAM `GatewayResponses`, Serverless `resources` of Type
`AWS::ApiGateway::GatewayResponse`: UNAUTHORIZED, else DEFAULT_4XX, as
"Gateway response types for API Gateway" documents).  SAM also puts the
default authorizer on the CORS OPTIONS method unless
`AddDefaultAuthorizerToCorsPreflight: false` (ApiAuth documentation), so
the preflight gets that 401 too; Serverless never does.  With the identity
header present the authorizer decides at run time: unknown.
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


class Authorizer:
    """A REST API authorizer in front of a route: the identity headers it
    needs (lower-case; None: it does not say, so any request may pass), the
    line that puts it there, the headers of its 401 (the API's UNAUTHORIZED
    or DEFAULT_4XX gateway response) and whether it guards OPTIONS too."""

    def __init__(self, name: str, identity: tuple[str, ...] | None, source: Source,
                 refusal: list[tuple[str, Value]], on_preflight: bool):
        self.name, self.identity, self.source, self.refusal, self.on_preflight = \
            name, identity, source, refusal, on_preflight

    def guards(self, request: Request) -> bool:
        return request.method != "OPTIONS" or self.on_preflight

    def refusal_answer(self, request: Request) -> Answer | None:
        """The 401 API Gateway sends itself for a request without the identity
        headers (None when the request has them or the identity is unknown)."""
        if self.identity is None or all(request.header(h) for h in self.identity):
            return None
        answer = Answer(401, handler=Handler.AUTH, status_source=self.source,
                        trace=[(f"the authorizer {self.name} refuses a request without "
                                f"{', '.join(self.identity)}: API Gateway answers 401 (UNAUTHORIZED gateway "
                                f"response) and the integration never runs", self.source)])
        for name, value in self.refusal:
            put(answer, name.lower(), value.value, value.source)
        return answer


class MockGate(Gate):
    """A REST API path whose OPTIONS method is a MOCK integration with static headers."""

    def __init__(self, scope: Scope, headers: list[tuple[str, Value]], reflect: list[tuple[re.Pattern, Source]],
                 status_source: Source, tool: str, auth: Authorizer | None = None):
        self.scope, self.headers, self.reflect, self.status_source, self.tool, self.auth = \
            scope, headers, reflect, status_source, tool, auth

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        auth = self.auth if self.auth is not None and self.auth.guards(request) else None
        refused = auth.refusal_answer(request) if auth is not None else None
        if refused is not None:
            return refused
        if request.method != "OPTIONS":
            answer = backend(upstream, "API Gateway passes the request to the Lambda integration, which must add its "
                                       "own CORS headers", self.scope.source)
            if auth is not None:    # the authorizer decides at run time: 401/403 or the integration
                answer.certain = False
            return answer
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
            auth = ep.get("Auth") if isinstance(ep.get("Auth"), LMap) else LMap()
            routes.setdefault(key, []).append((str(ep.get("Method") or "any").upper(), Source(path, event.line),
                                               auth.get("Authorizer"), Source(path, auth.line_of("Authorizer"))
                                               if "Authorizer" in auth else None))
    gates: list[Gate] = []
    for (kind, api, route), methods in routes.items():
        table = rest if kind == "Api" else http
        if api not in table:
            continue
        scope = Scope(f"{kind} {api} {route}", scope_url(None, re.sub(r"\{[^}]+\}", "1", route)), methods[0][1],
                      proxied=True, served_methods=tuple(m[0] for m in methods if m[0] not in ("ANY", "OPTIONS")))
        value, source = table[api]
        gate = _sam_rest(scope, value, source, path, [m[0] for m in methods], facts) if kind == "Api" else \
            _http_api(scope, value, source, path, facts)
        if isinstance(gate, MockGate):
            gate.auth = _sam_authorizer(_api_props(resources, globals_, api), methods, path)
            scope.authenticates = gate.auth is not None
        if gate is not None:
            gates.append(gate)
    return gates


def _api_props(resources: LMap, globals_: LMap, api: str) -> LMap:
    """An `AWS::Serverless::Api`'s Properties over `Globals.Api` (the implicit
    ServerlessRestApi has only the globals)."""
    merged = LMap()
    for block in (globals_.get("Api"), (resources.get(api) or LMap()).get("Properties")
                  if isinstance(resources.get(api), LMap) else None):
        if isinstance(block, LMap):
            merged.update(block)
            merged.lines.update(block.lines)
    return merged


def _sam_authorizer(props: LMap, methods: list, path: str) -> Authorizer | None:
    """The authorizer of a SAM REST route: the event's `Auth.Authorizer`
    (`NONE`: none) else the API's `Auth.DefaultAuthorizer`."""
    auth = props.get("Auth") if isinstance(props.get("Auth"), LMap) else LMap()
    default = auth.get("DefaultAuthorizer")
    name, source = default, Source(path, auth.line_of("DefaultAuthorizer"))
    event = next(((m[2], m[3]) for m in methods if m[2] is not None), None)
    if event is not None:
        name, source = event
    authorizers = auth.get("Authorizers") if isinstance(auth.get("Authorizers"), LMap) else LMap()
    config = authorizers.get(name) if isinstance(name, str) else None
    if not isinstance(config, LMap):
        return None     # NONE, AWS_IAM, or an authorizer this file does not define
    identity = config.get("Identity") if isinstance(config.get("Identity"), LMap) else LMap()
    if "UserPoolArn" in config or config.get("FunctionPayloadType", "TOKEN") == "TOKEN":
        header = identity.get("Header", "Authorization")
        headers = (header.lower(),) if isinstance(header, str) else None
    else:   # a REQUEST authorizer refuses a request missing any identity header it lists
        listed = identity.get("Headers")
        headers = tuple(h.lower() for h in listed if isinstance(h, str)) if isinstance(listed, list) and listed \
            and not identity.get("QueryStrings") else None
    preflight = event is None and name == default and auth.get("AddDefaultAuthorizerToCorsPreflight", True) is not False
    responses = props.get("GatewayResponses") if isinstance(props.get("GatewayResponses"), LMap) else LMap()
    return Authorizer(name, headers, source, _sam_refusal(responses, path), preflight)


def _sam_refusal(responses: LMap, path: str) -> list[tuple[str, Value]]:
    """The headers of the UNAUTHORIZED gateway response (else DEFAULT_4XX) in
    SAM's `GatewayResponses` (values are mapping expressions)."""
    for kind in ("UNAUTHORIZED", "DEFAULT_4XX"):
        response = responses.get(kind)
        if isinstance(response, LMap):
            params = response.get("ResponseParameters") if isinstance(response.get("ResponseParameters"), LMap) \
                else LMap()
            headers = params.get("Headers") if isinstance(params.get("Headers"), LMap) else LMap()
            return [(name, _quoted(value, Source(path, headers.line_of(name)))) for name, value in headers.items()
                    if isinstance(name, str)]
    return []


def _quoted(value, source: Source) -> Value:
    """A gateway response header value: `'literal'`, else unknown."""
    text = as_text(value) if not isinstance(value, Intrinsic) else None
    return Value(text[1:-1] if text and len(text) >= 2 and text[0] == text[-1] == "'" else None, source)


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
            if "authorizer" in http and "auth" not in entry:
                entry["auth"] = (http["authorizer"], Source(path, http.line_of("authorizer")))
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
        auth = _serverless_authorizer(*entry["auth"], _serverless_refusal(doc, path)) if "auth" in entry else None
        scope.authenticates = auth is not None
        gates.append(MockGate(scope, headers, reflect, line, "Serverless", auth))
    return gates


def _serverless_authorizer(spec, source: Source, refusal: list[tuple[str, Value]]) -> Authorizer | None:
    """`http.authorizer`: a function name or ARN (a TOKEN authorizer), or a
    map with `type` and `identitySource` (default: the Authorization
    header).  Serverless never puts it on the CORS OPTIONS method."""
    if isinstance(spec, LMap):
        kind = str(spec.get("type") or "token").lower()
        identity = str(spec.get("identitySource") or "method.request.header.Authorization")
        name = str(spec.get("name") or spec.get("arn") or "authorizer")
    elif isinstance(spec, str):
        kind, identity, name = "token", "method.request.header.Authorization", spec
    else:
        return None
    if kind == "aws_iam":
        return None
    sources = [part.strip() for part in identity.split(",")]
    prefix = "method.request.header."
    headers = tuple(part[len(prefix):].lower() for part in sources if part.startswith(prefix))
    return Authorizer(name, headers if len(headers) == len(sources) and headers else None, source, refusal, False)


def _serverless_refusal(doc: LMap, path: str) -> list[tuple[str, Value]]:
    """The headers of the `AWS::ApiGateway::GatewayResponse` resources (under
    `resources.Resources`) for UNAUTHORIZED, else DEFAULT_4XX."""
    resources = doc.get("resources")
    blocks = resources if isinstance(resources, list) else [resources]
    found: dict[str, list[tuple[str, Value]]] = {}
    for block in blocks:
        table = block.get("Resources") if isinstance(block, LMap) else None
        for res in (table.values() if isinstance(table, LMap) else ()):
            if not isinstance(res, LMap) or res.get("Type") != "AWS::ApiGateway::GatewayResponse":
                continue
            props = res.get("Properties") if isinstance(res.get("Properties"), LMap) else LMap()
            params = props.get("ResponseParameters") if isinstance(props.get("ResponseParameters"), LMap) else LMap()
            prefix = "gatewayresponse.header."
            found.setdefault(str(props.get("ResponseType")), [
                (name[len(prefix):], _quoted(value, Source(path, params.line_of(name))))
                for name, value in params.items() if isinstance(name, str) and name.startswith(prefix)])
    return found.get("UNAUTHORIZED", found.get("DEFAULT_4XX", []))


def _origin_regex(origin: str):
    """The regex Serverless writes for a `cors.origins` entry (`.` literal,
    the first `*` any text); None when the rest is no valid regex (the
    generated template then fails at request time: the entry lets nothing in)."""
    try:
        return saferegex.compile(origin.replace(".", "[.]").replace("*", ".+", 1))
    except (re.error, RecursionError, OverflowError):
        return None

