"""Starlette / FastAPI applications with `CORSMiddleware`: the server model.

A request goes through the app's middleware outermost first (Starlette
builds the stack from `middleware=[...]` in order, and `add_middleware`
puts each new one in front, so the last added runs first).  The first
CORSMiddleware that sees a preflight answers it; anything else reaches the
router, whose answer (the route's handler: the status its code declares,
statuses.py, else unknown; a known path with another
method: 405; a path that differs only by a trailing slash: 307; nothing:
404) comes back out through every CORSMiddleware, innermost first, each
adding its headers.  Other middleware is assumed to pass requests on; one
that visibly answers by itself in front of CORSMiddleware is a CORS501
fact instead.  The semantics of CORSMiddleware live in `cors`, the
reading of the file in `source`.
"""

from __future__ import annotations

import re

from ... import saferegex
from ...backend import FileOracle, Upstream
from ...code.python import Module, read_python
from ...model import Answer, Handler, MiddlewareOrder, OriginPattern, Parsed, RejectedAtStartup, Request, Scope
from ..base import AppModel, Route, example_path
from .cors import PARAMS, CorsLayer
from .source import (
    AppSpec,
    Extractor,
    Include,
    MiddlewareSpec,
    RouterSpec,
    RouteSpec,
    evaluate_settings,
)

#: Starlette's path convertors (`starlette/convertors.py`)
CONVERTORS = {"str": "[^/]+", "path": ".*", "int": "[0-9]+", "float": r"[0-9]+(?:\.[0-9]+)?",
              "uuid": "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"}
PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")


def compile_path(pattern: str) -> re.Pattern:
    """A route pattern as Starlette's `compile_path` matches it (anchored)."""
    out, last = "^", 0
    for m in PARAM.finditer(pattern):
        out += re.escape(pattern[last:m.start()]) + f"({CONVERTORS.get((m.group(2) or ':str')[1:], '[^/]+')})"
        last = m.end()
    return saferegex.compile(out + re.escape(pattern[last:]) + "$")


