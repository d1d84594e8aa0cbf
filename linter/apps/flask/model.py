"""Flask applications with flask-cors 6.x: the server model.

flask-cors never answers a request itself.  `CORS(app)` is an
`after_request` hook (and, with `intercept_exceptions`, also wraps the
error handlers) that adds headers to whatever Flask answered: the view, the
automatic OPTIONS response (200 with `Allow`), a 404, a 405 or a
trailing-slash redirect.  `@cross_origin` wraps one view and builds the
OPTIONS answer itself.  So the model first routes the request the way
Flask/werkzeug would, then runs the hooks in Flask's order: blueprint
hooks, then app hooks, last registered first; for routing errors the
intercepting app layers run first, in registration order, and blueprint
hooks not at all (the request has no blueprint).  The first hook that sends
Allow-Origin wins; the others see it and skip.

Verified against Flask 3.1 + flask-cors 6.0.5 by tests/live/test_flask_live.py.
"""

from __future__ import annotations

from urllib.parse import unquote

from ...backend import FileOracle, Upstream
from ...code.python import read_python
from ...code.values import is_unknown
from ...cors import ACAO
from ...model import Answer, ConfiguredCors, Handler, HeaderLine, OriginPattern, Parsed, Request, Scope, Source
from ...regexes import example_for
from ...routeindex import PathIndex
from ..base import AppModel, Route
from .cors import Regex, cors_headers
from .source import FlaskApp, Layer, read_app

