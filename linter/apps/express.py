"""Express 4 and 5 applications with the `cors` package, read with tree-sitter.

The file is parsed, never run.  Every `app.use(...)`, `router.use(...)`,
`app.METHOD(path, ...)`, `app.route(path).METHOD(...)` becomes a *layer*
in registration order, exactly as Express stacks them; its handlers are
`cors(...)` calls (express_cors), small functions the interpreter can follow
(hand-written CORS or auth middleware, route handlers: express_runtime),
mounted routers, or opaque middleware (`helmet()`, `passport.authenticate()`).
`answer` walks the stack the way Express's router does: path match (per
major version, express_paths), method match, handlers in order until one
answers; an unanswered OPTIONS to a known path gets Express's automatic
200 with `Allow`, anything else finalhandler's 404, and the headers set on
the way stay on both.  The major version comes from the nearest
package.json that names express; without one Express 5 is assumed, and the
messages say so.
"""

from __future__ import annotations

import json
import os
import re

from ..diagnostics import InputError
from ..model import Answer, Request, Scope, Source
from ..record import field, record
from .base import AppModel, MiddlewareOrder, ParsedApp, RejectedAtStartup, Route
from .express_cors import CorsCall
from .express_js import (UNDEFINED, CallValue, Interpreter, JsFunction, JsRegex, Module, ModuleRef, Return, Stop,
                         Thrown, parse, unwrap)
from .express_paths import Matcher, PathError, compile_path, example
from .express_runtime import Outcome, Response, run_handler
from .pyvalues import Unknown

#: methods a browser sends without a preflight (when the headers are simple too)
SIMPLE = {"GET", "HEAD", "POST"}
METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "all")
#: middleware packages that never answer a request of their own nor touch CORS headers
PASSTHROUGH = {"express": ("json", "urlencoded", "raw", "text", "static"), "body-parser": None, "morgan": None,
               "helmet": None, "compression": None, "cookie-parser": None, "express-session": None,
               "express-rate-limit": None, "hpp": None, "response-time": None}
_AUTH = re.compile(r"auth|jwt|passport|login|guard|protect|verify.?token|require.?user|session.?required", re.I)
_CORS_TEXT = re.compile(r"access-control-", re.I)
_ORIGIN_TEXT = re.compile(r"""\borigin\b""", re.I)


@record
class Opaque:
    """Middleware the linter cannot see into: passes requests on, except
    authentication, which answers 401 to requests without credentials."""

    name: str
    source: Source
    auth: bool = False
    known: bool = False


@record
class Handler:
    """A function written in the file (hand-written middleware or a route handler)."""

    fn: JsFunction
    source: Source

    @property
    def text(self) -> str:
        return self.fn.node.text.decode("utf-8", "replace")

    @property
    def emits_cors(self) -> bool:
        return bool(_CORS_TEXT.search(self.text))

    @property
    def reads_origin(self) -> bool:
        return self.emits_cors and bool(_ORIGIN_TEXT.search(self.text.replace("Access-Control-Allow-Origin", "")))

    @property
    def auth(self) -> bool:
        return bool(re.search(r"authori[sz]ation|\btoken|session|cookie|req\.user|isAuthenticated", self.text, re.I))


@record
class Layer:
    """One entry of a router's stack."""

    kind: str                      # "use" or "route"
    pattern: object                # str, JsRegex, list, or None (every path)
    source: Source
    matcher: Matcher | None
    methods: list[str] | None = None      # route: upper-case methods, None for `all`
    handlers: list = field(default_factory=list)
    error: str | None = None       # Express 5 refuses the path at registration

    def handles(self, method: str) -> bool:
        if self.methods is None:
            return True
        return method in self.methods or (method == "HEAD" and "GET" in self.methods)


@record
class Router:
    """An app or `express.Router()`: its stack of layers."""

    name: str
    layers: list[Layer] = field(default_factory=list)


