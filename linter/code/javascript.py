"""JavaScript and TypeScript read with tree-sitter: never run.

An Express app spells its CORS configuration as constants and small
functions: `const corsOptions = { origin: ALLOWED, credentials: true }`,
`origin: (origin, cb) => cb(null, ALLOWED.includes(origin))`, a hand-written
middleware that copies `req.headers.origin` into the response.  This module
evaluates exactly that much JavaScript: literals, module-level bindings,
array/object displays, string operations, comparisons and the statements
of such small functions (`if`, `return`, local `const`, calls).  Everything
else (environment variables, imports of other modules, I/O) is `Unknown`,
so the model can say "depends on process.env.CORS_ORIGIN" instead of
guessing.  Request-dependent objects (`req`, `res`, `next`, a callback) are
Python objects the caller passes in; they implement `member` and `call`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .. import saferegex
from ..diagnostics import InputError
from ..expansion import Budget
from ..record import field, record
from .jsmodules import is_relative
from .values import Unknown, is_unknown, too_large

#: how deep a value may refer to other values or call functions
MAX_DEPTH = 40
#: statements one function call may execute (loops are never run)
MAX_STEPS = 500
#: the largest integer a JavaScript number holds exactly: past it numbers are
#: doubles (and `A1 = A0 * A0` cannot grow a Python int digit by digit)
MAX_SAFE_INTEGER = 2 ** 53 - 1


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


@record(frozen=True)
class JsRegex:
    """A regular-expression literal (`/^https:\\/\\/a\\.example$/i`)."""

    pattern: str
    flags: str
    line: int
    #: the file it is written in, as shown (a module imported by the linted file)
    path: str = ""

    @property
    def compiled(self) -> re.Pattern | None:
        return compile_regex(self.pattern, self.flags)

    def test(self, value) -> bool | Unknown:
        compiled = self.compiled
        if compiled is None:
            return Unknown(f"regex /{self.pattern}/ uses syntax the linter does not evaluate")
        return compiled.search(to_string(value)) is not None


def python_pattern(pattern: str) -> str:
    """A JS pattern in Python's spelling: named groups `(?<name>` become `(?P<name>`."""
    return pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")


@lru_cache(maxsize=512)
def compile_regex(pattern: str, flags: str) -> re.Pattern | None:
    """The Python equivalent of a JS regex (the syntax origin patterns use)."""
    text = python_pattern(pattern)
    py_flags = (re.IGNORECASE if "i" in flags else 0) | (re.MULTILINE if "m" in flags else 0) | \
        (re.DOTALL if "s" in flags else 0)
    try:
        return saferegex.compile(text, py_flags)
    except (re.error, RecursionError, OverflowError):
        return None


@record
class JsFunction:
    """A function value: its node, parameter names and the scope it closes over."""

    node: object
    env: "Env"

    @property
    def params(self) -> list[str]:
        return function_params(self.node)

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1


@record(frozen=True)
class ModuleRef:
    """What `require('cors')`, `import cors from 'cors'` or `express.Router` name."""

    module: str
    member: str = ""

    def attr(self, name: str) -> "ModuleRef":
        return ModuleRef(self.module, f"{self.member}.{name}" if self.member else name)


@record
class CallValue:
    """The result of calling something this module does not know (`cors(opts)`,
    `express()`, `helmet()`): kept as its callee and argument nodes so the
    framework layer decides what it is."""

    callee: ModuleRef
    args: list
    node: object
    env: "Env" = field(repr=False, default=None)


class Env:
    """A scope: names bound to nodes (module level, evaluated on demand) or values."""

    def __init__(self, module: "Module", parent: "Env | None" = None):
        self.module = module
        self.parent = parent
        self.values: dict[str, object] = {}

    def child(self) -> "Env":
        return Env(self.module, self)

    def lookup(self, name: str):
        env = self
        while env is not None:
            if name in env.values:
                return env.values[name]
            env = env.parent
        return self.module.binding(name)

    def assign(self, name: str, value) -> None:
        env = self
        while env is not None:
            if name in env.values:
                env.values[name] = value
                return
            env = env.parent
        self.values[name] = value


class Return(Exception):
    def __init__(self, value):
        self.value = value


class Stop(Exception):
    """The function handed control on (`next()`) or ended the response."""


class Thrown(Exception):
    def __init__(self, value):
        self.value = value