class FlaskModel(AppModel):
    """Routes plus flask-cors layers, answering like the running app."""

    def __init__(self, path: str, parsed: Parsed, app: FlaskApp):
        super().__init__(path, parsed, app.routes)
        self.app = app
        self._index: PathIndex | None = None

    # -- routing ----------------------------------------------------------------------
    def route(self, path: str, method: str) -> tuple[Route | None, Answer]:
        """Flask's dispatch: (the route whose view runs, the answer before flask-cors)."""
        matching = [r for r in self._candidates(path) if r.extra["regex"].fullmatch(path)]
        matching.sort(key=lambda r: r.pattern.count("<"))   # werkzeug prefers static rules
        if not matching:
            slashed = next((r for r in self._candidates(path + "/") if r.pattern.endswith("/")
                            and r.extra["regex"].fullmatch(path + "/")), None)
            if slashed is not None:
                location = HeaderLine("location", self.base_url + path + "/", slashed.source)
                return None, Answer(308, [location], slashed.source, Handler.REDIRECT)
            if not self.app.complete:    # a route the file does not show may serve it
                handler = Handler.AUTO_OPTIONS if method == "OPTIONS" else Handler.APP
                return None, Answer(200, [], None, handler, certain=False)
            return None, Answer(404, [], None, Handler.NOT_FOUND)
        chosen = next((r for r in matching if method in r.methods), None)
        if chosen is None:
            return None, Answer(405, [], matching[0].source, Handler.DENY)
        if method == "OPTIONS" and chosen.extra["auto_options"]:
            return chosen, Answer(200, [], chosen.source, Handler.AUTO_OPTIONS)
        view = chosen.extra["view"]
        if view is not None and view.error is not None:
            return None, Answer(500, [], view.source, Handler.APP)
        if method == "OPTIONS" and view is not None and view.options.automatic_options is True:
            return chosen, Answer(200, [], view.source, Handler.MIDDLEWARE)
        status = chosen.extra.get("status")
        if status is None:
            return chosen, Answer(None, [], chosen.source, Handler.APP, certain=False,
                                  trace=[("the view answers; its code does not declare the status: unknown", None)])
        return chosen, Answer(status, [], chosen.source, Handler.APP,
                              trace=[(f"the view returns {status} on every path", chosen.source)])

    def _candidates(self, path: str) -> list[Route]:
        """The routes that may match `path`, in registration order (see routeindex.PathIndex)."""
        if self._index is None:
            self._index = PathIndex(route.extra["head"] for route in self.routes)
        return [self.routes[i] for i in self._index.candidates(path)]

    def hooks(self, route: Route | None, answer: Answer) -> list[tuple[Layer | None, object]]:
        """(layer, resources) in the order flask-cors runs them for this answer;
        (None, view) when `@cross_origin` wraps the view that answers (it
        marks the response evaluated, so no layer runs after it)."""
        if route is not None and route.extra["view"] is not None and answer.handler != Handler.AUTO_OPTIONS:
            return [(None, route.extra["view"])]
        app_layers = [layer for layer in self.app.layers if layer.blueprint is None]
        first: list[Layer] = []
        if answer.status is not None and answer.status >= 300:   # the layers that wrap Flask's error handlers
            first = [layer for layer in app_layers if layer.intercept is not False]
        blueprint = route.extra["blueprint"] if route is not None else None
        own = [layer for layer in self.app.layers if blueprint is not None and layer.blueprint == blueprint]
        return [(layer, layer.resources) for layer in first + own[::-1] + app_layers[::-1]]

    # -- answers ------------------------------------------------------------------------
    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        path = unquote(request.path)
        route, answer = self.route(path, request.method)
        for layer, spec in self.hooks(route, answer):
            options = spec.options if layer is None else self.resource(spec, path)
            if options is None:
                continue
            if is_unknown(options):
                answer.headers.append(HeaderLine(ACAO, None, layer.source))
                answer.certain = False
                break
            lines, certain = cors_headers(options, request)
            conditional = spec.conditional if layer is None else layer.conditional
            if not certain or conditional:
                lines = [HeaderLine(h.name, None, h.source) for h in lines]
                answer.certain = False
            answer.headers.extend(lines)
            if layer is None or lines:
                where = "@cross_origin" if layer is None else "CORS(...)"
                answer.trace.append((f"flask-cors ({where}) adds the CORS headers" if lines else
                                     f"flask-cors ({where}) adds no CORS header for this origin",
                                     spec.source if layer is None else layer.source))
                break
        return answer

    @staticmethod
    def resource(resources, path: str):
        """The options of the first resource pattern matching the path (None: none matches)."""
        if is_unknown(resources):
            return resources
        for pattern, options in resources:
            if isinstance(pattern, Regex):
                if pattern.compiled().match(path):
                    return options
            elif pattern == path:
                return options
        return None

    # -- scopes ------------------------------------------------------------------------
    def scopes(self) -> list[Scope]:
        routes = list(self.routes)
        if not self.app.complete:
            # routes the file does not show: probe `/` and a path of each
            # resource pattern (`r"/api/*"`), where other options may apply
            examples = {r.example for r in routes}
            for path, source in [("/", self.app.layers[0].source if self.app.layers else Source(self.path, 1)),
                                 *self._resource_paths()]:
                if path not in examples:
                    examples.add(path)
                    routes.append(Route(path, ("GET",), source, path,
                                        {"blueprint": None, "view": None, "auto_options": True}))
        return [self.scope_for(route) for route in routes]

    def _resource_paths(self):
        """(path, the CORS(...) call) for each known resource regex of the
        application's layers: a path it matches (flask-cors: `re.match`)."""
        for layer in self.app.layers:
            if layer.blueprint is not None or is_unknown(layer.resources):
                continue
            for pattern, _options in layer.resources:
                if isinstance(pattern, Regex):
                    # the longer example: `r"/api/*"` gives `/api` and `/api/`
                    path = next((e for e in reversed(example_for(pattern.pattern)) if e.startswith("/")
                                 and pattern.compiled().match(e)), None)
                    if path is not None:
                        yield path, layer.source

    def scope_for(self, route: Route) -> Scope:
        scope = super().scope_for(route)
        options = [o for o in self.options_for(route) if not is_unknown(o)]
        scope.origin_patterns = tuple(OriginPattern(r.pattern, r.ignore_case, o.src("origins"))
                                      for o in options for r in o.regexes)
        scope.literal_origins = tuple(lit for o in options for lit in o.literals if lit != ".*")
        # flask-cors compares every origin with the request's (always_send aside)
        scope.origin_entries = tuple((lit, o.src("origins")) for o in options for lit in o.literals if lit != ".*")
        scope.emits_cors = bool(self.options_for(route))
        scope.origin_sensitive = not options or not all(o.wildcard_only for o in options)
        return scope

    def options_for(self, route: Route) -> list:
        """The options of every flask-cors hook that can add headers for this route's path."""
        out = []
        for layer, spec in self.hooks(route if route.extra.get("regex") else None, Answer(200, handler=Handler.APP)):
            options = spec.options if layer is None else self.resource(spec, route.example)
            if options is not None:
                out.append(options)
        return out

    def facts(self):
        yield from self.app.facts
        if self.app.unapplied:
            names = ", ".join(dict.fromkeys(name for name, _ in self.app.unapplied))
            origins = next((s.value for name, s in self.app.unapplied if name == "CORS_ORIGINS"), ())
            origins = (origins,) if isinstance(origins, str) else origins
            yield ConfiguredCors(self.app.unapplied[0][1].source,
                                 f"the flask-cors configuration in app.config ({names})", self.scopes()[0].url, "nothing applies flask-cors to the app (no CORS(app), "
                                 "init_app or @cross_origin)",
                                 tuple(o for o in origins if isinstance(o, str)) if isinstance(origins, (list, tuple))
                                 else ())


def load(path: str, display: str) -> FlaskModel:
    """Read one Flask application file (never imported), and the modules of
    its package it imports relatively (`from .config import ORIGINS`)."""
    from ... import confine
    from ...code.pymodules import Package

    package = Package(confine.lookup_root(path), path)
    app, errors = read_python(path, display, lambda source: read_app(source, display, path, package))
    parsed = Parsed(display, [display, *package.files], errors, notices=package.notices)
    model = FlaskModel(display, parsed, app if app is not None else FlaskApp(complete=True))
    if app is not None and app.adopted:
        from ...diagnostics import Related

        model.related = tuple(Related(display, source.line, f"`{name} = CORS(...)` gets no app in this module: it is "
                                                            f"judged as applied by `{name}.init_app(app)` (the app "
                                                            f"factory's call, not read with this file)") for name, source in app.adopted)
    return model
