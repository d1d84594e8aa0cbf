"""What an Express application file declares, read with tree-sitter: never run.

Every `app.use(...)`, `router.use(...)`, `app.METHOD(path, ...)` and
`app.route(path).METHOD(...)` becomes a `Layer` of its `Router`, in
registration order, exactly as Express stacks them.  A layer's handlers are
`cors(...)` calls (`CorsCall`, with the lines of their options), functions
written in the file (`WrittenHandler`), mounted routers, or middleware the linter
cannot see into (`Opaque`: `helmet()`, `passport.authenticate()`).  The
Express major version, which decides how paths match, comes from the
nearest package.json.
"""

from __future__ import annotations

import json
import os
import re

from ...code.javascript import (UNDEFINED, CallValue, Interpreter, JsFunction, JsRegex, Module, ModuleRef, Return,
                                Stop, Thrown, descendants, string_value, unwrap)
from ...code.values import Unknown
from ...cors import CORS_PREFIX
from ...model import Source
from ...record import field, record
from .cors import CorsCall
from .paths import Matcher, PathError, compile_path

METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "all")
#: middleware packages that never answer a request of their own nor touch CORS headers
PASSTHROUGH = {"express": ("json", "urlencoded", "raw", "text", "static"), "body-parser": None, "morgan": None,
               "helmet": None, "compression": None, "cookie-parser": None, "express-session": None,
               "express-rate-limit": None, "hpp": None, "response-time": None,
               # passport.initialize() and .session() read the session and pass every request on (checked with
               # passport 0.7 + express-session: a preflight still gets cors' 204); only authenticate() answers
               "passport": ("initialize", "session")}
_AUTH = re.compile(r"auth|jwt|passport|login|guard|protect|verify.?token|require.?user|session.?required", re.I)
_CORS_TEXT = re.compile(CORS_PREFIX, re.I)
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
class WrittenHandler:
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
        for node in descendants(root):
            if node.type == "variable_declarator":
                self._declare(node)
        for node in descendants(root):
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
                    out.append(WrittenHandler(value, Source(value.env.module.path, value.line)
                                              if node.type == "identifier" else source))
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
        return self.cors_call(arg, source, value.args[0] if value.args else None)

    def cors_call(self, arg, source: Source, arg_node=None) -> CorsCall:
        """`cors(arg)` at `source`, with the lines its options are written on
        (in this file, or in the module they were imported from)."""
        call = CorsCall(_opaque_calls_unknown(arg), source)
        if self.module.graph is not None:
            self.module.graph.flag(arg)
        owner, obj = self.module, _object_node(self.module, arg_node) if arg_node is not None else None
        written = self.module.graph.literal(arg) if obj is None and self.module.graph is not None else None
        if written is not None and written[1].type == "object":     # options imported from another module
            owner, obj = written
            call.options_path = owner.path
        if obj is not None:
            _option_lines(owner, obj, call)
        if self.module.graph is not None and isinstance(arg, dict):
            entries = self.module.graph.literal(arg.get("origin"))
            if entries is not None and entries[0] is not owner and entries[1].type == "array":
                call.entries_path = entries[0].path      # an allow-list imported by the options module
                call.entry_lines = [e.start_point[0] + 1 for e in entries[1].named_children if e.type != "comment"]
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


def express_version(path: str) -> int | None:
    """The Express major version from the nearest package.json naming
    express (None when none does: unknown, both majors are judged), looked
    up from the app's folder up to its root and no further
    (`confine.lookup_root`: the folder walked, or the checkout)."""
    from ... import confine

    top = confine.lookup_root(path)
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(6):
        candidate = os.path.join(folder, "package.json")
        if os.path.isfile(candidate):
            try:
                data = json.loads(confine.read(candidate, top))
            except (OSError, ValueError, RecursionError):
                data = {}
            if not isinstance(data, dict):      # a package.json that is a list, a number...
                data = {}
            for section in ("dependencies", "devDependencies", "peerDependencies"):
                deps = data.get(section)
                spec = str(deps.get("express", "")) if isinstance(deps, dict) else ""
                found = re.search(r"\d+", spec)
                if found:
                    return int(found.group(0))
        parent = os.path.dirname(folder)
        if parent == folder or not confine.below(confine.real_path(parent), top):
            break
        folder = parent
    return None