class ExpressModel(AppModel):
    """The app as Express + cors would run it."""

    def __init__(self, path: str, parsed: ParsedApp, module: Module | None, app: Router | None, version: int,
                 version_note: str):
        self.module = module
        self.app = app or Router("app")
        self.version = version
        self.version_note = version_note
        super().__init__(path, parsed, self._routes())

    # -- answers ---------------------------------------------------------------------------------
    def answer(self, request: Request, **_kwargs) -> Answer:
        rejected = next(self._rejected(), None)
        if rejected is not None:
            return Answer(None, handler="unknown", certain=False,
                          trace=[("the application never starts: " + rejected.message, rejected.source)])
        response = Response()
        outcome = self._dispatch(self.app, request, request.path, response)
        if outcome.kind == "next":
            response.end(404, None, "not-found")
            response.trace.append(("no layer answers: finalhandler's 404", None))
        elif outcome.kind == "error":
            response.end(500, response.status_source, response.handler or "middleware")
            response.trace.append((f"an error reaches finalhandler: 500 ({outcome.value})", None))
        elif outcome.kind == "unknown":
            response.status, response.handler, response.certain = None, "unknown", False
        return Answer(response.status, response.lines(), response.status_source, response.handler,
                      trace=response.trace, certain=response.certain)

    def _dispatch(self, router: Router, request: Request, path: str, response: Response) -> Outcome:
        """Express's `router.handle`: layers in order, auto-OPTIONS at the end."""
        method = request.method.upper()
        allow: list[str] = []
        for layer in router.layers:
            matched = layer.matcher.match(path) if layer.matcher is not None else None
            if matched is None:
                continue
            if layer.kind == "route" and not layer.handles(method):
                if method == "OPTIONS":
                    allow.extend(m for m in _allow(layer.methods) if m not in allow)
                continue
            outcome = self._run_layer(layer, request, path, matched, response)
            if outcome.kind != "next":
                return outcome
        if method == "OPTIONS" and allow:
            response.set("allow", [(", " if self.version == 5 else ",").join(allow)], None)
            response.end(200, None, "auto-options")
            response.trace.append(("Express answers OPTIONS itself (no handler for it): 200 with Allow", None))
            return Outcome("end")
        return Outcome("next")

    def _run_layer(self, layer: Layer, request: Request, path: str, matched: str, response: Response) -> Outcome:
        for i, handler in enumerate(layer.handlers):
            final = layer.kind == "route" and i == len(layer.handlers) - 1
            if isinstance(handler, CorsCall):
                outcome = handler.apply(self.module, request, response, path)
            elif isinstance(handler, Handler):
                outcome = run_handler(self.module, handler.fn, request, response, self.path, path, final)
                if outcome.kind == "end" and response.handler == "middleware" and response.status in (401, 403) \
                        and handler.auth:
                    response.handler = "auth"
            elif isinstance(handler, Router):
                rest = path[len(matched):] if layer.kind == "use" else path
                outcome = self._dispatch(handler, request, rest if rest.startswith("/") else "/" + rest, response)
            else:
                outcome = self._opaque(handler, request, response, final)
            if outcome.kind == "route":
                return Outcome("next")
            if outcome.kind != "next":
                return outcome
        return Outcome("next")

    @staticmethod
    def _opaque(handler: Opaque, request: Request, response: Response, final: bool) -> Outcome:
        if final:
            response.end(200, handler.source, "app")
            return Outcome("end")
        if handler.auth:
            response.certain = False
            if request.header("authorization") is None and request.header("cookie") is None:
                response.end(401, handler.source, "auth")
                response.trace.append((f"{handler.name} is authentication: a request without credentials "
                                       f"gets 401 (assumed)", handler.source))
                return Outcome("end")
        elif not handler.known:
            response.certain = False
        return Outcome("next")

    # -- scopes --------------------------------------------------------------------------------------
    def _routes(self) -> list[Route]:
        """Routes merged by path (one scope per resource), plus `/` when CORS covers every path."""
        merged: dict[str, Route] = {}
        for layer, prefix in _route_layers(self.app, ""):
            if layer.methods is not None and set(layer.methods) <= {"OPTIONS"}:
                continue
            path = example(layer.pattern) if isinstance(layer.pattern, str) else None
            if path is None:
                continue
            full = (prefix.rstrip("/") + path) if prefix else path
            pattern = (prefix.rstrip("/") + layer.pattern) if prefix else layer.pattern
            route = merged.get(pattern)
            if route is not None and route.methods is not None and set(route.methods) <= SIMPLE \
                    and not set(layer.methods or ["PUT"]) <= SIMPLE:
                route.source = layer.source     # point at the route whose requests need a preflight
            if route is None:
                merged[pattern] = Route(pattern, None if layer.methods is None else tuple(layer.methods),
                                        layer.source, full or "/")
            elif route.methods is not None:
                route.methods = None if layer.methods is None else route.methods + tuple(
                    m for m in layer.methods if m not in route.methods)
        routes = list(merged.values())
        covering = [layer for layer in self.app.layers if layer.kind == "use" and layer.pattern is None
                    and any(_emits(h) for h in layer.handlers)]
        if covering and not any(r.example == "/" for r in routes):
            routes.append(Route("/", None, covering[0].source, "/"))
        return routes

    def scope_for(self, route: Route) -> Scope:
        scope = super().scope_for(route)
        handlers = list(self._handlers_on(self.app, route.example))
        cors_calls = [h for h in handlers if isinstance(h, CorsCall)]
        written = [h for h in handlers if isinstance(h, Handler) and h.emits_cors]
        scope.emits_cors = bool(cors_calls or written) or any(isinstance(h, Opaque) and not h.known
                                                              for h in handlers)
        scope.origin_sensitive = any(c.origin_sensitive() for c in cors_calls) or any(h.reads_origin
                                                                                     for h in written)
        scope.origin_patterns = tuple(p for c in cors_calls for p in c.origin_patterns()) + tuple(
            _written_patterns(written, self.module))
        scope.literal_origins = tuple(o for c in cors_calls for o in c.literal_origins()) + tuple(
            _written_literals(written, self.module))
        scope.origin_entries = tuple(entry for c in cors_calls for entry in c.origin_entries())
        scope.authenticates = any((isinstance(h, Opaque) and h.auth) or (isinstance(h, Handler) and h.auth
                                                                         and not h.emits_cors) for h in handlers)
        return scope

    def _handlers_on(self, router: Router, path: str):
        """Every handler of a layer whose path matches, whatever the method."""
        for layer in router.layers:
            matched = layer.matcher.match(path) if layer.matcher is not None else None
            if matched is None:
                continue
            for handler in layer.handlers:
                if isinstance(handler, Router):
                    rest = path[len(matched):] if layer.kind == "use" else path
                    yield from self._handlers_on(handler, rest if rest.startswith("/") else "/" + rest)
                else:
                    yield handler

    # -- facts ---------------------------------------------------------------------------------------
    def facts(self):
        yield from self._rejected()
        yield from self._order(self.app)

    def _rejected(self):
        for layer, _prefix in _all_layers(self.app, ""):
            if layer.error:
                hint = " (use '/{*splat}' or the regex /.*/ for every path)" if layer.pattern == "*" else ""
                yield RejectedAtStartup(layer.source, f"Express {self.version} refuses the path "
                                                      f"{layer.pattern!r} when it is registered ({layer.error}), "
                                                      f"so the application never starts{hint}{self.version_note}")

    def _order(self, router: Router):
        """CORS501: cors registered after routes it should cover, or after authentication."""
        for i, layer in enumerate(router.layers):
            for handler in layer.handlers:
                if isinstance(handler, Router):
                    yield from self._order(handler)
            cors = next((h for h in layer.handlers if _emits(h)), None)
            if cors is None:
                continue
            earlier = router.layers[:i]
            if layer.kind == "use":
                routes = [r for r in earlier if r.kind == "route" and _covers(layer, r)
                          and not (r.methods is not None and set(r.methods) <= {"OPTIONS"})
                          and not any(_emits(h) for h in r.handlers)]
                if routes:
                    names = ", ".join(f"{'/'.join(r.methods or ['ALL'])} {r.pattern}" for r in routes[:3])
                    yield MiddlewareOrder(cors.source, f"the CORS middleware is registered after the route(s) {names}: "
                                                       f"Express runs layers in order, so their responses are sent "
                                                       f"before it runs and carry no CORS headers",
                                          [(r.source, "route registered before the CORS middleware") for r in routes])
            before = [h for lay in earlier if lay.kind == "use" and _covers(lay, layer) for h in lay.handlers]
            before += layer.handlers[:layer.handlers.index(cors)]
            auth = next((h for h in before if (isinstance(h, Opaque) and h.auth)
                         or (isinstance(h, Handler) and h.auth and not h.emits_cors)), None)
            if auth is not None:
                yield MiddlewareOrder(cors.source, "the CORS middleware runs after authentication "
                                                   f"({_name(auth)}): preflights never carry credentials, so they "
                                                   f"are refused before cors can answer them",
                                      [(auth.source, "authentication registered before the CORS middleware")])

    def size(self) -> int:
        return len(self.routes)


