"""What a Starlette / FastAPI application file declares, read with `ast` only.

The file is never imported: apps, routers, routes, middleware and the
CORSMiddleware arguments are recognised by their spelling
(`app = FastAPI(...)`, `app.add_middleware(CORSMiddleware, ...)`,
`Middleware(CORSMiddleware, ...)` in `middleware=[...]`, `@app.get(...)`,
`@router.put(...)` with `APIRouter(prefix=...)`, `Route(...)` / `Mount(...)`
in `routes=[...]`) and values go through `code.python`, so anything computed
at run time stays Unknown.  Statements are read in source order, including
the bodies of functions (application factories) and of `if`/`try`
(marked conditional), because the order of `add_middleware` calls decides
which middleware runs first.
"""

from __future__ import annotations

import ast

from ...code.python import Module
from ...code.values import Unknown, is_unknown
from ...model import Handler, Source
from ...record import field, record
from ..statuses import fastapi_status, response_status

#: FastAPI decorators and the one method each registers
VERB_DECORATORS = {name: (name.upper(),) for name in ("get", "post", "put", "delete", "patch", "options", "head",
                                                      "trace")}
#: FastAPI security schemes whose credentials travel in the Authorization header
AUTH_SCHEMES = {"HTTPBearer", "HTTPBasic", "HTTPDigest", "OAuth2", "OAuth2PasswordBearer",
                "OAuth2AuthorizationCodeBearer", "OpenIdConnect"}
#: the routes FastAPI adds itself (keyword that disables each, default path)
FASTAPI_BUILTIN_ROUTES = (("openapi_url", "/openapi.json"), ("docs_url", "/docs"),
                          ("swagger_ui_oauth2_redirect_url", "/docs/oauth2-redirect"), ("redoc_url", "/redoc"))
HTTP_METHODS = ("get", "head", "post", "put", "delete", "patch", "options", "trace", "query")
#: how deep an HTTPEndpoint's base classes are followed for the methods they define
MAX_BASES = 8


@record
class MiddlewareSpec:
    """One `add_middleware(...)` / `Middleware(...)` / `@app.middleware("http")`."""

    name: str
    source: Source
    args: list[ast.expr] = field(default_factory=list)
    keywords: list[ast.keyword] = field(default_factory=list)
    conditional: bool = False
    #: why this middleware can answer before the ones inside it (None: it passes requests on)
    answers_first: str | None = None

    @property
    def is_cors(self) -> bool:
        return self.name == "CORSMiddleware"


@record
class RouteSpec:
    """A route as the router matches it (pattern in Starlette syntax)."""

    pattern: str
    methods: tuple[str, ...] | None
    source: Source
    handler: str = Handler.APP
    authenticates: bool = False
    #: a catch-all for a mounted application (`Mount("/x", app=...)`)
    prefix_only: bool = False
    #: routes the framework adds itself (FastAPI's /docs): routed, but not a scope
    builtin: bool = False
    #: what the endpoint answers on every path (statuses.py; None: its code
    #: does not say); 200 is assumed for a mount, a static folder, /docs
    status: int | None = 200


@record
class RouterSpec:
    """An APIRouter / Router, or the application's own router.  `entries`
    keeps routes and `include_router` calls in order; FastAPI resolves
    included routers when requests arrive, so routes declared after the
    include still count."""

    prefix: str = ""
    authenticates: bool = False
    entries: list = field(default_factory=list)


@record
class AppSpec:
    """A `FastAPI(...)` or `Starlette(...)` object and what is added to it."""

    name: str
    kind: str
    source: Source
    router: RouterSpec
    middleware: list[MiddlewareSpec] = field(default_factory=list)
    redirect_slashes: bool = True


@record
class Include:
    """`include_router(...)`; `router` None: a router from another module,
    whose routes the file does not show."""

    router: RouterSpec | None
    prefix: str
    authenticates: bool
    source: Source