def read_app(module: Module, path: str, version: int) -> Router | None:
    """The application's router (else the first router the file makes), with every registration read."""
    return _Reader(module, path, version).read()


#: the keys of the `cors` package's options object
CORS_OPTIONS = frozenset({"origin", "credentials", "methods", "allowedHeaders", "headers", "exposedHeaders",
                          "maxAge", "preflightContinue", "optionsSuccessStatus"})


def exported_options(module: Module) -> dict | None:
    """The CORS options object a module exports (`module.exports = corsOptions`,
    `export default {...}`, `export const corsOptions = {...}`): an object whose
    keys are all options of the `cors` package, with `origin` among them or at
    least two of them.  None when the module exports no such object."""
    from ...code.jsmodules import read_exports

    exports = read_exports(module)
    candidates = list(exports.names.values()) if exports.esm else []
    candidates.append(exports.commonjs())
    for value in candidates:
        if isinstance(value, dict) and value and set(value) <= CORS_OPTIONS \
                and ("origin" in value or len(value) >= 2):
            return value
    return None


def unused_options(module: Module, path: str) -> list[tuple[str, Source, tuple[str, ...]]]:
    """Module-level objects of `cors` options (`const corsOptions = {origin:
    ...}`) that nothing in the file ever names again, so cors() never gets
    them: (name, where it is written, the string origins it lists).  An
    object another module may read (exported) is named again by the export."""
    declared = []
    for node in descendants(module.tree.root_node):
        if node.type != "variable_declarator" or node.parent is None or node.parent.parent is None \
                or node.parent.parent.type != "program":
            continue
        name, value = node.child_by_field_name("name"), unwrap(node.child_by_field_name("value"))
        if name is None or name.type != "identifier" or value is None or value.type != "object":
            continue
        keys = {}
        for child in value.named_children:
            if child.type == "pair":
                keys[child.child_by_field_name("key").text.decode().strip("'\"")] = child.child_by_field_name("value")
            elif child.type != "comment":
                keys = {}   # a spread or shorthand: not a plain options literal
                break
        if keys and set(keys) <= CORS_OPTIONS and ("origin" in keys or len(keys) >= 2):
            declared.append((name.text.decode(), Source(path, node.start_point[0] + 1), _origins(keys.get("origin"))))
    if not declared:
        return []
    names = {d[0] for d in declared}
    uses: dict[str, int] = {}
    for node in descendants(module.tree.root_node):
        if node.type in ("identifier", "shorthand_property_identifier") and node.text.decode() in names:
            uses[node.text.decode()] = uses.get(node.text.decode(), 0) + 1
    return [d for d in declared if uses.get(d[0], 0) == 1]


def _origins(node) -> tuple[str, ...]:
    """The string origins an `origin:` value spells (a string or an array of them)."""
    node = unwrap(node) if node is not None else None
    items = node.named_children if node is not None and node.type == "array" else [node]
    return tuple(string_value(n) for n in items if n is not None and n.type == "string")


def options_app(module: Module, path: str, version: int, options: dict) -> tuple[Router, Source]:
    """An options module linted alone: the app `app.use(cors(options))` on
    every path, that is what the module means to whoever imports it; the
    source is where the options object is written."""
    reader = _Reader(module, path, version)
    written = module.graph.literal(options) if module.graph is not None else None
    source = Source(path, written[1].start_point[0] + 1 if written is not None else 1)
    layer = Layer("use", None, source, compile_path(None, version, False),
                  handlers=[reader.cors_call(options, source)])
    return Router("app", [layer]), source