def _allow(methods: list[str] | None) -> list[str]:
    if methods is None:
        return []
    out = list(methods)
    if "GET" in out and "HEAD" not in out:
        out.insert(out.index("GET") + 1, "HEAD")
    return out


def _emits(handler) -> bool:
    return isinstance(handler, CorsCall) or (isinstance(handler, Handler) and handler.emits_cors)


def _name(handler) -> str:
    return handler.name if isinstance(handler, Opaque) else f"the function at line {handler.source.line}"


def _covers(outer: Layer, inner: Layer) -> bool:
    """`outer` runs for (some) requests that reach `inner`: either one's path reaches the other."""
    if outer.matcher is None or inner.matcher is None:
        return False
    inner_path = (example(inner.pattern) if isinstance(inner.pattern, str) else None) or "/"
    outer_path = (example(outer.pattern) if isinstance(outer.pattern, str) else None) or "/"
    return outer.matcher.match(inner_path) is not None or (
        inner.kind == "use" and inner.matcher.match(outer_path) is not None)


def _route_layers(router: Router, prefix: str):
    for layer, pre in _all_layers(router, prefix):
        if layer.kind == "route":
            yield layer, pre


def _all_layers(router: Router, prefix: str, seen=None):
    seen = seen if seen is not None else set()
    if id(router) in seen:
        return
    seen.add(id(router))
    for layer in router.layers:
        yield layer, prefix
        for handler in layer.handlers:
            if isinstance(handler, Router):
                sub = prefix + (layer.pattern if isinstance(layer.pattern, str) and layer.pattern != "/" else "")
                yield from _all_layers(handler, sub, seen)