# -- parsing -------------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _parser(dialect: str):
    from tree_sitter import Language, Parser

    if dialect == "js":
        import tree_sitter_javascript as grammar

        return Parser(Language(grammar.language()))
    import tree_sitter_typescript as grammar

    return Parser(Language(grammar.language_tsx() if dialect == "tsx" else grammar.language_typescript()))


def dialect_of(path: str) -> str:
    lower = path.lower()
    if lower.endswith((".ts", ".mts", ".cts")):
        return "ts"
    return "tsx" if lower.endswith(".tsx") else "js"


def parse(source: bytes, path: str):
    """The tree and its syntax errors as (line, column, message)."""
    tree = _parser(dialect_of(path)).parse(source)
    errors = []
    stack = [tree.root_node]
    while stack and len(errors) < 5:
        node = stack.pop()
        if not node.has_error:
            continue
        if node.is_missing:
            errors.append((node.start_point[0] + 1, node.start_point[1] + 1, f"missing {node.type}"))
        elif node.type == "ERROR":
            snippet = node.text.decode("utf-8", "replace").splitlines()[0][:40] if node.text else ""
            errors.append((node.start_point[0] + 1, node.start_point[1] + 1, f"syntax error near {snippet!r}"))
            continue
        stack.extend(reversed(node.children))
    return tree, sorted(errors)


def read_javascript(path: str, display: str, graph=None) -> tuple[Module | None, list[InputError]]:
    """(the module, or None when it does not parse; the input errors met).
    An unreadable file raises InputError.  With a `jsmodules.Graph`, the
    module's relative imports are followed through it."""
    from ..confine import read

    try:
        source = read(path)     # bounded, a regular file, never through a link swapped in
    except OSError as exc:
        raise InputError(display, None, f"cannot read this file: {exc}") from None
    tree, errors = parse(source, path)
    text = source.decode("utf-8", errors="replace").encode("utf-8")
    if text != source and not errors:
        # Node reads sources as UTF-8 and turns invalid bytes into U+FFFD: in a
        # string or a comment that is no error (outside one, the parse of the
        # bytes above already failed); the module reads the decoded text
        source = text
        tree, errors = parse(source, path)
    if errors:
        return None, [InputError(display, line, f"cannot parse this file: {message}", column)
                      for line, column, message in errors]
    from .jsregex import refused_literals

    refused = refused_literals(tree, _parser(dialect_of(path)).language)
    if refused:     # an early SyntaxError: node loads nothing of the file
        return None, [InputError(display, line, f"SyntaxError: {message} (node refuses to load the file)", column)
                      for line, column, message in refused]
    return Module(tree, source, display, graph=graph, file=path), []


_WRAPPERS = {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
             "type_assertion", "await_expression"}


def unwrap(node):
    """Drop parentheses, TypeScript casts (`x as T`, `x!`, `<T>x`) and `await`."""
    while node is not None and node.type in _WRAPPERS:
        children = [c for c in node.named_children if "type" not in c.type or c.type == "type_assertion"]
        node = children[-1] if node.type == "type_assertion" else children[0]
    return node


def string_value(node) -> str:
    parts = []
    for child in node.named_children:
        if child.type == "escape_sequence":
            parts.append(_unescape(child.text.decode()))
        else:
            parts.append(child.text.decode())
    return "".join(parts)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(text: str) -> str:
    body = text[1:]
    if body[:1] == "u" or body[:1] == "x":
        try:
            return chr(int(body[1:].strip("{}"), 16))
        except ValueError:
            return body
    return _ESCAPES.get(body, body)


def function_params(node) -> list[str]:
    params = node.child_by_field_name("parameters")
    if params is None:
        single = node.child_by_field_name("parameter")
        return [single.text.decode()] if single is not None else []
    out = []
    for p in params.named_children:
        if p.type in ("required_parameter", "optional_parameter"):
            p = p.child_by_field_name("pattern") or p.named_children[0]
        if p.type == "assignment_pattern":
            p = p.child_by_field_name("left")
        if p.type == "this":
            continue
        out.append(p.text.decode() if p.type == "identifier" else "")
    return out


FUNCTION_TYPES = {"arrow_function", "function_expression", "function", "function_declaration"}


