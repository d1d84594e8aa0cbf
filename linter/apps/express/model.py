"""Express 4 and 5 applications with the `cors` package: the server model.

The file is parsed, never run (express/source.py): every registration
becomes a *layer* of a router, in the order Express stacks them; its
handlers are `cors(...)` calls (express/cors.py), small functions the
interpreter can follow (hand-written CORS or auth middleware, route
handlers: express/runtime.py), mounted routers, or opaque middleware.
`answer` walks the stack the way Express's router does: path match (per
major version, express/paths.py), method match, handlers in order until one
answers; an unanswered OPTIONS to a known path gets Express's automatic
200 with `Allow`, anything else finalhandler's 404, and the headers set on
the way stay on both.  The major version comes from the nearest
package.json that names express; without one the version is unknown and
both Express 4 and 5 are judged (`alternatives`, linter/alternatives.py):
what holds under both is reported plainly, the rest says which version it
needs, and the CORS options are judged where the application starts.
"""

from __future__ import annotations

from ...backend import FileOracle, Upstream
from ...code.javascript import Interpreter, Module, descendants, read_javascript
from ...diagnostics import Related
from ...model import Answer, ConfiguredCors, Handler, MiddlewareOrder, Parsed, RejectedAtStartup, Request, Scope, Source
from ...routeindex import PathIndex
from ..base import AppModel, Route
from .cors import CorsCall, function_origins
from .paths import example, literal_head
from .runtime import Outcome, Response, run_handler
from .source import (Layer, Opaque, Router, WrittenHandler, exported_options, express_version, options_app, read_app,
                     unused_options)

#: methods a browser sends without a preflight (when the headers are simple too)
SIMPLE = {"GET", "HEAD", "POST"}


class ExpressModel(AppModel):
    """The app as Express + cors would run it."""

    #: (condition, model) per Express major when the version is unknown (see linter/alternatives.py)
    alternatives: list = []

    def __init__(self, path: str, parsed: Parsed, module: Module | None, app: Router | None, version: int):
        self.module = module
        self.app = app or Router("app")
        self.version = version
        self._indexes: dict[int, tuple[Router, PathIndex]] = {}
        super().__init__(path, parsed, self._routes())
        #: the first path Express refuses at registration: then no request is ever answered
        self._refused = next(self._rejected(), None)

    @property
    def starts(self) -> bool:
        """Express registers every path: the application starts."""
        return self._refused is None

    # -- answers ---------------------------------------------------------------------------------
    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        rejected = self._refused
        if rejected is not None:
            return Answer(None, handler=Handler.UNKNOWN, certain=False,
                          trace=[("the application never starts: " + rejected.message, rejected.source)])
        response = Response()
        outcome = self._dispatch(self.app, request, request.path, response)
        if outcome.kind == "next":
            response.end(404, None, Handler.NOT_FOUND)
            response.trace.append(("no layer answers: finalhandler's 404", None))
        elif outcome.kind == "error":
            response.end(500, response.status_source, response.handler or Handler.MIDDLEWARE)
            response.trace.append((f"an error reaches finalhandler: 500 ({outcome.value})", None))
        elif outcome.kind == "unknown":
            response.status, response.handler, response.certain = None, Handler.UNKNOWN, False
        return Answer(response.status, response.lines(), response.status_source, response.handler,
                      trace=response.trace, certain=response.certain)

    def _dispatch(self, router: Router, request: Request, path: str, response: Response) -> Outcome:
        """Express's `router.handle`: layers in order, auto-OPTIONS at the end."""
        method = request.method.upper()
        allow: list[str] = []
        for layer in self._layers_for(router, path):
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
            response.end(200, None, Handler.AUTO_OPTIONS)
            response.trace.append(("Express answers OPTIONS itself (no handler for it): 200 with Allow", None))
            return Outcome("end")
        return Outcome("next")

    def _layers_for(self, router: Router, path: str) -> list[Layer]:
        """The router's layers that may match `path`, in stack order (see routeindex.PathIndex)."""
        entry = self._indexes.get(id(router))
        if entry is None:
            heads = (literal_head(layer.pattern, self.version, layer.kind == "route") for layer in router.layers)
            entry = self._indexes[id(router)] = (router, PathIndex(heads, fold=_fold))
        return [router.layers[i] for i in entry[1].candidates(path)]

    def _run_layer(self, layer: Layer, request: Request, path: str, matched: str, response: Response) -> Outcome:
        for i, handler in enumerate(layer.handlers):
            final = layer.kind == "route" and i == len(layer.handlers) - 1
            if isinstance(handler, CorsCall):
                outcome = handler.apply(self.module, request, response, path)
            elif isinstance(handler, WrittenHandler):
                outcome = run_handler(self.module, handler.fn, request, response, self.path, path, final)
                if outcome.kind == "end" and response.handler == Handler.MIDDLEWARE and response.status in (401, 403) \
                        and handler.auth:
                    response.handler = Handler.AUTH
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
            response.end(200, handler.source, Handler.APP)
            return Outcome("end")
        if handler.auth:
            response.certain = False
            if request.header("authorization") is None and request.header("cookie") is None:
                response.end(401, handler.source, Handler.AUTH)
                response.trace.append((f"{handler.name} is authentication: a request without credentials "
                                       f"gets 401 (assumed)", handler.source))
                return Outcome("end")
        elif not handler.known:
            response.certain = False
        return Outcome("next")

    # -- scopes --------------------------------------------------------------------------------------
    def _routes(self) -> list[Route]:
        """Routes merged by path (one scope per resource), plus `/` when CORS
        covers every path and the mount path of each CORS middleware mounted
        on a path no route shows (`app.use('/api', cors(...))` in front of a
        router from another module)."""
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
        for layer, prefix in _all_layers(self.app, ""):
            if layer.kind != "use" or not isinstance(layer.pattern, str) or not any(_emits(h) for h in layer.handlers):
                continue
            path = example(layer.pattern)
            full = (prefix.rstrip("/") + path) if prefix and path else path
            if full and full != "/" and not any(r.example == full or r.example.startswith(full.rstrip("/") + "/")
                                                for r in routes):
                routes.append(Route(prefix.rstrip("/") + layer.pattern, None, layer.source, full))
        return routes

    def scope_for(self, route: Route) -> Scope:
        scope = super().scope_for(route)
        handlers = list(self._handlers_on(self.app, route.example))
        cors_calls = [h for h in handlers if isinstance(h, CorsCall)]
        written = [h for h in handlers if isinstance(h, WrittenHandler) and h.emits_cors]
        scope.emits_cors = bool(cors_calls or written) or any(isinstance(h, Opaque) and not h.known
                                                              for h in handlers)
        scope.origin_sensitive = any(c.origin_sensitive() for c in cors_calls) or any(h.reads_origin
                                                                                     for h in written)
        scope.origin_patterns = tuple(p for c in cors_calls for p in c.origin_patterns()) + tuple(
            _written_patterns(written))
        scope.literal_origins = tuple(o for c in cors_calls for o in c.literal_origins()) + tuple(
            _written_literals(written))
        scope.origin_entries = tuple(entry for c in cors_calls for entry in c.origin_entries())
        scope.authenticates = any((isinstance(h, Opaque) and h.auth) or (isinstance(h, WrittenHandler) and h.auth
                                                                         and not h.emits_cors) for h in handlers)
        return scope

    def _handlers_on(self, router: Router, path: str):
        """Every handler of a layer whose path matches, whatever the method."""
        for layer in self._layers_for(router, path):
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
        if self.module is not None and not self.related:    # an options module is judged as applied
            for name, source, origins in unused_options(self.module, self.path):
                yield ConfiguredCors(source, f"the cors options object {name}", self.scopes()[0].url,
                                     "nothing passes it to cors()", origins)

    def _rejected(self):
        for layer, _prefix in _all_layers(self.app, ""):
            if layer.error:
                hint = " (use '/{*splat}' or the regex /.*/ for every path)" if layer.pattern == "*" else ""
                yield RejectedAtStartup(layer.source, f"Express {self.version} refuses the path "
                                                      f"{layer.pattern!r} when it is registered ({layer.error}), "
                                                      f"so the application never starts{hint}")

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
                         or (isinstance(h, WrittenHandler) and h.auth and not h.emits_cors)), None)
            if auth is not None:
                yield MiddlewareOrder(cors.source, "the CORS middleware runs after authentication "
                                                   f"({_name(auth)}): preflights never carry credentials, so they "
                                                   f"are refused before cors can answer them",
                                      [(auth.source, "authentication registered before the CORS middleware")])

    def size(self) -> int:
        return len(self.routes)


