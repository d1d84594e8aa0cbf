"""Python source read with `ast` only: never imported, never run.

`read_python` reads a file the way the interpreter would (UTF-8, a BOM
skipped) and turns what cannot be read into input errors.  `Module` gives
the values its constants spell.  Settings modules and app files spell their CORS configuration as constants:
`CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`, `ORIGINS = BASE + [...]`,
`CORS(app, origins=ORIGINS, supports_credentials=True)`.  This module
evaluates exactly that much: literals, names bound at module level,
list/tuple/set/dict displays, `+` on strings and sequences, f-strings of
known parts, attributes of classes the module defines (`Config.ORIGINS`).
Relative imports (`from .config import ORIGINS`, `from .base import *`) are
followed into the modules of the same package when a `pymodules.Package` is
given (read, never imported).  Anything else (environment variables, calls,
other imports) is UNKNOWN, carrying what it depends on, so a rule can say
"depends on os.environ['CORS_ORIGINS']" instead of guessing.
"""

from __future__ import annotations

import ast
import warnings

from ..diagnostics import InputError
from ..expansion import Budget
from .values import Unknown, is_unknown, too_large

MAX_DEPTH = 50


class Imported(ast.expr):
    """A name bound by a relative import: its value is the other module's."""

    _fields = ()

    def __init__(self, module: "Module", name: str, line: int):
        super().__init__()
        self.module = module
        self.name = name
        self.lineno = line