class Extractor:
    """Walks one module and collects its apps."""

    def __init__(self, module: Module, path: str):
        self.module = module
        self.path = path
        self.aliases: dict[str, str] = {}
        self.objects: dict[str, AppSpec | RouterSpec] = {}
        self.apps: list[AppSpec] = []
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        for node in ast.walk(module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, node)
            elif isinstance(node, ast.ClassDef):
                self.classes.setdefault(node.name, node)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = alias.name

    def run(self) -> list[AppSpec]:
        self._block(self.module.tree.body, conditional=False)
        return self.apps

    # -- names ---------------------------------------------------------------
    def name_of(self, node: ast.AST) -> str:
        """The original name a class or function expression refers to
        (`CORS` imported `as` from CORSMiddleware -> CORSMiddleware)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return node.attr
        return ""

    def src(self, node: ast.AST) -> Source:
        return Source(self.path, getattr(node, "lineno", 1))

    def text(self, node: ast.AST | None, default: str = "") -> str | None:
        """A string argument, or None when it is not a constant string."""
        if node is None:
            return default
        value = self.module.value(node)
        return value if isinstance(value, str) else None

    def keyword(self, call: ast.Call, name: str) -> ast.expr | None:
        return next((k.value for k in call.keywords if k.arg == name), None)

    def arg(self, call: ast.Call, index: int, name: str) -> ast.expr | None:
        return call.args[index] if len(call.args) > index else self.keyword(call, name)

    def resolve(self, node: ast.AST | None) -> ast.AST | None:
        """A Name bound at module level stands for its value's expression."""
        seen = 0
        while isinstance(node, ast.Name) and node.id in self.module.bindings and seen < 20:
            node = self.module.bindings[node.id]
            seen += 1
        return node

    # -- statements ----------------------------------------------------------
    def _block(self, body: list[ast.stmt], conditional: bool) -> None:
        for stmt in body:
            self._statement(stmt, conditional)

    def _statement(self, stmt: ast.stmt, conditional: bool) -> None:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            value = stmt.value
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if isinstance(value, ast.Call):
                created = self._construct(value)
                if created is not None:
                    for target in targets:
                        if isinstance(target, ast.Name):
                            self.objects[target.id] = created
                            if isinstance(created, AppSpec):
                                created.name = target.id
                    return
                self._call(value, conditional)
        elif isinstance(stmt, ast.Expr):
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(call, ast.Call):
                self._call(call, conditional)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                self._decorator(decorator, stmt, conditional)
            self._block(stmt.body, conditional)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            self._block(stmt.body, conditional)
        elif isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try)):
            for part in ("body", "orelse", "handlers", "finalbody"):
                for inner in getattr(stmt, part, []):
                    if isinstance(inner, ast.ExceptHandler):
                        self._block(inner.body, True)
                    else:
                        self._statement(inner, True)

    def _construct(self, call: ast.Call) -> AppSpec | RouterSpec | None:
        """`FastAPI(...)`, `Starlette(...)`, `APIRouter(...)`, `Router(...)`."""
        kind = self.name_of(call.func)
        if kind in ("FastAPI", "Starlette"):
            router = RouterSpec(authenticates=self._dependencies_authenticate(self.keyword(call, "dependencies")))
            app = AppSpec(name="", kind=kind.lower(), source=self.src(call), router=router)
            if kind == "FastAPI":
                self._fastapi_builtins(call, router)
                slashes = self.keyword(call, "redirect_slashes")
                if slashes is not None:
                    value = self.module.value(slashes)
                    app.redirect_slashes = value if isinstance(value, bool) else True
            app.middleware = [m for m in self._middleware_list(self.keyword(call, "middleware"), False)]
            self._routes_list(self.keyword(call, "routes"), router, "")
            self.apps.append(app)
            return app
        if kind in ("APIRouter", "Router"):
            prefix = self.text(self.keyword(call, "prefix")) or ""
            router = RouterSpec(prefix=prefix,
                                authenticates=self._dependencies_authenticate(self.keyword(call, "dependencies")))
            self._routes_list(self.keyword(call, "routes"), router, "")
            return router
        return None

    def _fastapi_builtins(self, call: ast.Call, router: RouterSpec) -> None:
        """The documentation routes FastAPI serves unless switched off."""
        urls = {}
        for key, default in FASTAPI_BUILTIN_ROUTES:
            node = self.keyword(call, key)
            urls[key] = default if node is None else self.module.value(node)
        if not isinstance(urls["openapi_url"], str):
            return   # no OpenAPI schema: FastAPI adds none of the documentation routes
        for key, _default in FASTAPI_BUILTIN_ROUTES:
            if isinstance(urls[key], str) and (key == "openapi_url" or key == "redoc_url" or
                                               isinstance(urls["docs_url"], str)):
                router.entries.append(RouteSpec(urls[key], ("GET", "HEAD"), self.src(call), builtin=True))

    def _call(self, call: ast.Call, conditional: bool) -> None:
        """`x.add_middleware(...)`, `x.include_router(...)`, `x.add_route(...)`, `x.mount(...)`."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        owner = self._owner(func.value)
        if owner is None:
            return
        app = owner if isinstance(owner, AppSpec) else None
        router = owner.router if isinstance(owner, AppSpec) else owner
        method = func.attr
        if method == "add_middleware" and app is not None and call.args:
            spec = self._middleware(call, call.args[0], call.args[1:], conditional)
            app.middleware.insert(0, spec)   # Starlette: the last added middleware is the outermost
        elif method == "include_router":
            target = self._owner(call.args[0]) if call.args else None
            prefix = self.text(self.keyword(call, "prefix")) or ""
            if not isinstance(target, RouterSpec):
                target = None   # a router from another module: its routes are not visible here
            router.entries.append(Include(target, prefix, self._dependencies_authenticate(
                self.keyword(call, "dependencies")), self.src(call)))
        elif method in ("add_route", "add_api_route"):
            self._add_route(call, router, fastapi=method == "add_api_route")
        elif method == "mount":
            self._mount(call, router, "")

    def _owner(self, node: ast.AST) -> AppSpec | RouterSpec | None:
        """The app or router an expression names (`app`, `app.router`)."""
        if isinstance(node, ast.Attribute) and node.attr == "router":
            node = node.value
        if isinstance(node, ast.Name):
            return self.objects.get(node.id)
        return None

    # -- middleware ------------------------------------------------------------
    def _middleware(self, call: ast.Call, cls: ast.expr, args: list[ast.expr], conditional: bool) -> MiddlewareSpec:
        name = self.name_of(cls)
        return MiddlewareSpec(name=name, source=self.src(call), args=list(args), keywords=list(call.keywords),
                              conditional=conditional, answers_first=self._class_answers_first(name))

    def _middleware_list(self, node: ast.AST | None, conditional: bool):
        node = self.resolve(node)
        if not isinstance(node, (ast.List, ast.Tuple)):
            return
        for element in node.elts:
            if isinstance(element, ast.Call) and self.name_of(element.func) == "Middleware" and element.args:
                yield self._middleware(element, element.args[0], element.args[1:], conditional)

    def _decorator(self, decorator: ast.expr, func, conditional: bool) -> None:
        """Route decorators and `@app.middleware("http")`."""
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return
        owner = self._owner(decorator.func.value)
        if owner is None:
            return
        router = owner.router if isinstance(owner, AppSpec) else owner
        verb = decorator.func.attr
        if verb == "middleware" and isinstance(owner, AppSpec):
            spec = MiddlewareSpec(name=func.name, source=self.src(decorator), conditional=conditional,
                                  answers_first=_dispatch_answers_first(func, skip_self=False))
            owner.middleware.insert(0, spec)
            return
        path = self.text(self.arg(decorator, 0, "path"))
        if verb in VERB_DECORATORS or verb == "api_route":
            methods = VERB_DECORATORS.get(verb) or self._methods(self.keyword(decorator, "methods"), ("GET",))
            if path is not None:
                auth = self._endpoint_authenticates(func) or self._dependencies_authenticate(
                    self.keyword(decorator, "dependencies"))
                router.entries.append(RouteSpec(router.prefix + path, methods, self.src(decorator),
                                                authenticates=auth, status=fastapi_status(func, decorator)))
        elif verb == "route" and path is not None:
            methods = self._methods(self.keyword(decorator, "methods"), ("GET",))
            router.entries.append(RouteSpec(router.prefix + path, _with_head(methods), self.src(decorator),
                                            status=response_status(func, None)))

    def _class_answers_first(self, name: str) -> str | None:
        """Whether a middleware class defined in this file can send a response itself."""
        cls = self.classes.get(name)
        if cls is None:
            return None
        methods = {f.name: f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if "dispatch" in methods:
            return _dispatch_answers_first(methods["dispatch"], skip_self=True)
        if "__call__" in methods:
            return _asgi_answers_first(methods["__call__"])
        return None

    # -- routes ------------------------------------------------------------------
    def _methods(self, node: ast.AST | None, default: tuple[str, ...]) -> tuple[str, ...] | None:
        if node is None:
            return default
        value = self.module.value(node)
        if is_unknown(value) or not isinstance(value, (list, tuple)) or not all(isinstance(m, str) for m in value):
            return None
        return tuple(dict.fromkeys(m.upper() for m in value))

    def _add_route(self, call: ast.Call, router: RouterSpec, fastapi: bool) -> None:
        path = self.text(self.arg(call, 0, "path"))
        endpoint = self.arg(call, 1, "endpoint")
        if path is None:
            return
        if fastapi:
            methods = self._methods(self.keyword(call, "methods"), ("GET",))
            func = self.functions.get(endpoint.id) if isinstance(endpoint, ast.Name) else None
            auth = (func is not None and self._endpoint_authenticates(func)) or \
                self._dependencies_authenticate(self.keyword(call, "dependencies"))
            router.entries.append(RouteSpec(router.prefix + path, methods, self.src(call), authenticates=auth,
                                            status=fastapi_status(func, call)))
        else:
            methods = self._starlette_methods(endpoint, self.arg(call, 2, "methods"))
            router.entries.append(RouteSpec(router.prefix + path, methods, self.src(call),
                                            status=self._endpoint_status(endpoint)))

    def _endpoint_status(self, endpoint: ast.AST | None) -> int | None:
        """A Starlette endpoint function's status (statuses.response_status);
        None for a class endpoint or one defined elsewhere."""
        func = self.functions.get(endpoint.id) if isinstance(endpoint, ast.Name) else None
        return response_status(func, None)

    def _starlette_methods(self, endpoint: ast.AST | None, methods: ast.AST | None) -> tuple[str, ...] | None:
        """Starlette `Route`: a function endpoint defaults to GET (HEAD is
        added to GET); a class endpoint answers every method itself, 405 for
        the ones it does not define."""
        if methods is not None and self.module.value(methods) is not None:
            return _with_head(self._methods(methods, ("GET",)))
        cls = self.classes.get(endpoint.id) if isinstance(endpoint, ast.Name) else None
        if cls is not None:
            return _with_head(tuple(dict.fromkeys(self._class_methods(cls, 0))))
        if isinstance(endpoint, ast.Name) and endpoint.id in self.functions:
            return ("GET", "HEAD")
        return None

    def _class_methods(self, cls: ast.ClassDef, depth: int):
        """The HTTP methods an `HTTPEndpoint` class defines, its base classes
        in this file included (HTTPEndpoint looks them up with getattr);
        bases nested deeper than MAX_BASES are not followed."""
        for f in cls.body:
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name in HTTP_METHODS:
                yield f.name.upper()
        if depth < MAX_BASES:
            for base in cls.bases:
                parent = self.classes.get(base.id) if isinstance(base, ast.Name) else None
                if parent is not None and parent is not cls:
                    yield from self._class_methods(parent, depth + 1)

    def _routes_list(self, node: ast.AST | None, router: RouterSpec, prefix: str) -> None:
        """`routes=[Route(...), Mount(...)]`: flattened with their prefixes."""
        node = self.resolve(node)
        if not isinstance(node, (ast.List, ast.Tuple)):
            return
        for element in node.elts:
            if not isinstance(element, ast.Call):
                continue
            kind = self.name_of(element.func)
            if kind == "Route":
                path = self.text(self.arg(element, 0, "path"))
                if path is not None:
                    endpoint = self.arg(element, 1, "endpoint")
                    methods = self._starlette_methods(endpoint, self.keyword(element, "methods"))
                    router.entries.append(RouteSpec(prefix + path, methods, self.src(element),
                                                    status=self._endpoint_status(endpoint)))
            elif kind == "Mount":
                self._mount(element, router, prefix)

    def _mount(self, call: ast.Call, router: RouterSpec, prefix: str) -> None:
        path = self.text(self.arg(call, 0, "path"))
        if path is None:
            return
        inner = prefix + path.rstrip("/")
        routes = self.keyword(call, "routes")
        if routes is not None:
            self._routes_list(routes, router, inner)
            return
        target = self.arg(call, 1, "app")
        target = self.resolve(target)
        static = isinstance(target, ast.Call) and self.name_of(target.func) == "StaticFiles"
        router.entries.append(RouteSpec(inner + "/{path:path}", ("GET", "HEAD") if static else None,
                                        self.src(call), handler=Handler.STATIC if static else Handler.APP,
                                        prefix_only=True))

    # -- authentication ------------------------------------------------------------
    def _endpoint_authenticates(self, func, depth: int = 0) -> bool:
        """An endpoint (or dependency) takes a parameter that depends on an
        Authorization-header security scheme."""
        if depth > 4:
            return False
        params = func.args.args + func.args.kwonlyargs
        defaults = list(func.args.defaults) + [d for d in func.args.kw_defaults if d is not None]
        nodes = defaults + [p.annotation for p in params if p.annotation is not None]
        return any(self._authenticating_depends(call, depth + 1) for node in nodes for call in ast.walk(node))

    def _authenticating_depends(self, node: ast.AST, depth: int) -> bool:
        """`Depends(x)` / `Security(x)` where x reads the Authorization header."""
        return (isinstance(node, ast.Call) and self.name_of(node.func) in ("Depends", "Security")
                and bool(node.args) and self._dependency_authenticates(node.args[0], depth))

    def _dependency_authenticates(self, node: ast.AST, depth: int) -> bool:
        if isinstance(node, ast.Name) and node.id in self.functions and node.id not in self.module.bindings:
            return self._endpoint_authenticates(self.functions[node.id], depth)
        node = self.resolve(node)
        if not isinstance(node, ast.Call):
            return False
        scheme = self.name_of(node.func)
        if scheme in AUTH_SCHEMES:
            return True
        if scheme == "APIKeyHeader":
            name = self.text(self.arg(node, 0, "name"))
            return isinstance(name, str) and name.lower() == "authorization"
        return False

    def _dependencies_authenticate(self, node: ast.AST | None) -> bool:
        node = self.resolve(node)
        if not isinstance(node, (ast.List, ast.Tuple)):
            return False
        return any(self._authenticating_depends(e, 1) for e in node.elts)


def _with_head(methods: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if methods is not None and "GET" in methods and "HEAD" not in methods:
        return methods + ("HEAD",)
    return methods


def _own_nodes(func):
    """The nodes of a function body, without nested functions and classes."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _dispatch_answers_first(func, skip_self: bool) -> str | None:
    """An HTTP middleware function `(request, call_next)` that can return a
    response of its own (or raise) instead of the one `call_next` gives."""
    params = [a.arg for a in func.args.args[1 if skip_self else 0:]]
    if len(params) < 2:
        return None
    call_next = params[1]

    def from_call_next(node: ast.AST | None) -> bool:
        node = node.value if isinstance(node, ast.Await) else node
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == call_next

    passed = {t.id for n in _own_nodes(func) if isinstance(n, ast.Assign) and from_call_next(n.value)
              for t in n.targets if isinstance(t, ast.Name)}
    for node in sorted(_own_nodes(func), key=lambda n: getattr(n, "lineno", 0)):
        if isinstance(node, ast.Return) and node.value is not None and not from_call_next(node.value) \
                and not (isinstance(node.value, ast.Name) and node.value.id in passed):
            return f"line {node.lineno} returns {_short(node.value)} without calling {call_next}"
        if isinstance(node, ast.Raise):
            return f"line {node.lineno} raises {_short(node.exc) if node.exc else 'an exception'}"
    return None


