"""What a Flask application file declares, read with `ast` only.

The file is never imported.  Statements are read in order, module level
first and then the bodies of plain functions (application factories such as
`create_app()` are assumed to be called), because order matters to
flask-cors: `CORS(app)` reads the `CORS_*` app config set *before* it, while
`@cross_origin` reads the config at request time.  Extracted:

- apps (`Flask(...)`) and blueprints (`Blueprint(..., url_prefix=...)`,
  `register_blueprint(bp, url_prefix=...)`);
- routes: `@app.route`, `@app.get/post/put/patch/delete`, `add_url_rule`
  (with a `MethodView` of this file), their methods and automatic OPTIONS;
- flask-cors layers: `CORS(app, ...)`, `CORS(); cors.init_app(app, ...)`,
  `resources=`, `CORS_*` config, and `@cross_origin(...)` on views (which
  only works below the route decorator);
- whether the route table is complete (a blueprint or rule the file does
  not show makes it incomplete).

Statements inside `if`/`try`/loops are conditional: a layer declared there
may or may not be installed, so its headers are unknown.
"""

from __future__ import annotations

import ast
import copy
import re

from ... import saferegex
from ...code.python import Module, call_keywords
from ...code.values import Unknown, is_unknown
from ...model import MiddlewareOrder, RejectedAtStartup, Source
from ...record import field, record
from ..base import Route, example_path
from ..statuses import flask_status
from .cors import (
    Level,
    Options,
    Regex,
    Setting,
    StartupError,
    TimeDelta,
    merge,
    probably_regex,
    resolve,
    resolve_pattern,
)

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SHORTCUTS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
CONFIG_KEYS = ("ORIGINS", "METHODS", "ALLOW_HEADERS", "EXPOSE_HEADERS", "SUPPORTS_CREDENTIALS", "MAX_AGE",
               "SEND_WILDCARD", "AUTOMATIC_OPTIONS", "VARY_HEADER", "RESOURCES", "INTERCEPT_EXCEPTIONS",
               "ALWAYS_SEND", "ALLOW_PRIVATE_NETWORK")
CONFIG_LOADERS = ("from_object", "from_pyfile", "from_envvar", "from_prefixed_env", "from_file", "from_mapping",
                  "update", "setdefault")
_CONVERTERS = {"int": r"\d+", "float": r"\d+\.\d+", "path": r"[^/].*?", "uuid": r"[0-9a-fA-F-]{36}"}


@record
class Resources:
    """A `resources={pattern: {options}}` dict: (pattern, its line, its options level)."""

    entries: list[tuple[object, Source, Level]]


@record
class Layer:
    """One `CORS(app|bp)` / `init_app`: an after_request hook, resources in
    the order flask-cors tries them.  `resources` is Unknown when the file
    does not show them; `conditional` when it may not be installed."""

    blueprint: str | None
    resources: list[tuple[object, Options]] | Unknown
    intercept: bool | Unknown
    source: Source
    conditional: bool


@record
class ViewCors:
    """`@cross_origin(...)` below a route decorator: it answers the view's
    requests (OPTIONS too unless `automatic_options=False` in its keywords)."""

    level: Level
    source: Source
    takes_options: bool
    conditional: bool
    options: Options | None = None
    error: StartupError | None = None


@record
class FlaskApp:
    routes: list[Route] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    complete: bool = True
    facts: list = field(default_factory=list)
    #: `CORS_*` app config (name, setting) that nothing in the file applies
    #: (no CORS(), init_app or cross_origin anywhere): CORS504
    unapplied: list = field(default_factory=list)
    #: (name, source) of the extensions judged as applied by an app factory
    #: the file does not hold (_Reader.adopt)
    adopted: list = field(default_factory=list)


@record
class _Blueprint:
    prefix: object
    mounts: list = field(default_factory=list)


#: a werkzeug converter in a rule: `<id>`, `<int:id>`, `<any(a, b):kind>`
_CONVERTER = re.compile(r"<(?:([a-zA-Z_]\w*)(?:\([^)]*\))?:)?([a-zA-Z_]\w*)>")