def descendants(node):
    """Every node of a subtree, in source order (the node itself first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


# -- JavaScript semantics of plain values -----------------------------------------------------------

def to_string(value) -> str:
    """`String(value)`."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return "NaN" if math.isnan(value) else repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_string(v) for v in value)
    if isinstance(value, JsRegex):
        return f"/{value.pattern}/{value.flags}"
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def truthy(value):
    """JS truthiness, or Unknown."""
    if is_unknown(value):
        return value
    if value is UNDEFINED or value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


def strict_equal(a, b):
    if is_unknown(a) or is_unknown(b):
        return Unknown("comparison with an unknown value")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, (str, bool)) or a is None or a is UNDEFINED:
        return a == b
    return a is b


# -- the evaluator -------------------------------------------------------------------------------------

class Module:
    """One source file: its module-level bindings, evaluated on demand."""

    def __init__(self, tree, source: bytes, path: str, graph=None, file: str | None = None):
        self.tree = tree
        self.source = source
        self.path = path
        #: the relative imports followed (code/jsmodules.py), None when they are not
        self.graph = graph
        #: the file on disk (relative imports are resolved against its folder)
        self.file = file
        self.nodes: dict[str, object] = {}
        self._cache: dict[str, object] = {}
        self._busy: set[str] = set()
        #: bounds the arrays and strings built from constants (`[...A0, ...A0]` forty times over)
        self.budget = Budget()
        self.root = Env(self)
        self._collect(tree.root_node)

    def _collect(self, node) -> None:
        """Module-level names: declarations, functions, imports (first binding wins)."""
        for stmt in node.named_children:
            if stmt.type == "export_statement":
                decl = stmt.child_by_field_name("declaration")
                if decl is not None:
                    self._collect_one(decl)
                continue
            self._collect_one(stmt)

    def _collect_one(self, stmt) -> None:
        if stmt.type in ("lexical_declaration", "variable_declaration"):
            for decl in stmt.named_children:
                if decl.type != "variable_declarator":
                    continue
                name = decl.child_by_field_name("name")
                value = decl.child_by_field_name("value")
                if name is None:
                    continue
                if name.type == "identifier":
                    self.nodes.setdefault(name.text.decode(), value)
                elif name.type == "object_pattern" and value is not None:
                    for prop in name.named_children:   # const { Router } = require('express')
                        key = prop.child_by_field_name("key") or prop
                        local = prop.child_by_field_name("value") or prop
                        if local.type in ("identifier", "shorthand_property_identifier_pattern"):
                            self.nodes.setdefault(local.text.decode(), ("member", value, key.text.decode()))
        elif stmt.type == "function_declaration":
            name = stmt.child_by_field_name("name")
            if name is not None:
                self.nodes.setdefault(name.text.decode(), stmt)
        elif stmt.type == "import_statement":
            self._collect_import(stmt)

    def _collect_import(self, stmt) -> None:
        src = stmt.child_by_field_name("source")
        if src is None:
            return
        module = string_value(src)
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        line = stmt.start_point[0] + 1

        def bind(local: str, name: str) -> None:
            """A package's import stays a ModuleRef; a relative one is followed when a graph is given."""
            if self.graph is not None and is_relative(module):
                self.nodes.setdefault(local, ("import", module, name, line))
            else:
                self.nodes.setdefault(local, ModuleRef(module, "" if name in ("default", "*") else name))

        for part in clause.named_children:
            if part.type == "identifier":
                bind(part.text.decode(), "default")
            elif part.type == "namespace_import":
                bind(part.named_children[-1].text.decode(), "*")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or name
                    bind(alias.text.decode(), name.text.decode())

    def binding(self, name: str):
        if name in self._cache:
            return self._cache[name]
        if name not in self.nodes:
            if name == "undefined":
                return UNDEFINED
            return Unknown(f"{name} is not defined in this file")
        if name in self._busy:
            return Unknown(f"{name} refers to itself")
        self._busy.add(name)
        try:
            bound = self.nodes[name]
            if isinstance(bound, ModuleRef):
                value = bound
            elif isinstance(bound, tuple) and bound[0] == "import":
                value = self.graph.imported(self, bound[1], bound[2], bound[3])
            elif isinstance(bound, tuple):
                base = Interpreter(self).eval(bound[1], self.root)
                value = base.attr(bound[2]) if isinstance(base, ModuleRef) else \
                    Interpreter(self).member(base, bound[2], bound[1])
            elif bound is None:
                value = UNDEFINED
            elif bound.type == "function_declaration":
                value = JsFunction(bound, self.root)
            else:
                value = Interpreter(self).eval(bound, self.root)
        finally:
            self._busy.discard(name)
        self._cache[name] = value
        return value

    def line(self, node) -> int:
        return node.start_point[0] + 1