def _asgi_answers_first(func) -> str | None:
    """A pure ASGI middleware that sends a response itself: it calls
    something other than `self.app` with `(scope, receive, send)`, or calls
    `send` directly."""
    params = [a.arg for a in func.args.args[1:]]
    if len(params) < 3:
        return None
    send = params[2]
    for node in sorted(_own_nodes(func), key=lambda n: getattr(n, "lineno", 0)):
        if not isinstance(node, ast.Call):
            continue
        target = node.func
        if isinstance(target, ast.Name) and target.id == send:
            return f"line {node.lineno} sends a response itself"
        names = [a.id for a in node.args if isinstance(a, ast.Name)]
        if names[-1:] == [send] and not (isinstance(target, ast.Attribute) and target.attr == "app"):
            return f"line {node.lineno} answers with {_short(target)}"
    return None


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 50 else text[:47] + "..."


def evaluate_settings(module: Module, spec: MiddlewareSpec, params: tuple[str, ...]):
    """The CORSMiddleware arguments as {name: (value, source, items)} plus
    the names it does not accept.  `items` are (element, line) pairs of a
    list written out in the file (after following names), so a finding can
    point at the very entry; an element that is Unknown makes the whole
    value Unknown (it could be anything, `*` included)."""
    given: dict[str, tuple[object, Source, list]] = {}
    rejected: list[str] = []
    for index, node in enumerate(spec.args):
        if index >= len(params):
            rejected.append(f"{len(spec.args) + 1} positional arguments")
            break
        given[params[index]] = _setting(module, node, Source(spec.source.path, node.lineno))
    for keyword in spec.keywords:
        if keyword.arg is None:
            return {name: (Unknown("depends on **kwargs", keyword.lineno), Source(spec.source.path, keyword.lineno),
                           []) for name in params}, rejected
        if keyword.arg not in params:
            rejected.append(keyword.arg)
            continue
        if keyword.arg in given:
            rejected.append(f"{keyword.arg} twice")
        given[keyword.arg] = _setting(module, keyword.value, Source(spec.source.path, keyword.lineno))
    return given, rejected


def _setting(module: Module, node: ast.expr, source: Source):
    value = module.value(node)
    items = _items(module, node)
    if isinstance(value, (list, tuple)) and any(is_unknown(v) for v in value):
        value = next(v for v in value if is_unknown(v))
    return value, source, items


def _items(module: Module, node: ast.AST, depth: int = 0) -> list[tuple[object, int]]:
    if depth > 20:
        return []
    if isinstance(node, ast.Name) and node.id in module.bindings:
        return _items(module, module.bindings[node.id], depth + 1)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        out = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                out += _items(module, element.value, depth + 1)
            else:
                out.append((module.value(element), element.lineno))
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _items(module, node.left, depth + 1) + _items(module, node.right, depth + 1)
    return []