def _written_literals(written: list[Handler], module: Module | None):
    """Origins a hand-written CORS middleware spells (inline or in module-level constants)."""
    from ..origins import is_origin

    for handler in written:
        for node in _descendants(handler.fn.node):
            if node.type in ("string", "identifier") and module is not None:
                value = module.binding(node.text.decode()) if node.type == "identifier" else \
                    Interpreter(module).eval(node, module.root)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and is_origin(item):
                        yield item


def _written_patterns(written: list[Handler], module: Module | None):
    """Regexes a hand-written CORS middleware tests the origin with."""
    from ..model import OriginPattern

    for handler in written:
        for node in _descendants(handler.fn.node):
            if node.type == "regex" and module is not None:
                value = Interpreter(module).eval(node, module.root)
                yield OriginPattern(value.pattern, "i" in value.flags, Source(handler.source.path, value.line))


def _descendants(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


# -- reading the file ------------------------------------------------------------------------------------

class _Reader:
    """Builds the routers from every registration call in the file, in source order."""

    def __init__(self, module: Module, path: str, version: int):
        self.module = module
        self.path = path
        self.version = version
        self.interp = Interpreter(module)
        self.routers: dict[str, Router] = {}
        self.chains: dict[int, Layer] = {}
        self.app: Router | None = None

    def read(self) -> Router | None:
        root = self.module.tree.root_node
        for node in _descendants(root):
            if node.type == "variable_declarator":
                self._declare(node)
        for node in _descendants(root):
            if node.type == "call_expression":
                self._registration(node)
        return self.app or next(iter(self.routers.values()), None)

    def _declare(self, node) -> None:
        name, value = node.child_by_field_name("name"), unwrap(node.child_by_field_name("value"))
        if name is None or name.type != "identifier" or value is None or value.type != "call_expression":
            return
        callee = self._callee(value)
        if callee in (("express", ""), ("express", "default")):
            router = self.routers.setdefault(name.text.decode(), Router(name.text.decode()))
            self.app = self.app or router
        elif callee in (("express", "Router"), ("express", "default.Router")):
            self.routers.setdefault(name.text.decode(), Router(name.text.decode()))

    def _callee(self, call) -> tuple[str, str] | None:
        fn = unwrap(call.child_by_field_name("function"))
        value = self._value(fn) if fn.type in ("identifier", "member_expression") else None
        if isinstance(value, ModuleRef):
            return value.module, value.member
        return None

    def _value(self, node):
        try:
            return self.interp.eval(node, self.module.root)
        except (Thrown, Return, Stop, RecursionError):   # code that fails or escapes: simply unknown
            return None

    def _source(self, node) -> Source:
        return Source(self.path, node.start_point[0] + 1)

    def _registration(self, call) -> None:
        fn = unwrap(call.child_by_field_name("function"))
        if fn.type != "member_expression":
            return
        method = fn.child_by_field_name("property").text.decode()
        target = unwrap(fn.child_by_field_name("object"))
        args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
        if target.type == "identifier" and target.text.decode() in self.routers:
            router = self.routers[target.text.decode()]
            if method == "use":
                self._use(router, call, args)
            elif method in METHODS and len(args) >= 2:
                self._route(router, call, method, args[0], args[1:])
            elif method == "route" and args:
                self._chain(router, call, args[0])
        elif target.type == "call_expression" and method in METHODS:
            layer = self._chain_of(target)
            if layer is not None:     # one sub-layer per method, like Express's Route stack
                upper = None if method == "all" else [method.upper()]
                sub = Layer("route", None, self._source(call), Matcher(None, everything=True), upper,
                            self._handlers(args))
                layer.handlers[0].layers.insert(0, sub)     # outer calls are met first
                if layer.methods is not None:
                    layer.methods = None if upper is None else upper + [m for m in layer.methods if m != upper[0]]

    def _chain_of(self, call) -> Layer | None:
        """The route layer of `app.route(path)` at the root of a method chain."""
        fn = unwrap(call.child_by_field_name("function"))
        if fn.type != "member_expression":
            return None
        method = fn.child_by_field_name("property").text.decode()
        target = unwrap(fn.child_by_field_name("object"))
        args = call.child_by_field_name("arguments").named_children
        if method == "route" and target.type == "identifier" and target.text.decode() in self.routers and args:
            return self._chain(self.routers[target.text.decode()], call, args[0])
        if method in METHODS and target.type == "call_expression":
            return self._chain_of(target)
        return None

    def _chain(self, router: Router, call, path_node) -> Layer:
        layer = self.chains.get(call.id)
        if layer is None:
            layer = self._layer("route", path_node, call, end=True)
            layer.methods = []
            layer.handlers = [Router("route")]
            self.chains[call.id] = layer
            router.layers.append(layer)
        return layer

    def _use(self, router: Router, call, args) -> None:
        if not args:
            return
        first = self._value(args[0])
        is_path = isinstance(first, (str, JsRegex)) or (isinstance(first, list) and first
                                                        and all(isinstance(p, (str, JsRegex)) for p in first))
        layer = self._layer("use", args[0] if is_path else None, call, end=False)
        layer.handlers = self._handlers(args[1:] if is_path else args)
        router.layers.append(layer)

    def _route(self, router: Router, call, method: str, path_node, handler_nodes) -> None:
        layer = self._layer("route", path_node, call, end=True)
        layer.methods = None if method == "all" else [method.upper()]
        layer.handlers = self._handlers(handler_nodes)
        router.layers.append(layer)

    def _layer(self, kind: str, path_node, call, end: bool) -> Layer:
        pattern = self._value(path_node) if path_node is not None else None
        layer = Layer(kind, pattern, self._source(call), None)
        if pattern is None or isinstance(pattern, (str, JsRegex, list)):
            try:
                layer.matcher = compile_path(pattern, self.version, end)
            except PathError as exc:
                layer.error = str(exc)
        return layer

    def _handlers(self, nodes) -> list:
        out: list = []
        for node in nodes:
            node = unwrap(node)
            if node.type == "array":
                out.extend(self._handlers(node.named_children))
                continue
            value = self._value(node)
            source = self._source(node)
            if isinstance(value, JsFunction):
                if len(value.params) < 4:     # 4 parameters: an error handler, skipped on the normal path
                    out.append(Handler(value, Source(self.path, value.line) if node.type == "identifier"
                                       else source))
            elif node.type == "identifier" and node.text.decode() in self.routers:
                out.append(self.routers[node.text.decode()])
            elif isinstance(value, CallValue) and isinstance(value.callee, ModuleRef) \
                    and value.callee.module == "cors" and value.callee.member in ("", "default"):
                out.append(self._cors(value, source))
            else:
                out.append(self._opaque(node, value, source))
        return out

    def _opaque(self, node, value, source: Source) -> Opaque:
        name = node.text.decode("utf-8", "replace").split("(")[0][:60]
        callee = value.callee if isinstance(value, CallValue) else value
        known = False
        if isinstance(callee, ModuleRef) and callee.module in PASSTHROUGH:
            members = PASSTHROUGH[callee.module]
            known = members is None or callee.member in members
        return Opaque(name, source, auth=bool(_AUTH.search(name)) and not known, known=known)

    def _cors(self, value: CallValue, source: Source) -> CorsCall:
        arg = self.interp.eval(value.args[0], value.env) if value.args else UNDEFINED
        call = CorsCall(_opaque_calls_unknown(arg), source)
        obj = _object_node(self.module, value.args[0]) if value.args else None
        if obj is not None:
            _option_lines(self.module, obj, call)
        return call


def _opaque_calls_unknown(value):
    """Options that come from another module's function (`origin: loadOrigins()`) are unknown."""
    if isinstance(value, CallValue):
        return Unknown(f"the result of {value.node.text.decode()[:40]}")
    if isinstance(value, dict):
        return {k: _opaque_calls_unknown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_opaque_calls_unknown(v) for v in value]
    return value


def _object_node(module: Module, node):
    """The object literal behind an options argument (inline or a module-level const)."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        bound = module.nodes.get(node.text.decode())
        node = unwrap(bound) if bound is not None and not isinstance(bound, (tuple, ModuleRef)) else None
    return node if node is not None and node.type == "object" else None


def _option_lines(module: Module, obj, call: CorsCall) -> None:
    for child in obj.named_children:
        if child.type == "spread_element":
            inner = _object_node(module, child.named_children[0])
            if inner is not None:
                _option_lines(module, inner, call)
        elif child.type in ("pair", "shorthand_property_identifier"):
            key = child.child_by_field_name("key") if child.type == "pair" else child
            name = key.text.decode().strip("'\"")
            call.option_lines[name] = child.start_point[0] + 1
            value = child.child_by_field_name("value") if child.type == "pair" else child
            if name == "origin":
                array = _array_node(module, value)
                if array is not None:
                    call.entry_lines = [e.start_point[0] + 1 for e in array.named_children if e.type != "comment"]


def _array_node(module: Module, node):
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        bound = module.nodes.get(node.text.decode())
        node = unwrap(bound) if bound is not None and not isinstance(bound, (tuple, ModuleRef)) else None
    if node is None or node.type != "array" or any(c.type == "spread_element" for c in node.named_children):
        return None
    return node


def express_version(path: str) -> tuple[int, str]:
    """The Express major version from the nearest package.json naming express (else 5, said in messages)."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(6):
        candidate = os.path.join(folder, "package.json")
        if os.path.isfile(candidate):
            from ..confine import unreadable

            try:
                if unreadable(candidate):
                    raise ValueError("too large")
                with open(candidate, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError, RecursionError):
                data = {}
            if not isinstance(data, dict):      # a package.json that is a list, a number...
                data = {}
            for section in ("dependencies", "devDependencies", "peerDependencies"):
                deps = data.get(section)
                spec = str(deps.get("express", "")) if isinstance(deps, dict) else ""
                found = re.search(r"\d+", spec)
                if found:
                    return int(found.group(0)), ""
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return 5, " (Express 5 assumed: no package.json next to the app names an express version)"


def load(path: str, display: str) -> ExpressModel:
    """The model of one Express application file."""
    parsed = ParsedApp(display, [display])
    try:
        with open(path, "rb") as fh:
            source = fh.read()
    except OSError as exc:
        raise InputError(display, None, f"cannot read this file: {exc}") from None
    tree, errors = parse(source, path)
    text = source.decode("utf-8", errors="replace").encode("utf-8")
    if text != source and not errors:
        # Node reads sources as UTF-8 and turns invalid bytes into U+FFFD: in a
        # string or a comment that is no error (outside one, the parse of the
        # bytes above already failed); the model reads the decoded text
        source = text
        tree, errors = parse(source, path)
    version, note = express_version(path)
    if errors:
        parsed.errors = [InputError(display, line, f"cannot parse this file: {message}", column)
                         for line, column, message in errors]
        return ExpressModel(display, parsed, None, None, version, note)
    module = Module(tree, source, display)
    app = _Reader(module, display, version).read()
    return ExpressModel(display, parsed, module, app, version, note)

