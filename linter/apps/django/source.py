"""Reading a Django settings module the way Django would import it, with `ast` only.

`code.python.Module` knows literals and module-level names.  Settings modules
add a few idioms on top, each of which decides a CORS setting's value:

- `from corsheaders.defaults import default_headers, default_methods`
  (the package's own tuples, copied here from corsheaders/defaults.py);
- `list(default_headers) + [...]`, `tuple(...)`, `60 * 60 * 24`, `-1`;
- `re.compile(r"^https://...", re.I)` in `CORS_ALLOWED_ORIGIN_REGEXES` and
  `CORS_URLS_REGEX` (compiled here: a regex is data, not code);
- `MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")` and
  `.append`/`.extend` at module level;
- `from .base import *`, `from .cors import CORS_ALLOWED_ORIGINS` and
  django-split-settings' `include("components/cors.py", ...)`: the modules
  of the settings package are read in their turn (code/pymodules.py) and
  their names taken, each remembering the file it is written in; a module
  that cannot be read leaves every setting this file does not assign
  unknown (it may come from there), never the package default.
"""

from __future__ import annotations

import ast
import re

from ...code.python import Imported, Module
from ...code.values import Unknown, is_unknown

#: the largest product folded (a Max-Age, a timeout): `N1 = N0 * N0` forty
#: times over would double its digits each line
MAX_PRODUCT_BITS = 64

#: corsheaders/defaults.py (django-cors-headers 4.x)
DEFAULTS = {
    "default_headers": ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"),
    "default_methods": ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"),
}
_RE_FLAGS = {"I": re.IGNORECASE, "IGNORECASE": re.IGNORECASE, "X": re.VERBOSE, "VERBOSE": re.VERBOSE}
#: a name assigned nowhere in this file (and not possibly star-imported)
MISSING = object()