class Module:
    """A parsed module and its module-level bindings (last assignment wins,
    as at import time)."""

    #: what the outermost evaluation under way has computed (see `memoized`)
    _memo: dict | None = None

    def __init__(self, source: str, path: str, file: str | None = None, package=None):
        self.path = path
        #: the file on disk, and the package state relative imports are read
        #: through (code/pymodules.py; None: they are not followed)
        self.file = file
        self.package = package
        #: names a star import of a module not read may bind
        self.star_imports: list[str] = []
        #: class name -> {attribute: (the module it is written in, its value node)}
        #: of the classes the module defines or imports
        self.classes: dict[str, dict[str, tuple["Module", ast.AST]]] = {}
        with warnings.catch_warnings():
            # `"\."` in a linted file is the user's business, not a warning of ours
            warnings.simplefilter("ignore")
            self.tree = ast.parse(source, filename=path)
        self.bindings: dict[str, ast.AST] = {}
        self.binding_lines: dict[str, int] = {}
        #: bounds the values folded from constants (`A1 = A0 + A0` forty times over)
        self.budget = Budget()
        for node in self.tree.body:
            self._bind(node)

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.ImportFrom):
            self._bind_import(node)
        elif isinstance(node, ast.ClassDef):
            self._bind_class(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bindings[target.id] = node.value
                    self.binding_lines[target.id] = node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.bindings[node.target.id] = node.value
            self.binding_lines[node.target.id] = node.lineno
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            previous = self.bindings.get(node.target.id)
            if previous is not None:
                combined = ast.BinOp(left=previous, op=node.op, right=node.value)
                ast.copy_location(combined, node)
                self.bindings[node.target.id] = combined
        elif isinstance(node, (ast.If, ast.Try)):
            # a conditional binding makes the name unknown rather than guessed
            for inner in ast.walk(node):
                if isinstance(inner, ast.Assign):
                    for target in inner.targets:
                        if isinstance(target, ast.Name):
                            self.bindings[target.id] = ast.Name(id=f"<conditional {target.id}>")
                            self.binding_lines[target.id] = inner.lineno

    def _bind_import(self, node: ast.ImportFrom) -> None:
        """A relative import of the package is followed; any other import
        leaves its names unknown (a star import: maybe any name)."""
        if node.level and self.package is not None and node.module:
            from .pymodules import module_file

            what = f"from {'.' * node.level}{node.module} import " + ", ".join(a.name for a in node.names)
            sub = self.package.load(self, module_file(self.file, node.level, node.module), node.lineno, what,
                                    lambda source, shown, file: type(self)(source, shown, file, self.package))
            if sub is not None:
                self.adopt(sub, [(a.name, a.asname or a.name) for a in node.names])
                return
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append("." * node.level + (node.module or ""))
            else:
                self.bindings.pop(alias.asname or alias.name, None)
                self.classes.pop(alias.asname or alias.name, None)

    def adopt(self, sub: "Module", names: list[tuple[str, str]]) -> None:
        """Bind (name, local) of `sub` here; ("*", "*"): its public names, and
        what may come from its own star imports not read."""
        for name, local in names:
            if name == "*":
                for each in sub.bindings:
                    if not each.startswith("_"):
                        self._bind_imported(each, sub, each)
                self.classes.update({k: v for k, v in sub.classes.items() if not k.startswith("_")})
                self.star_imports.extend(sub.star_imports)
            elif name in sub.bindings:
                self._bind_imported(local, sub, name)
            elif name in sub.classes:
                self.classes[local] = sub.classes[name]
            else:
                self.bindings.pop(local, None)

    def _bind_imported(self, local: str, sub: "Module", name: str) -> None:
        self.bindings[local] = Imported(sub, name, sub.binding_lines.get(name, 1))
        self.binding_lines[local] = sub.binding_lines.get(name, 1)

    def _bind_class(self, node: ast.ClassDef) -> None:
        """`class Config: ORIGINS = [...]`: its attributes (a base class's first, as Python looks them up)."""
        attrs: dict[str, tuple[Module, ast.AST]] = {}
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in self.classes:
                attrs.update(self.classes[base.id])
        for stmt in node.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        attrs[target.id] = (self, stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                attrs[stmt.target.id] = (self, stmt.value)
        self.classes[node.name] = attrs
        self.bindings.pop(node.name, None)

    def file_of(self, name: str) -> str:
        """The file a name's value is written in when another module of the package ("" for this one)."""
        node = self.bindings.get(name)
        if isinstance(node, Imported):
            return node.module.file_of(node.name) or node.module.path
        return ""

    def memoized(self, key, compute):
        """`compute()`, once per key within one outermost evaluation (bindings
        do not change meanwhile).  Names are looked up through it: `B1 = B0 *
        B0` ... 40 deep would otherwise evaluate B0 2^40 times."""
        memo = self._memo
        if memo is None:
            self._memo = {}
            try:
                return self.memoized(key, compute)
            finally:
                self._memo = None
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def value(self, node: ast.AST, depth: int = 0):
        """The value of an expression node, or Unknown."""
        if depth > MAX_DEPTH:
            return Unknown("too deeply nested", getattr(node, "lineno", None))
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, Imported):
            bound = node.module.bindings.get(node.name)
            if bound is None:
                return Unknown(f"{node.name} is not a module-level constant of {node.module.path}", line)
            return node.module.value(bound, depth + 1)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.classes:
            attr = self.classes[node.value.id].get(node.attr)
            if attr is None:
                return Unknown(f"{node.value.id}.{node.attr} is not a class attribute", line)
            owner, value = attr
            return owner.value(value, depth + 1)
        if isinstance(node, ast.Name):
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            bound = self.bindings.get(node.id)
            if bound is None:
                return Unknown(f"{node.id} is not a module-level constant", line)
            # keyed by depth too: the answer is the one the unmemoized walk gives
            return self.memoized((node.id, depth), lambda: self.value(bound, depth + 1))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            parts = []   # (value, starred)
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.value(element.value, depth + 1)
                    if is_unknown(inner):
                        return inner
                    parts.append((inner, True))
                else:
                    parts.append((self.value(element, depth + 1), False))
            items = self.budget.spliced(parts)
            if items is None:
                return too_large(line)
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            out = {}
            for key, val in zip(node.keys, node.values):
                if key is None:
                    return Unknown("dict unpacking", line)
                k = self.value(key, depth + 1)
                if is_unknown(k):
                    return k
                out[k] = self.value(val, depth + 1)
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.value(node.left, depth + 1)
            if is_unknown(left):
                return left
            right = self.value(node.right, depth + 1)
            if is_unknown(right):
                return right
            if isinstance(left, (str, list, tuple)) and not self.budget.admits(left, right):
                return too_large(line)
            try:
                return left + right
            except TypeError:
                return Unknown("incompatible +", line)
        if isinstance(node, ast.JoinedStr):
            values = []
            for part in node.values:
                value = part.value if isinstance(part, ast.Constant) else self.value(part.value, depth + 1)
                if is_unknown(value):
                    return value
                values.append(value)
            if not self.budget.admits(*values):
                return too_large(line)
            return "".join(map(str, values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.value(node.operand, depth + 1)
            return inner if is_unknown(inner) else not inner
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.value(node.operand, depth + 1)
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return -inner if isinstance(node.op, ast.USub) else inner
            return inner if is_unknown(inner) else Unknown("sign of a non-number", line)
        return Unknown(_describe(node), line)


def _describe(node: ast.AST) -> str:
    """What an unknown value depends on, in the user's words."""
    try:
        text = ast.unparse(node)
    except Exception:
        text = type(node).__name__
    if len(text) > 60:
        text = text[:57] + "..."
    return f"depends on {text}"


def call_keywords(module: Module, call: ast.Call) -> dict[str, object]:
    """A call's keyword arguments, evaluated (`**kwargs` makes everything unknown)."""
    out: dict[str, object] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            out["**"] = Unknown("depends on **" + _describe(keyword.value)[11:], call.lineno)
            continue
        out[keyword.arg] = module.value(keyword.value)
    return out


def read_source(path: str) -> str:
    """A Python source as the interpreter reads it: UTF-8, a leading BOM
    skipped (raises OSError or UnicodeDecodeError).  Not `utf-8-sig`: that
    codec turns a lone truncated BOM (`\\xef` at the end) into nothing."""
    from ..confine import read

    data = read(path)   # bounded, a regular file, never through a link swapped in
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")


#: what reading a Python source may raise besides SyntaxError: NUL bytes
#: (ValueError on 3.11), and deep nesting (CPython's parser and the readers'
#: tree walks: RecursionError, or MemoryError from the 3.11 parser)
PARSE_FAILURES = (SyntaxError, ValueError, RecursionError, MemoryError)


def read_python(path: str, display: str, parse) -> tuple[object, list[InputError]]:
    """(parse(source) or None, the input errors met): the shared first step
    of the Python readers.  An unreadable file raises InputError; a source
    that does not parse is returned as an error with its line."""
    try:
        source = read_source(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(display, None, f"cannot read this file: {exc}") from None
    try:
        return parse(source), []
    except PARSE_FAILURES as exc:
        return None, [parse_error(exc, source, display)]


def parse_error(exc: BaseException, source: str, display: str) -> InputError:
    """The input error (with its line) for a Python source that cannot be read."""
    if isinstance(exc, SyntaxError):
        return InputError(display, exc.lineno, f"Python syntax error: {exc.msg}", exc.offset)
    if "\0" in source:
        return InputError(display, source[:source.index("\0")].count("\n") + 1,
                          "Python syntax error: source code cannot contain null bytes")
    return InputError(display, _deepest_line(source), "cannot parse this file: it nests too deeply")


def _deepest_line(source: str) -> int:
    """The line where brackets nest deepest (strings not told apart: a hint)."""
    depth = best = 0
    line = best_line = 1
    for ch in source:
        if ch == "\n":
            line += 1
        elif ch in "([{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in ")]}":
            depth = max(depth - 1, 0)
    return best_line