def rule_regex(rule: str) -> re.Pattern:
    """A werkzeug rule as a regex (`/users/<int:id>` -> `/users/\\d+`)."""
    out, pos = [], 0
    for m in _CONVERTER.finditer(rule):
        out.append(re.escape(rule[pos:m.start()]))
        converter = m.group(1) or "default"
        if converter == "any":
            choices = re.search(r"\(([^)]*)\)", m.group(0)).group(1)
            out.append("(?:" + "|".join(re.escape(c.strip().strip("'\"")) for c in choices.split(",")) + ")")
        else:
            out.append(_CONVERTERS.get(converter, r"[^/]+"))
        pos = m.end()
    out.append(re.escape(rule[pos:]))
    return saferegex.compile("".join(out))


def rule_head(rule: str) -> str:
    """The literal text every path the rule matches starts with (a
    routeindex.PathIndex head): the rule up to its first converter; a rule without
    one matches itself only, so all its segments are whole."""
    m = _CONVERTER.search(rule)
    return rule + "/" if m is None else rule[:m.start()]


class _Reader:
    """Walks the statements of one file and records what flask-cors and Flask will do."""

    def __init__(self, module: Module, path: str):
        self.module = module
        self.path = path
        self.app = FlaskApp()
        self.aliases = self._aliases()
        self.apps: set[str] = set()
        self.blueprints: dict[str, _Blueprint] = {}
        self.config: list[Level] = []
        self.extensions: dict[str, tuple[Level, Source]] = {}
        #: the extensions given an app (`CORS(app)`, `init_app(app)`) in the file
        self.applied: set[str] = set()
        self.functions = {n.name: n for n in module.tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        self.views: list[ViewCors] = []
        self.pending_routes: list[tuple[str | None, Route]] = []

    # -- names ------------------------------------------------------------------
    def _aliases(self) -> dict[str, str]:
        """Local names of CORS, cross_origin, Flask and Blueprint (`from flask_cors import CORS as Cors`)."""
        out = {}
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_cors"):
                for alias in node.names:
                    if alias.name in ("CORS", "cross_origin", "Flask", "Blueprint"):
                        out[alias.asname or alias.name] = alias.name
        return out

    def kind(self, func: ast.AST) -> str | None:
        if isinstance(func, ast.Name):
            return self.aliases.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("flask", "flask_cors"):
            return func.attr if func.attr in ("CORS", "cross_origin", "Flask", "Blueprint") else None
        return None

    def src(self, node: ast.AST) -> Source:
        return Source(self.path, node.lineno)

    def target(self, node: ast.AST | None) -> str | None | Unknown:
        """None for the app, a blueprint's name, Unknown for anything else."""
        if isinstance(node, ast.Name) and node.id in self.blueprints:
            return node.id
        if isinstance(node, ast.Name) and node.id not in self.extensions:
            return None
        if isinstance(node, ast.Call):
            return None
        return Unknown("an object the file does not show")

    def is_router(self, name: str) -> bool:
        return name in self.apps or name in self.blueprints or (not self.apps and name in ("app", "application"))

    # -- values ---------------------------------------------------------------------
    def value(self, node: ast.AST, env: Module):
        """A value as flask-cors sees it: code.python plus `re.compile(...)` and `timedelta(...)`."""
        if isinstance(node, ast.Name) and node.id in env.bindings and node.id not in ("True", "False", "None"):
            return env.memoized(("flask", node.id), lambda: self.value(env.bindings[node.id], env))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not any(isinstance(e, ast.Starred) for e in node.elts):
            items = [self.value(e, env) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.value(node.operand, env)
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("re.compile", "compile") and node.args and not node.keywords:
                pattern = env.value(node.args[0])
                flags = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
                if isinstance(pattern, str) and flags in ("", "re.I", "re.IGNORECASE"):
                    return Regex(pattern, bool(flags))
            if name in ("timedelta", "datetime.timedelta") and not node.args:
                parts = call_keywords(env, node)
                scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
                if parts and all(k in scale and isinstance(v, (int, float)) and not isinstance(v, bool)
                                 for k, v in parts.items()):
                    return TimeDelta(int(sum(scale[k] * v for k, v in parts.items())))
        return env.value(node)

    def node_of(self, node: ast.AST, env: Module) -> ast.AST:
        """Follow names to the expression they are bound to (to keep line numbers of dict entries)."""
        seen = 0
        while isinstance(node, ast.Name) and node.id in env.bindings and seen < 20:
            node, seen = env.bindings[node.id], seen + 1
        return node

    def keywords(self, call: ast.Call, env: Module, skip: tuple[str, ...] = ()) -> Level:
        """A call's keywords as a merge level (`**kwargs` makes it opaque)."""
        level = Level(source=self.src(call))
        for kw in call.keywords:
            if kw.arg is None:
                level.opaque = "depends on **" + ast.unparse(kw.value)
            elif kw.arg not in skip:
                level.items[kw.arg] = self.setting(kw.value, Source(self.path, kw.lineno), env, kw.arg)
        return level

    def setting(self, node: ast.AST, source: Source, env: Module, name: str) -> Setting:
        if name == "resources":
            target = self.node_of(node, env)
            if isinstance(target, ast.Dict):
                return Setting(self.resources(target, env), source)
        return Setting(self.value(node, env), source)

    def resources(self, node: ast.Dict, env: Module):
        entries = []
        for key, val in zip(node.keys, node.values):
            if key is None:
                return Unknown("depends on dict unpacking in resources")
            pattern = self.value(key, env)
            inner = self.node_of(val, env)
            level = Level(source=self.src(key))
            if isinstance(inner, ast.Dict):
                for k, v in zip(inner.keys, inner.values):
                    name = env.value(k) if k is not None else None
                    if not isinstance(name, str):
                        level.opaque = "depends on an unknown option name"
                        continue
                    level.items[name] = Setting(self.value(v, env), self.src(k))
            else:
                level.opaque = "depends on " + ast.unparse(val)
            entries.append((pattern, self.src(key), level))
        return Resources(entries)

    # -- statements --------------------------------------------------------------------
    def read(self) -> FlaskApp:
        self.walk(self.module.tree.body, self.module, False)
        self.adopt()
        self.finish()
        self.app.unapplied = self.unapplied()
        return self.app

    def unapplied(self) -> list:
        """The CORS_* app config when no flask-cors call in the file can apply
        it (any `CORS(...)`, `cross_origin`, or `init_app` of an extension
        made elsewhere might)."""
        written = [(f"CORS_{name.upper()}", setting) for level in self.config for name, setting in level.items.items()]
        if not written or self.app.layers or self.views or not self.apps:
            return []
        for node in ast.walk(self.module.tree):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "init_app" or \
                    func is not None and self.kind(func) in ("CORS", "cross_origin"):
                return []
        return written

    def walk(self, body: list[ast.stmt], env: Module, conditional: bool) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(stmt, env, conditional)
            elif isinstance(stmt, ast.ClassDef) or isinstance(stmt, ast.If) and _is_main_guard(stmt):
                continue
            elif isinstance(stmt, ast.With):
                self.walk(stmt.body, env, conditional)
            elif isinstance(stmt, (ast.If, ast.Try, ast.For, ast.While, ast.AsyncFor, ast.AsyncWith)):
                for inner in ("body", "orelse", "finalbody"):
                    self.walk(getattr(stmt, inner, []), env, True)
                for handler in getattr(stmt, "handlers", []):
                    self.walk(handler.body, env, True)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                self.assign(stmt, env, conditional)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) or isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Call):
                self.call(stmt.value, env, conditional, None)

    def assign(self, stmt: ast.Assign | ast.AnnAssign, env: Module, conditional: bool) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if stmt.value is None:
            return
        for target in targets:
            if isinstance(target, ast.Subscript) and _is_config(target.value):
                key = env.value(target.slice)
                if isinstance(key, str):
                    self.config_items({key: stmt.value}, env, self.src(stmt))
                else:
                    self.config.append(Level(opaque="depends on " + ast.unparse(target), source=self.src(stmt)))
        name = targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
        if isinstance(stmt.value, ast.Call):
            self.call(stmt.value, env, conditional, name)

    def config_items(self, items: dict, env: Module, source: Source) -> None:
        level = Level(source=source)
        for key, node in items.items():
            if key.startswith("CORS_") and key[5:] in CONFIG_KEYS:
                name = key.lower().replace("cors_", "")
                setting = self.setting(node, Source(self.path, node.lineno), env, name)
                if setting.value is not None:     # flask-cors skips None config values
                    level.items[name] = setting
        self.config.append(level)

    def call(self, call: ast.Call, env: Module, conditional: bool, name: str | None) -> None:
        kind = self.kind(call.func)
        func = call.func
        if kind == "Flask" and name:
            self.apps.add(name)
        elif kind == "Blueprint" and name:
            prefix = call_keywords(env, call).get("url_prefix")
            self.blueprints[name] = _Blueprint(prefix)
        elif kind == "CORS":
            level = self.keywords(call, env, skip=("app",))
            app_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "app"), None)
            if name:
                self.extensions[name] = (level, self.src(call))
            if app_node is not None:
                self.applied.add(name)
                self.layer(app_node, [level], self.src(call), conditional)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if func.attr == "init_app" and owner in self.extensions and call.args:
                self.applied.add(owner)
                ctor, _ = self.extensions[owner]
                self.layer(call.args[0], [ctor, self.keywords(call, env)], self.src(call), conditional)
            elif func.attr == "register_blueprint" and call.args:
                self.register(call, env)
            elif func.attr == "add_url_rule" and self.is_router(owner):
                self.url_rule(owner, call, env)
        elif isinstance(func, ast.Attribute) and _is_config(func.value) and func.attr in CONFIG_LOADERS:
            self.config_call(call, env)

    def config_call(self, call: ast.Call, env: Module) -> None:
        source = self.src(call)
        method = call.func.attr
        items: dict = {k.arg: k.value for k in call.keywords if k.arg}
        opaque = any(k.arg is None for k in call.keywords)
        if method == "from_object" and call.args and isinstance(call.args[0], ast.Name) \
                and isinstance(self.functions.get(call.args[0].id), ast.ClassDef):
            cls = self.functions[call.args[0].id]
            opaque = opaque or any(not (isinstance(b, ast.Name) and b.id == "object") for b in cls.bases)
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    items[stmt.targets[0].id] = stmt.value
        elif method in ("update", "from_mapping", "setdefault") and call.args:
            first = self.node_of(call.args[0], env)
            if method == "setdefault":
                key = env.value(call.args[0])
                if isinstance(key, str) and len(call.args) > 1:
                    items[key] = call.args[1]
                else:
                    opaque = True
            elif isinstance(first, ast.Dict) and all(k is not None for k in first.keys):
                for k, v in zip(first.keys, first.values):
                    key = env.value(k)
                    if isinstance(key, str):
                        items[key] = v
                    else:
                        opaque = True
            else:
                opaque = True
        elif method not in ("update", "from_mapping"):
            opaque = True
        if opaque:
            self.config.append(Level(opaque="depends on app.config." + method + "(...)", source=source))
        self.config_items(items, env, source)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, env: Module, conditional: bool) -> None:
        routes = [(i, d) for i, d in enumerate(node.decorator_list) if self.route_decorator(d)]
        cors = [(i, d) for i, d in enumerate(node.decorator_list)
                if isinstance(d, ast.Call) and self.kind(d.func) == "cross_origin"]
        if not routes:
            local = copy.copy(env)
            local.bindings = dict(env.bindings)
            local.binding_lines = dict(env.binding_lines)
            for stmt in node.body:
                local._bind(stmt)
            self.walk(node.body, local, conditional)
            return
        for index, deco in routes:
            below = [c for i, c in cors if i > index]
            above = [c for i, c in cors if i < index]
            owner = deco.func.value.id
            method = deco.func.attr
            kws = call_keywords(env, deco)
            rule = env.value(deco.args[0]) if deco.args else kws.get("rule", Unknown("no rule"))
            methods = (SHORTCUTS[method],) if method in SHORTCUTS else kws.get("methods", ("GET",))
            view = self.view_cors(below[-1], env, conditional) if below else None
            self.add_route(owner, rule, methods, self.src(deco), view, kws.get("provide_automatic_options"),
                           flask_status(node))
            for c in above:
                self.app.facts.append(MiddlewareOrder(
                    self.src(c), f"@cross_origin is above @{owner}.{method}: the route registers the view "
                                 f"without it, so flask-cors never runs for this view (put @cross_origin directly "
                                 f"below the route decorator)", [(self.src(deco), "the route decorator")]))

    def route_decorator(self, deco: ast.AST) -> bool:
        return isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) \
            and isinstance(deco.func.value, ast.Name) and deco.func.attr in ("route",) + tuple(SHORTCUTS) \
            and self.is_router(deco.func.value.id)

    def view_cors(self, deco: ast.Call, env: Module, conditional: bool) -> ViewCors:
        level = self.keywords(deco, env)
        automatic = level.items.get("automatic_options")
        takes = True if automatic is None else automatic.value
        view = ViewCors(level, self.src(deco), takes if is_unknown(takes) else bool(takes), conditional)
        self.views.append(view)
        return view

    def url_rule(self, owner: str, call: ast.Call, env: Module) -> None:
        kws = call_keywords(env, call)
        rule = env.value(call.args[0]) if call.args else kws.get("rule", Unknown("no rule"))
        view_node = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords
                                                                  if k.arg == "view_func"), None)
        methods = kws.get("methods")
        view, status = None, None
        if isinstance(view_node, ast.Call) and isinstance(view_node.func, ast.Attribute) \
                and view_node.func.attr == "as_view" and isinstance(view_node.func.value, ast.Name):
            cls = self.functions.get(view_node.func.value.id)
            if methods is None and isinstance(cls, ast.ClassDef):
                methods = tuple(f.name.upper() for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                                and f.name.upper() in HTTP_METHODS) or Unknown("a view class without methods")
            elif methods is None:
                methods = Unknown("depends on " + ast.unparse(view_node))
        elif isinstance(view_node, ast.Name) and isinstance(self.functions.get(view_node.id), ast.FunctionDef):
            decos = [d for d in self.functions[view_node.id].decorator_list
                     if isinstance(d, ast.Call) and self.kind(d.func) == "cross_origin"]
            if decos:
                view = self.view_cors(decos[-1], env, False)
            status = flask_status(self.functions[view_node.id])
        self.add_route(owner, rule, methods or ("GET",), self.src(call), view, kws.get("provide_automatic_options"),
                       status)

    def add_route(self, owner: str, rule, methods, source: Source, view: ViewCors | None, automatic,
                  status: int | None = None) -> None:
        """Flask `add_url_rule`: methods upper-cased, HEAD with GET, OPTIONS automatic unless listed or
        the view turns it off (`@cross_origin` routes OPTIONS to itself); `status`: what the view
        returns on every path (statuses.flask_status), None when its code does not say."""
        if not isinstance(rule, str) or is_unknown(methods) or not isinstance(methods, (list, tuple, set)) \
                or not all(isinstance(m, str) for m in methods):
            self.app.complete = False
            return
        served = {m.upper() for m in methods}
        takes_options = view is not None and view.takes_options is not False
        if takes_options:
            served.add("OPTIONS")
        auto = automatic if isinstance(automatic, bool) else (not takes_options and "OPTIONS" not in served)
        if auto:
            served.add("OPTIONS")
        if "GET" in served:
            served.add("HEAD")
        ordered = tuple(m for m in HTTP_METHODS if m in served) + tuple(sorted(served - set(HTTP_METHODS)))
        blueprint = owner if owner in self.blueprints else None
        route = Route(rule, ordered, source, "", {"blueprint": blueprint, "view": view, "auto_options": auto,
                                                "status": status})
        self.pending_routes.append((blueprint, route))

    def register(self, call: ast.Call, env: Module) -> None:
        node = call.args[0]
        if not (isinstance(node, ast.Name) and node.id in self.blueprints):
            self.app.complete = False     # a blueprint from another module: its routes are not visible
            return
        kws = call_keywords(env, call)
        blueprint = self.blueprints[node.id]
        blueprint.mounts.append(kws.get("url_prefix", blueprint.prefix))

    def adopt(self) -> None:
        """An extension module (`cors = CORS(origins=...)` with no app, and
        no Flask app, view or init_app in the file): the app factory that
        calls `cors.init_app(app)` lives in a module not read, so each such
        extension is judged as applied to the app there, and the model says
        so (FlaskApp.adopted), as an Express module of cors() options is
        judged as passed to cors().  Judging nothing would pass the file
        silently."""
        if self.apps or self.app.layers or self.views:
            return
        for name, (level, source) in self.extensions.items():
            if name not in self.applied:
                self.apply(None, [level], source, False)
                self.app.adopted.append((name, source))

    def layer(self, app_node: ast.AST, levels: list[Level], source: Source, conditional: bool) -> None:
        target = self.target(app_node)
        if not is_unknown(target):
            self.apply(target, levels, source, conditional)

    def apply(self, target: str | None, levels: list[Level], source: Source, conditional: bool) -> None:
        """A flask-cors layer on the app (`target` None) or a blueprint."""
        levels = (list(self.config) if target is None else []) + levels   # blueprints have no config
        try:
            settings = merge(source, levels)
            top = resolve(settings)
            resources = self.resolve_resources(settings["resources"], source, levels)
        except StartupError as error:
            self.app.facts.append(RejectedAtStartup(error.source, str(error), error.related))
            return
        self.app.layers.append(Layer(target, resources, top.intercept_exceptions, source, conditional))

    def resolve_resources(self, setting: Setting, source: Source, levels: list[Level]):
        """flask-cors `parse_resources`: (path pattern, options) in matching order."""
        spec = setting.value
        if is_unknown(spec):
            return spec
        if isinstance(spec, Resources):
            entries = [(".*" if p == "*" else p, s, level) for p, s, level in spec.entries]
            if any(is_unknown(p) for p, _, _ in entries):
                return Unknown("depends on an unknown resource pattern")
            entries.sort(key=lambda e: _specificity(e[0]))
        elif isinstance(spec, (str, Regex)):
            entries = [(".*" if spec == "*" else spec, setting.source, Level())]
        elif isinstance(spec, (list, tuple, set)) and not any(is_unknown(p) for p in spec):
            entries = [(".*" if p == "*" else p, setting.source, Level()) for p in spec]
        else:
            return Unknown("depends on the resources value")
        return [(resolve_pattern(p, s, False, "resource path"), resolve(merge(source, levels + [level])))
                for p, s, level in entries]

    def finish(self) -> None:
        """Routes get their mounted paths; decorators read the final app config."""
        for view in self.views:
            try:
                view.options = resolve(merge(view.source, self.config + [view.level]))
            except StartupError as error:
                view.error = error
                self.app.facts.append(RejectedAtStartup(
                    error.source, str(error).replace("at setup", "on every request to this view"), error.related))
        for blueprint, route in self.pending_routes:
            prefixes = [""] if blueprint is None else (self.blueprints[blueprint].mounts or
                                                        [self.blueprints[blueprint].prefix])
            if blueprint is not None and not self.blueprints[blueprint].mounts:
                self.app.complete = False     # registered elsewhere, presumably with its own url_prefix
            for prefix in prefixes:
                if prefix is not None and not isinstance(prefix, str):
                    self.app.complete = False
                    continue
                rule = _join(prefix or "", route.pattern)
                self.app.routes.append(Route(rule, route.methods, route.source, example_path(rule),
                                             dict(route.extra, regex=rule_regex(rule), head=rule_head(rule))))
        if not self.app.routes:
            self.app.complete = False     # the views live in other modules


def _join(prefix: str, rule: str) -> str:
    """Blueprint `url_prefix` + rule, as Flask joins them."""
    if not prefix:
        return rule
    return prefix.rstrip("/") + "/" + rule.lstrip("/") if rule else prefix


def _specificity(pattern) -> tuple:
    """flask-cors 6 order: literal paths first, then regexes by '/' count and length."""
    if isinstance(pattern, Regex):
        return (1, 0, -pattern.pattern.count("/"), -len(pattern.pattern))
    if probably_regex(pattern):
        return (1, 1, -pattern.count("/"), -len(pattern))
    return (0, 0, -str(pattern).count("/"), -len(str(pattern)))


def _is_config(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "config"


def _is_main_guard(node: ast.If) -> bool:
    return "__main__" in ast.unparse(node.test)


def read_app(source: str, path: str, file: str | None = None, package=None) -> FlaskApp:
    """Everything the model needs from one Flask application file (with the
    modules of its package it imports relatively, when `package` is given)."""
    return _Reader(Module(source, path, file, package), path).read()