class SettingsModule(Module):
    """A settings module's bindings, with the idioms above understood."""

    def __init__(self, source: str, path: str, file: str | None = None, package=None):
        self.source = source
        #: the local name split_settings' include() is bound to
        self.include_names: set[str] = set()
        super().__init__(source, path, file, package)

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id in self.include_names:
            self._bind_include(node.value)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._bind_mutation(node.value)
        else:
            super()._bind(node)
            if isinstance(node, (ast.If, ast.Try, ast.For, ast.With)):
                # a list mutated under a condition is as unknown as one assigned there
                for inner in ast.walk(node):
                    target = _mutated_name(inner)
                    if target is not None and target in self.bindings:
                        self.bindings[target] = ast.Name(id=f"<conditional {target}>")

    def _bind_import(self, node: ast.ImportFrom) -> None:
        if node.module in ("split_settings.tools", "split_settings"):
            self.include_names.update(a.asname or a.name for a in node.names if a.name == "include")
        if node.module != "corsheaders.defaults":
            super()._bind_import(node)
            return
        for alias in node.names:
            if alias.name == "*":
                for name, value in DEFAULTS.items():
                    self._bind_constant(name, value, node.lineno)
            elif alias.name in DEFAULTS:
                self._bind_constant(alias.asname or alias.name, DEFAULTS[alias.name], node.lineno)
            else:   # an imported name is not a module-level constant
                self.bindings.pop(alias.asname or alias.name, None)

    def _bind_include(self, call: ast.Call) -> None:
        """django-split-settings: `include("components/base.py", "components/*.py")`
        runs each file in this module's namespace, in order: as star imports."""
        for arg in call.args:
            pattern = self.value(arg)
            if not isinstance(pattern, str) or self.package is None:
                self.star_imports.append(f"include({ast.unparse(arg)[:40]})")
                continue
            found_files = self.package.include_files(self, pattern, call.lineno)
            if not found_files:
                self.star_imports.append(f"include({pattern!r})")
            for found in found_files:
                sub = self.package.load(self, found, call.lineno, f"include({pattern!r})",
                                        lambda source, shown, file: SettingsModule(source, shown, file, self.package))
                if sub is None:
                    self.star_imports.append(f"include({pattern!r})")
                else:   # the file runs in this namespace: every name it binds, private ones too
                    self.adopt(sub, [(name, name) for name in sub.bindings])
                    self.star_imports.extend(sub.star_imports)

    def _bind_constant(self, name: str, value: tuple, line: int) -> None:
        node = ast.Tuple(elts=[ast.Constant(v) for v in value], ctx=ast.Load())
        for n in [node, *node.elts]:
            n.lineno = line
        self.bindings[name] = node
        self.binding_lines[name] = line

    def _bind_mutation(self, call: ast.Call) -> None:
        """`NAME.append(x)`, `.extend(xs)`, `.insert(i, x)` at module level;
        any other method call on a bound name makes it unknown."""
        name = _mutated_name(call)
        if name is None or name not in self.bindings:
            return
        method = call.func.attr   # type: ignore[union-attr]
        previous = self.bindings[name]
        if method == "append" and len(call.args) == 1:
            added = ast.List(elts=[call.args[0]], ctx=ast.Load())
        elif method == "extend" and len(call.args) == 1:
            added = ast.Call(func=ast.Name(id="list"), args=[call.args[0]], keywords=[])
        elif method == "insert" and len(call.args) == 2:
            self.bindings[name] = ast.Call(func=ast.Name(id="<insert>"), args=[previous, *call.args], keywords=[])
            ast.copy_location(self.bindings[name], call)
            return
        else:
            self.bindings[name] = ast.Name(id=f"<{name}.{method}() result>")
            return
        combined = ast.BinOp(left=previous, op=ast.Add(), right=added)
        ast.copy_location(combined, call)
        ast.copy_location(added, call)
        self.bindings[name] = combined

    def value(self, node: ast.AST, depth: int = 0):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            return self._call_value(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):   # `60 * 60 * 24`
            left = self.value(node.left, depth + 1)
            right = left if is_unknown(left) else self.value(node.right, depth + 1)
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
                if left.bit_length() + right.bit_length() > MAX_PRODUCT_BITS:
                    return Unknown(f"depends on a product past {MAX_PRODUCT_BITS} bits", node.lineno)
                return left * right
            return Unknown("depends on a product of non-integers", node.lineno)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):   # `-1`
            operand = self.value(node.operand, depth + 1)
            return -operand if isinstance(operand, (int, float)) and not isinstance(operand, bool) else \
                Unknown("depends on a negated non-number", node.lineno)
        return super().value(node, depth)

    def _call_value(self, node: ast.Call, depth: int):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr
        args = [self.value(a, depth + 1) for a in node.args]
        unknown = next((a for a in args if is_unknown(a)), None)
        if name in ("list", "tuple") and isinstance(func, ast.Name) and len(args) == 1 and not node.keywords:
            if unknown is not None:
                return unknown
            try:
                return list(args[0]) if name == "list" else tuple(args[0])
            except TypeError:
                return Unknown("not a sequence", node.lineno)
        if name == "<insert>" and unknown is None and isinstance(args[1], int):
            out = list(args[0])
            out.insert(args[1], args[2])
            return out
        if name == "compile" and _is_re(func) and 1 <= len(args) <= 2 and not node.keywords:
            flags = self._flags(node.args[1]) if len(args) == 2 else 0
            if isinstance(args[0], str) and isinstance(flags, int):
                try:
                    return re.compile(args[0], flags)
                except re.error as exc:
                    return Unknown(f"re.compile fails: {exc}", node.lineno)
        return super().value(node, depth)

    def _flags(self, node: ast.AST):
        """`re.I`, `re.IGNORECASE | re.X`, or an int: the flags of re.compile."""
        if isinstance(node, ast.Attribute) and _is_re(node) and node.attr in _RE_FLAGS:
            return _RE_FLAGS[node.attr]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = self._flags(node.left), self._flags(node.right)
            return left | right if isinstance(left, int) and isinstance(right, int) else None
        value = self.value(node)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    # -- settings -----------------------------------------------------------------
    def setting(self, name: str):
        """(value, line) of a setting; value MISSING when nothing can define
        it, Unknown when a star import might."""
        if name in self.bindings:
            return self.value(self.bindings[name]), self.binding_lines.get(name)
        if self.star_imports:
            return Unknown(f"{name} may come from `from {self.star_imports[0]} import *`"), None
        return MISSING, None

    def is_set_display(self, name: str) -> bool:
        """The setting is a set (`{...}`, `set(...)`): not a Sequence, and
        joined in hash order."""
        node, seen = self.bindings.get(name), set()
        if isinstance(node, Imported):
            return node.module.is_set_display(node.name)
        while isinstance(node, ast.Name) and node.id in self.bindings and node.id not in seen:
            seen.add(node.id)
            node = self.bindings[node.id]
        return isinstance(node, (ast.Set, ast.SetComp)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("set", "frozenset"))

    def entry_lines(self, name: str, count: int) -> list[int]:
        """The line of each entry of a list setting (its own line in a
        multi-line display), else the setting's line for every entry."""
        line = self.binding_lines.get(name, 1)
        lines = _lines(self, self.bindings.get(name), 0)
        return lines if lines is not None and len(lines) == count else [line] * count


def _lines(module: SettingsModule, node, depth: int) -> list[int] | None:
    """Entry lines of a sequence expression, through names, `+`, `*x` and
    list()/tuple(); None when the structure is not literal."""
    if node is None or depth > 20:
        return None
    if isinstance(node, ast.Name):
        return _lines(module, module.bindings.get(node.id), depth + 1)
    if isinstance(node, Imported):
        return _lines(node.module, node.module.bindings.get(node.name), depth + 1)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        out: list[int] = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                inner = _lines(module, element.value, depth + 1)
                if inner is None:
                    return None
                out += inner
            else:
                out.append(element.lineno)
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _lines(module, node.left, depth + 1), _lines(module, node.right, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in ("list", "tuple") and len(node.args) == 1:
            return _lines(module, node.args[0], depth + 1)
        if node.func.id == "<insert>":
            base = _lines(module, node.args[0], depth + 1)
            index = module.value(node.args[1])
            if base is None or not isinstance(index, int):
                return None
            base.insert(index, node.args[2].lineno)
            return base
    return None


def _mutated_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        return node.func.value.id
    return None


def _is_re(node: ast.AST) -> bool:
    """`re.compile` / `re.I` (the module imported as `re`), or a bare `compile`."""
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "re"
    return isinstance(node, ast.Name)