#: a value each convertor accepts, for example paths
EXAMPLES = {"path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def route_example(spec: RouteSpec) -> str:
    """A concrete path for a route: `{id:int}` -> `1`, a mount -> one file in it."""
    pattern = PARAM.sub(lambda m: EXAMPLES.get((m.group(2) or ":")[1:], "1"), spec.pattern)
    return example_path(pattern) if pattern else "/"


class Layer:
    """One user middleware: a CORSMiddleware (`cors`) or another one."""

    def __init__(self, spec: MiddlewareSpec, cors: CorsLayer | None):
        self.spec = spec
        self.cors = cors


class StarletteModel(AppModel):
    """A Starlette or FastAPI app: its middleware stack and its routes."""

    def __init__(self, path: str, parsed: Parsed, app: AppSpec | None, layers: list[Layer],
                 routes: list[tuple[RouteSpec, re.Pattern]], unseen_routes: bool, rejected: list[RejectedAtStartup]):
        scoped = [Route(spec.pattern, spec.methods, spec.source, route_example(spec),
                        extra={"authenticates": spec.authenticates, "static": spec.handler == Handler.STATIC})
                  for spec, _ in routes if not spec.builtin]
        super().__init__(path, parsed, scoped)
        self.app = app
        self.layers = layers
        self.table = routes
        self.unseen_routes = unseen_routes
        self.rejected = rejected
        #: the working CORSMiddleware layers (one that cannot be built is a CORS502 fact)
        self.cors_layers: list[CorsLayer] = [layer.cors for layer in layers
                                             if layer.cors is not None and layer.cors.error is None]

    # -- scopes ------------------------------------------------------------------
    def scopes(self) -> list[Scope]:
        out = [self.scope_for(route) for route in self.routes]
        known = self.routes and not self.unseen_routes and all(r.methods is not None for r in self.routes)
        if self.cors_layers and not known and not any(s.url == self.base_url + "/" for s in out):
            # the CORS layer stands for routes this file does not show: "/" probes it
            out.append(self.scope_for(Route("/", (), self.cors_layers[0].source, "/")))
        return out

    def scope_for(self, route: Route) -> Scope:
        scope = super().scope_for(route)
        scope.authenticates = bool(route.extra.get("authenticates"))
        scope.static = bool(route.extra.get("static"))
        scope.emits_cors = bool(self.cors_layers)
        scope.origin_sensitive = not self.cors_layers or any(c.origin_sensitive for c in self.cors_layers)
        scope.literal_origins = tuple(o for c in self.cors_layers for o in c.literal_origins())
        scope.origin_entries = tuple(entry for c in self.cors_layers for entry in c.origin_entries())
        scope.origin_patterns = tuple(OriginPattern(regex, False, c.line["allow_origin_regex"], full_match=True)
                                      for c in self.cors_layers for regex in c.origin_patterns())
        return scope

    def facts(self):
        yield from self.rejected
        yield from self._order_facts()

    def _order_facts(self):
        """CORS501: a middleware in front of CORSMiddleware that answers by itself."""
        for index, layer in enumerate(self.layers):
            if layer.cors is None:
                continue
            for outer in self.layers[:index]:
                if outer.cors is None and outer.spec.answers_first:
                    yield MiddlewareOrder(
                        layer.spec.source,
                        f"{outer.spec.name} runs before CORSMiddleware (with add_middleware the last added runs "
                        f"first) and can answer by itself ({outer.spec.answers_first}): such answers, the 401 to a "
                        f"preflight that never carries credentials included, get no CORS headers",
                        [(outer.spec.source, f"{outer.spec.name} is added here")])

    # -- answers -----------------------------------------------------------------
    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        if self.rejected:
            return Answer(None, handler=Handler.UNKNOWN, certain=False,
                          trace=[("the app does not start: " + self.rejected[0].message, self.rejected[0].source)])
        uncertain = False
        for layer in self.layers:
            uncertain = uncertain or layer.spec.conditional
            if layer.cors is not None and layer.cors.is_preflight(request):
                answer = layer.cors.preflight(request)
                answer.certain = answer.certain and not uncertain
                return answer
        answer = self.route(request)
        for layer in reversed(self.layers):
            if layer.cors is not None:
                layer.cors.decorate(answer, request)
        answer.certain = answer.certain and not any(layer.spec.conditional for layer in self.layers)
        return answer

    def route(self, request: Request) -> Answer:
        """Starlette's `Router`: the first full match (path and method) wins,
        else the first path match answers 405, else a 307 to the path with
        (or without) its trailing slash, else 404."""
        path = request.path
        partial = None
        for spec, regex in self.table:
            if regex.match(path):
                if spec.methods is None or request.method in spec.methods:
                    said = f"{spec.status}" if spec.status is not None else \
                        "a status its code does not declare (unknown)"
                    return Answer(spec.status, handler=spec.handler, status_source=spec.source,
                                  certain=spec.status is not None,
                                  trace=[(f"route {spec.pattern} handles {request.method}: {said}", spec.source)])
                partial = partial or spec
        if partial is not None:
            return Answer(405, handler=Handler.NOT_FOUND, status_source=partial.source,
                          trace=[(f"route {partial.pattern} does not serve {request.method}: 405", partial.source)])
        if self.unseen_routes:
            return Answer(None, handler=Handler.UNKNOWN, certain=False,
                          trace=[("no route in this file matches; included routers from elsewhere may", None)])
        redirect = self.app is not None and self.app.redirect_slashes and path != "/"
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if redirect and any(regex.match(other) for _, regex in self.table):
            return Answer(307, handler=Handler.REDIRECT, status_source=self.app.source,
                          trace=[(f"redirect_slashes: 307 to {other}", self.app.source)])
        return Answer(404, handler=Handler.NOT_FOUND, trace=[("no route matches: 404", None)])


def load(path: str, display: str) -> StarletteModel:
    from ... import confine
    from ...code.pymodules import Package

    package = Package(confine.lookup_root(path), path)
    module, errors = read_python(path, display, lambda source: Module(source, display, path, package))
    parsed = Parsed(display, [display, *package.files], errors, notices=package.notices)
    if module is None:
        return StarletteModel(display, parsed, None, [], [], False, [])
    apps = Extractor(module, display).run()
    app = _main_app(apps)
    if app is None:
        return StarletteModel(display, parsed, None, [], [], False, [])
    layers, rejected = [], []
    for spec in app.middleware:
        cors = _cors_layer(module, spec, rejected) if spec.is_cors else None
        layers.append(Layer(spec, cors))
    routes, unseen = _flatten(app.router, "", False, 0)
    table = [(spec, compile_path(spec.pattern)) for spec in routes]
    return StarletteModel(display, parsed, app, layers, table, unseen, rejected)


def _main_app(apps: list[AppSpec]) -> AppSpec | None:
    """The app the file configures CORS for (else `app`, else the first one)."""
    for app in apps:
        if any(m.is_cors for m in app.middleware):
            return app
    return next((a for a in apps if a.name == "app"), apps[0] if apps else None)


def _cors_layer(module: Module, spec: MiddlewareSpec, rejected: list[RejectedAtStartup]) -> CorsLayer:
    """The middleware's arguments, and the CORS502 fact when Starlette
    would refuse them (an unknown keyword, a bad regex, a wrong type)."""
    settings, unknown_names = evaluate_settings(module, spec, PARAMS)
    layer = CorsLayer(settings, spec.source, spec.conditional)
    if unknown_names:
        rejected.append(RejectedAtStartup(spec.source, f"CORSMiddleware does not accept "
                                                       f"{', '.join(unknown_names)}: the app fails to start with "
                                                       f"a TypeError (expected one of {', '.join(PARAMS)})"))
    elif layer.error:
        source = layer.line["allow_origin_regex"] if layer.error.startswith("allow_origin_regex") else spec.source
        rejected.append(RejectedAtStartup(source, f"the app fails to start: {layer.error}"))
    return layer


def _flatten(router: RouterSpec, prefix: str, authenticates: bool, depth: int) -> tuple[list[RouteSpec], bool]:
    """Routes in matching order with the prefixes and authentication of the
    routers that include them; True when some included router is not in
    this file."""
    routes: list[RouteSpec] = []
    unseen = False
    if depth > 20:
        return routes, True
    auth = authenticates or router.authenticates
    for entry in router.entries:
        if isinstance(entry, Include):
            if entry.router is None:
                unseen = True
                continue
            inner, more = _flatten(entry.router, prefix + entry.prefix, auth or entry.authenticates, depth + 1)
            routes += inner
            unseen = unseen or more
        else:
            routes.append(RouteSpec(prefix + entry.pattern, entry.methods, entry.source, entry.handler,
                                    entry.authenticates or auth, entry.prefix_only, entry.builtin, entry.status))
    return routes, unseen