class Interpreter:
    """Evaluates expressions and runs small functions; `steps` bounds the work."""

    def __init__(self, module: Module, on_unknown_call=None):
        self.module = module
        self.steps = 0
        self.depth = 0
        #: called with (callee, args) for calls of unknown functions that get
        #: request objects: the caller decides whether that makes the answer uncertain
        self.on_unknown_call = on_unknown_call
        #: > 0 while running a branch whose condition is unknown: its effects are
        #: recorded with unknown values and it cannot end the function
        self.uncertain = 0

    # -- functions ---------------------------------------------------------------------------------
    def call_function(self, fn: JsFunction, args: list):
        """Run `fn(*args)`: its return value (or Unknown for bodies too large)."""
        if self.depth > MAX_DEPTH:
            return Unknown("calls nested too deep")
        env = fn.env.child()
        for i, name in enumerate(fn.params):
            if name:
                env.values[name] = args[i] if i < len(args) else UNDEFINED
        body = fn.node.child_by_field_name("body")
        self.depth += 1
        try:
            if body.type != "statement_block":
                return self.eval(body, env)
            self.run_block(body, env)
            return UNDEFINED
        except Return as ret:
            return ret.value
        finally:
            self.depth -= 1

    def run_block(self, block, env: Env) -> None:
        for stmt in block.named_children:
            self.run(stmt, env)

    def run(self, stmt, env: Env) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Return(Unknown("function too long to follow"))
        kind = stmt.type
        if kind == "expression_statement":
            self.eval(stmt.named_children[0], env)
        elif kind == "return_statement":
            value = stmt.named_children[0] if stmt.named_children else None
            raise Return(self.eval(value, env) if value is not None else UNDEFINED)
        elif kind == "statement_block":
            self.run_block(stmt, env.child())
        elif kind == "if_statement":
            self._run_if(stmt, env)
        elif kind in ("lexical_declaration", "variable_declaration"):
            for decl in stmt.named_children:
                if decl.type == "variable_declarator":
                    name = decl.child_by_field_name("name")
                    value = decl.child_by_field_name("value")
                    env.values[name.text.decode()] = self.eval(value, env) if value is not None else UNDEFINED
        elif kind == "function_declaration":
            env.values[stmt.child_by_field_name("name").text.decode()] = JsFunction(stmt, env)
        elif kind == "try_statement":
            self.run(stmt.child_by_field_name("body"), env)
        elif kind == "throw_statement":
            raise Thrown(self.eval(stmt.named_children[0], env))
        elif kind in ("comment", "empty_statement"):
            pass
        else:   # loops, switch...: not followed
            raise Return(Unknown(f"a {kind.replace('_', ' ')} the linter does not follow (line "
                                 f"{stmt.start_point[0] + 1})"))

    def _run_if(self, stmt, env: Env) -> None:
        cond = truthy(self.eval(stmt.child_by_field_name("condition"), env))
        alternative = stmt.child_by_field_name("alternative")
        if alternative is not None and alternative.type == "else_clause":
            alternative = alternative.named_children[0]
        if is_unknown(cond):    # run both branches, neither can decide the outcome
            if self.on_unknown_call is not None:
                self.on_unknown_call(cond, stmt)
            self.uncertain += 1
            try:
                for branch in (stmt.child_by_field_name("consequence"), alternative):
                    try:
                        if branch is not None:
                            self.run(branch, env.child())
                    except (Return, Stop, Thrown):
                        pass
            finally:
                self.uncertain -= 1
        elif cond:
            self.run(stmt.child_by_field_name("consequence"), env.child())
        elif alternative is not None:
            self.run(alternative, env.child())

    # -- expressions -------------------------------------------------------------------------------
    def eval(self, node, env: Env):
        node = unwrap(node)
        if node is None:
            return UNDEFINED
        kind = node.type
        if kind == "string":
            return string_value(node)
        if kind == "template_string":
            return self._template(node, env)
        if kind == "number":
            return _number(node.text.decode())
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "null":
            return None
        if kind == "undefined":
            return UNDEFINED
        if kind == "regex":
            pattern = node.child_by_field_name("pattern")
            flags = node.child_by_field_name("flags")
            return JsRegex(pattern.text.decode() if pattern else "", flags.text.decode() if flags else "",
                           node.start_point[0] + 1, env.module.path)
        if kind == "identifier":
            return env.lookup(node.text.decode())
        if kind == "array":
            return self._array(node, env)
        if kind == "object":
            return self._object(node, env)
        if kind in FUNCTION_TYPES:
            return JsFunction(node, env)
        if kind == "member_expression":
            obj = self.eval(node.child_by_field_name("object"), env)
            return self.member(obj, node.child_by_field_name("property").text.decode(), node)
        if kind == "subscript_expression":
            obj = self.eval(node.child_by_field_name("object"), env)
            key = self.eval(node.child_by_field_name("index"), env)
            if is_unknown(key):
                return key
            return self.member(obj, to_string(key) if not isinstance(key, int) else key, node)
        if kind == "call_expression":
            return self._call(node, env)
        if kind == "new_expression":
            return self._new(node, env)
        if kind == "binary_expression":
            return self._binary(node, env)
        if kind == "unary_expression":
            return self._unary(node, env)
        if kind == "ternary_expression":
            cond = truthy(self.eval(node.child_by_field_name("condition"), env))
            if is_unknown(cond):
                return cond
            return self.eval(node.child_by_field_name("consequence" if cond else "alternative"), env)
        if kind == "assignment_expression":
            return self._assign(node, env)
        if kind == "sequence_expression":
            value = UNDEFINED
            for child in node.named_children:
                value = self.eval(child, env)
            return value
        return Unknown(f"{node.text.decode()[:40]!r} (line {node.start_point[0] + 1})")

    def _template(self, node, env: Env):
        parts = []
        for child in node.named_children:
            if child.type == "template_substitution":
                value = self.eval(child.named_children[0], env)
                if is_unknown(value):
                    return value
                parts.append(value)
            elif child.type == "escape_sequence":
                parts.append(_unescape(child.text.decode()))
            else:
                parts.append(child.text.decode())
        if not self.module.budget.admits(*parts):
            return too_large(self.module.line(node))
        return "".join(map(to_string, parts))

    def _array(self, node, env: Env):
        parts = []   # (value, spread)
        for child in node.named_children:
            if child.type == "spread_element":
                inner = self.eval(child.named_children[0], env)
                if not isinstance(inner, list):
                    return Unknown(f"spread of {child.text.decode()[:40]!r}")
                parts.append((inner, True))
            elif child.type != "comment":
                parts.append((self.eval(child, env), False))
        out = self.module.budget.spliced(parts)
        if out is None:
            return too_large(self.module.line(node))
        if env.module.graph is not None:
            env.module.graph.note_literal(out, env.module, node)
        return out

    def _object(self, node, env: Env):
        out: dict = {}
        for child in node.named_children:
            if child.type == "pair":
                key_node = child.child_by_field_name("key")
                if key_node.type == "computed_property_name":
                    key = self.eval(key_node.named_children[0], env)
                    if is_unknown(key):
                        return key
                    key = to_string(key)
                elif key_node.type == "string":
                    key = string_value(key_node)
                else:
                    key = key_node.text.decode()
                out[key] = self.eval(child.child_by_field_name("value"), env)
            elif child.type == "shorthand_property_identifier":
                out[child.text.decode()] = env.lookup(child.text.decode())
            elif child.type == "spread_element":
                inner = self.eval(child.named_children[0], env)
                if not isinstance(inner, dict):
                    return Unknown(f"spread of {child.text.decode()[:40]!r}")
                out.update(inner)
            elif child.type == "method_definition":
                out[child.child_by_field_name("name").text.decode()] = JsFunction(child, env)
        if env.module.graph is not None:
            env.module.graph.note_literal(out, env.module, node)
        return out

    def member(self, obj, name, node=None):
        """`obj.name` for plain values; request objects answer for themselves."""
        if isinstance(obj, ModuleRef):
            return obj.attr(str(name))
        if hasattr(obj, "member"):
            return obj.member(name)
        if is_unknown(obj):
            return obj
        if isinstance(obj, dict):
            return obj.get(name, UNDEFINED)
        if isinstance(obj, (list, str)):
            if name == "length":
                return len(obj)
            if isinstance(name, int):
                return obj[name] if 0 <= name < len(obj) else UNDEFINED
            return ("method", obj, name)
        if isinstance(obj, JsRegex):
            if name == "source":
                return obj.pattern
            return ("method", obj, name)
        if obj is UNDEFINED or obj is None:
            raise Thrown(f"TypeError: cannot read {name!r} of {to_string(obj)}")
        return Unknown(f"property {name!r} of {to_string(obj)[:30]}")

    def _call(self, node, env: Env):
        callee_node = unwrap(node.child_by_field_name("function"))
        args_node = node.child_by_field_name("arguments")
        arg_nodes = [a for a in args_node.named_children if a.type != "comment"] if args_node is not None else []
        if callee_node.type == "identifier" and callee_node.text == b"require" and arg_nodes \
                and arg_nodes[0].type == "string":
            spec = string_value(arg_nodes[0])
            if env.module.graph is not None and is_relative(spec):
                return env.module.graph.required(env.module, spec, node.start_point[0] + 1)
            return ModuleRef(spec)
        if callee_node.type == "member_expression":
            obj = self.eval(callee_node.child_by_field_name("object"), env)
            name = callee_node.child_by_field_name("property").text.decode()
            if hasattr(obj, "call"):
                return obj.call(name, [self.eval(a, env) for a in arg_nodes], node)
            if isinstance(obj, ModuleRef) or is_unknown(obj):
                callee = obj.attr(name) if isinstance(obj, ModuleRef) else obj
                return self._unknown_call(callee, arg_nodes, node, env)
            method = self.member(obj, name, node)
            if isinstance(method, tuple) and method[0] == "method":
                return self._builtin(method[1], method[2], [self.eval(a, env) for a in arg_nodes])
            callee = method
        else:
            callee = self.eval(callee_node, env)
        if isinstance(callee, JsFunction):
            return self.call_function(callee, [self.eval(a, env) for a in arg_nodes])
        if hasattr(callee, "invoke"):
            return callee.invoke([self.eval(a, env) for a in arg_nodes], node)
        return self._unknown_call(callee, arg_nodes, node, env)

    def _unknown_call(self, callee, arg_nodes, node, env: Env):
        """A call the evaluator cannot follow.  At module level a call of an
        imported function stays a `CallValue` (`cors(opts)`, `helmet()`), for
        the framework layer to recognise; anything else is Unknown, and
        handing `req`/`res`/`next` to it makes the answer uncertain."""
        if self.depth == 0 and isinstance(callee, ModuleRef):
            return CallValue(callee, arg_nodes, node, env)
        if self.on_unknown_call is not None:
            values = [self.eval(a, env) for a in arg_nodes]
            if any(hasattr(v, "call") or hasattr(v, "invoke") for v in values if not isinstance(v, ModuleRef)):
                self.on_unknown_call(callee, node)
        text = node.child_by_field_name("function").text.decode()
        return Unknown(f"the result of {text}() (line {node.start_point[0] + 1})")

    def _new(self, node, env: Env):
        ctor = unwrap(node.child_by_field_name("constructor"))
        args_node = node.child_by_field_name("arguments")
        args = [self.eval(a, env) for a in args_node.named_children] if args_node is not None else []
        name = ctor.text.decode() if ctor is not None else ""
        if name == "RegExp" and args and isinstance(args[0], str):
            flags = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
            return JsRegex(args[0], flags, node.start_point[0] + 1)
        if name.endswith("Error"):
            return {"name": name, "message": args[0] if args else ""}
        return Unknown(f"new {name}")

    def _builtin(self, obj, name: str, args: list):
        """The few Array/String/RegExp methods origin checks use."""
        arg = args[0] if args else UNDEFINED
        if isinstance(obj, JsRegex) and name == "test":
            return obj.test(arg) if not is_unknown(arg) else arg
        if any(is_unknown(a) for a in args):
            return Unknown(f"{name}() of an unknown value")
        if name in ("includes", "indexOf"):
            if isinstance(obj, str):
                found = obj.find(to_string(arg))
            else:
                found = next((i for i, v in enumerate(obj) if strict_equal(v, arg) is True), -1)
            return found >= 0 if name == "includes" else found
        if isinstance(obj, str):
            return _string_method(obj, name, args)
        if name == "join":
            separator = "," if arg is UNDEFINED else to_string(arg)
            if not self.module.budget.admits(obj, extra=len(separator) * max(len(obj) - 1, 0)):
                return too_large()
            return separator.join("" if v is None or v is UNDEFINED else to_string(v) for v in obj)
        if name in ("some", "map", "filter", "find") and isinstance(arg, JsFunction):
            results = [self.call_function(arg, [v, i]) for i, v in enumerate(obj)]
            if any(is_unknown(r) for r in results):
                return next(r for r in results if is_unknown(r))
            if name == "map":
                return results if self.module.budget.admits(results) else too_large()
            if name == "some":
                return any(truthy(r) for r in results)
            kept = [v for v, r in zip(obj, results) if truthy(r)]
            return kept if name == "filter" else (kept[0] if kept else UNDEFINED)
        return Unknown(f"Array.{name}()")

    def _binary(self, node, env: Env):
        op = node.child_by_field_name("operator").text.decode()
        left = self.eval(node.child_by_field_name("left"), env)
        if op in ("&&", "||", "??"):
            if op == "??":
                return self.eval(node.child_by_field_name("right"), env) if left is None or left is UNDEFINED \
                    else left
            t = truthy(left)
            if is_unknown(t):
                return t
            if (op == "&&") == t:
                return self.eval(node.child_by_field_name("right"), env)
            return left
        right = self.eval(node.child_by_field_name("right"), env)
        if op in ("===", "!==", "==", "!="):
            if op in ("==", "!=") and {type(left), type(right)} <= {type(None), _Undefined}:
                equal = True
            else:
                equal = strict_equal(left, right)
            if is_unknown(equal):
                return equal
            return equal if op in ("===", "==") else not equal
        if is_unknown(left) or is_unknown(right):
            return left if is_unknown(left) else right
        if op == "+":
            if isinstance(left, str) or isinstance(right, str):
                if not self.module.budget.admits(left, right):
                    return too_large(self.module.line(node))
                return to_string(left) + to_string(right)
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                return _double(left + right)
        if op in ("<", ">", "<=", ">=") and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        if op in ("-", "*") and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return _double(left - right if op == "-" else left * right)
        return Unknown(f"operator {op}")

    def _unary(self, node, env: Env):
        op = node.child_by_field_name("operator").text.decode()
        value = self.eval(node.child_by_field_name("argument"), env)
        if op == "!":
            t = truthy(value)
            return t if is_unknown(t) else not t
        if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        if op == "typeof":
            return _typeof(value)
        if op == "void":
            return UNDEFINED
        return value if op == "+" and isinstance(value, (int, float)) else Unknown(f"operator {op}")

    def _assign(self, node, env: Env):
        left = unwrap(node.child_by_field_name("left"))
        value = self.eval(node.child_by_field_name("right"), env)
        if left.type == "identifier":
            env.assign(left.text.decode(), value)
        elif left.type == "member_expression":
            obj = self.eval(left.child_by_field_name("object"), env)
            name = left.child_by_field_name("property").text.decode()
            if hasattr(obj, "set_member"):
                obj.set_member(name, value, node)
            elif isinstance(obj, dict):
                obj[name] = value
        return value


def _typeof(value) -> str | Unknown:
    if is_unknown(value):
        return value
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "function" if isinstance(value, JsFunction) else "object"


def _number(text: str):
    text = text.replace("_", "")
    try:
        if text.lower().startswith(("0x", "0o", "0b")):
            return _double(int(text, 0))
        value = float(text)
        return _double(int(value)) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    except ValueError:
        return Unknown(f"number {text}")


def _double(value):
    """A number as JavaScript holds it: an integer past MAX_SAFE_INTEGER is
    a double (infinite past the largest one)."""
    if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def _string_method(text: str, name: str, args: list):
    arg = to_string(args[0]) if args else ""
    if name == "startsWith":
        return text.startswith(arg)
    if name == "endsWith":
        return text.endswith(arg)
    if name == "toLowerCase":
        return text.lower()
    if name == "toUpperCase":
        return text.upper()
    if name == "trim":
        return text.strip()
    if name == "split" and args:
        return text.split(arg) if arg else list(text)
    if name == "match" and args and isinstance(args[0], JsRegex):
        found = args[0].test(text)
        return found if is_unknown(found) else ([text] if found else None)
    return Unknown(f"String.{name}()")