def _fold(segment: str) -> str:
    """A path segment as the case-insensitive matchers compare it: Python's
    IGNORECASE also matches `i` with `İ` and `ı`, which casefold() keeps apart."""
    return segment.casefold().replace("\u0307", "").replace("ı", "i")


def _allow(methods: list[str] | None) -> list[str]:
    if methods is None:
        return []
    out = list(methods)
    if "GET" in out and "HEAD" not in out:
        out.insert(out.index("GET") + 1, "HEAD")
    return out


def _emits(handler) -> bool:
    return isinstance(handler, CorsCall) or (isinstance(handler, WrittenHandler) and handler.emits_cors)


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


def _written_literals(written: list[WrittenHandler]):
    """Origins a hand-written CORS middleware spells (inline or in constants of its module)."""
    for handler in written:
        yield from function_origins(handler.fn)


def _written_patterns(written: list[WrittenHandler]):
    """Regexes a hand-written CORS middleware tests the origin with."""
    from ...model import OriginPattern

    for handler in written:
        module = handler.fn.env.module
        for node in descendants(handler.fn.node):
            if node.type == "regex":
                value = Interpreter(module).eval(node, module.root)
                yield OriginPattern(value.pattern, "i" in value.flags, Source(value.path or handler.source.path,
                                                                              value.line))


def load(path: str, display: str) -> ExpressModel:
    """The model of one Express application file, with the modules it imports
    relatively (code/jsmodules.py); or of a module that exports cors() options,
    judged as `app.use(cors(options))`."""
    from ... import confine
    from ...code.jsmodules import Graph, preload
    from .sniff import uses_cors

    graph = Graph(confine.lookup_root(path), claims=lambda data: not uses_cors(data))
    module, errors = read_javascript(path, display, graph)
    known = express_version(path)
    parsed = Parsed(display, [display], errors, notices=graph.notices)
    models = [_model(display, parsed, module, version) for version in ((known,) if known else (4, 5))]
    if module is not None:
        preload(module)
    parsed.files.extend(graph.files)    # every module read, once the app's were
    if len(models) > 1:
        models[0].alternatives = [(f"if the app runs Express {m.version}", m) for m in models]
    return models[0]


def _model(display: str, parsed: Parsed, module: Module | None, version: int) -> ExpressModel:
    """The model of the app under one Express major version."""
    app = read_app(module, display, version) if module is not None else None
    related: tuple = ()
    if module is not None:
        options = exported_options(module) if app is None else None
        if options is not None:
            app, source = options_app(module, display, version, options)
            related = (Related(display, source.line, "this module exports cors() options: they are judged as "
                                                     "passed to cors() (app.use(cors(options)) on every path)"),)
    model = ExpressModel(display, parsed, module, app, version)
    model.related = related
    return model
