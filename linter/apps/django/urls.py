"""Django's URL resolver, read statically from `ROOT_URLCONF` (never imported).

Why: CommonMiddleware's APPEND_SLASH answers a request for `/api/items`
with a 301 to `/api/items/` when only the slashed path resolves
(`should_redirect_with_slash`: the path is not valid and path + "/" is),
and Django's resolver answers 404 where no pattern matches.  Both decide
what a browser gets back, so the model needs to know which paths resolve.

What is read, as django/urls/resolvers.py matches it:

- `ROOT_URLCONF = "mysite.urls"` names a module found the way the import
  system would from the project folder: `mysite/urls.py` (or
  `mysite/urls/__init__.py`) in the settings file's folder or one of its
  parents, below the configuration root;
- its `urlpatterns` (assigned, `+=`, `.append`/`.extend`, `+` of lists):
  `path()` routes (converters int, str, slug, uuid, path turned into their
  regexes, the route anchored at both ends), `re_path()`/`url()` regexes
  (searched, full-matched when an endpoint's regex ends with `$`), and
  `include("app.urls")` / `include([...])` (the prefix matched, the rest
  resolved in the included patterns).

Anything else in the list (a router's `.urls`, `static()`, i18n_patterns,
a custom converter, a module not found) is an unknown entry: a path no
known pattern matches then resolves or not, unknown.  At most
MAX_MODULES modules, MAX_PATTERNS patterns and MAX_DEPTH includes deep.
"""

from __future__ import annotations

import ast
import os
import re

from ... import saferegex
from ...code.python import PARSE_FAILURES, Module
from ...code.values import is_unknown

MAX_MODULES = 16
MAX_PATTERNS = 2000
MAX_DEPTH = 8

#: django/urls/converters.py: DEFAULT_CONVERTERS' regexes
CONVERTERS = {"int": "[0-9]+", "str": "[^/]+", "slug": "[-a-zA-Z0-9_]+",
              "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "path": ".+"}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
#: an entry whose meaning the linted files do not show
UNKNOWN = None


class Entry:
    """One urlpatterns entry: its regex, whether it is an endpoint (path()
    and re_path() with a view) or an include's prefix, and the entries it
    includes."""

    __slots__ = ("regex", "endpoint", "children")

    def __init__(self, regex, endpoint: bool, children: list | None = None):
        self.regex, self.endpoint, self.children = regex, endpoint, children


class UrlConf:
    """The patterns of ROOT_URLCONF, and the files read for them."""

    def __init__(self, entries: list, files: list[str]):
        self.entries = entries
        self.files = files

    def resolves(self, path: str) -> bool | None:
        """Django's resolver finds a view for `path` (a path_info starting with
        `/`); None when an unknown entry could decide it."""
        return _resolves(self.entries, path[1:] if path.startswith("/") else path, 0)


def _resolves(entries: list, path: str, depth: int) -> bool | None:
    unsure = False
    for entry in entries:
        if entry is UNKNOWN or depth > MAX_DEPTH:
            unsure = True
            continue
        try:
            if entry.endpoint:
                pattern = entry.regex.pattern
                found = saferegex.fullmatch(entry.regex, path) if pattern.endswith("$") else \
                    saferegex.search(entry.regex, path)
                if found:
                    return True
                continue
            found = saferegex.search(entry.regex, path)
        except saferegex.RegexTimeout:
            unsure = True
            continue
        if found:
            inner = _resolves(entry.children, path[found.end():], depth + 1)
            if inner:
                return True
            unsure = unsure or inner is None
    return None if unsure else False


def route_regex(route: str, endpoint: bool) -> str | None:
    """django.urls.resolvers._route_to_regex: a path() route as a regex
    (None: a converter that is not one of Django's own)."""
    parts, rest = ["^"], route
    while True:
        found = _PARAMETER.search(rest)
        if not found:
            parts.append(re.escape(rest))
            break
        parts.append(re.escape(rest[:found.start()]))
        converter = CONVERTERS.get(found.group("converter") or "str")
        if converter is None:
            return None
        parts.append(f"(?P<{found.group('parameter')}>{converter})")
        rest = rest[found.end():]
    if endpoint:
        parts.append(r"\Z")
    return "".join(parts)


class _Reader:
    """Reads urlconf modules below `root`, each once, bounded."""

    def __init__(self, root: str, base: str):
        self.root, self.base = root, base
        self.files: list[str] = []
        self.count = 0
        self.reading: list[str] = []

    def module_file(self, dotted: str) -> str | None:
        """`a.b` as `a/b.py` or `a/b/__init__.py` in the project folder."""
        if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", dotted):
            return None
        base = os.path.join(self.base, *dotted.split("."))
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
        return None

    def read(self, dotted: str, depth: int) -> list | None:
        """The entries of module `dotted`'s urlpatterns; None when unknown."""
        from ... import confine

        found = self.module_file(dotted)
        if found is None or depth > MAX_DEPTH or self.count >= MAX_MODULES:
            return None
        real = confine.real_path(found)
        if real in self.reading or not confine.below(real, self.root):
            return None
        self.count += 1
        try:
            source = confine.read(found, self.root).removeprefix(b"\xef\xbb\xbf").decode("utf-8")
            module = Module(source, os.path.relpath(found), found)
        except (OSError, UnicodeDecodeError, *PARSE_FAILURES):
            return None
        self.files.append(module.path)
        self.reading.append(real)
        try:
            return self.patterns(module, depth)
        except RecursionError:      # `a + b + ...` thousands deep in a hostile file
            return None
        finally:
            self.reading.pop()

    def patterns(self, module: Module, depth: int) -> list | None:
        """`urlpatterns` as the module builds it at import time."""
        out: list | None = None
        for node in module.tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "urlpatterns"
                                                    for t in node.targets):
                out = self.sequence(module, node.value, depth)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                    and node.target.id == "urlpatterns" and out is not None:
                out = out + self.sequence(module, node.value, depth)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                    and isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name) \
                    and node.value.func.value.id == "urlpatterns" and out is not None:
                call = node.value
                if call.func.attr == "append" and len(call.args) == 1:
                    out = out + [self.entry(module, call.args[0], depth)]
                elif call.func.attr == "extend" and len(call.args) == 1:
                    out = out + self.sequence(module, call.args[0], depth)
                else:
                    out = out + [UNKNOWN]
            elif out is not None and any(isinstance(n, ast.Name) and n.id == "urlpatterns"
                                         for n in ast.walk(node)):
                out = out + [UNKNOWN]   # changed under a condition or by code: unknown
            if out is not None and len(out) > MAX_PATTERNS:
                return None
        return out

    def sequence(self, module: Module, node: ast.AST, depth: int) -> list:
        """The entries of a list expression (unknown parts as UNKNOWN)."""
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.entry(module, e, depth) for e in node.elts[:MAX_PATTERNS]]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.sequence(module, node.left, depth) + self.sequence(module, node.right, depth)
        if isinstance(node, ast.Name) and isinstance(module.bindings.get(node.id), (ast.List, ast.Tuple)):
            return self.sequence(module, module.bindings[node.id], depth + 1)
        return [UNKNOWN]

    def entry(self, module: Module, node: ast.AST, depth: int):
        """One path()/re_path()/url() call as an Entry, else UNKNOWN."""
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            return UNKNOWN
        func = node.func.id if isinstance(node.func, ast.Name) else \
            node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if func not in ("path", "re_path", "url"):
            return UNKNOWN
        route = module.value(node.args[0])
        if not isinstance(route, str) or is_unknown(route):
            return UNKNOWN
        target = node.args[1]
        included = isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "include"
        regex = route_regex(route, not included) if func == "path" else route
        if regex is None:
            return UNKNOWN
        try:
            compiled = saferegex.compile(regex)
        except (re.error, RecursionError, OverflowError):
            return UNKNOWN
        if not included:
            return Entry(compiled, True)
        children = self.included(module, target, depth)
        return Entry(compiled, False, children) if children is not None else UNKNOWN

    def included(self, module: Module, call: ast.Call, depth: int) -> list | None:
        """The entries `include(...)` names: a module path, or a list (a
        `(patterns, app_name)` tuple's patterns)."""
        if not call.args:
            return None
        arg = call.args[0]
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        if isinstance(arg, ast.List):
            return self.sequence(module, arg, depth + 1)
        dotted = module.value(arg)
        return self.read(dotted, depth + 1) if isinstance(dotted, str) else None


def read_urlconf(settings_file: str, root: str, dotted) -> UrlConf | None:
    """The urlconf `ROOT_URLCONF = dotted` names, for the settings module at
    `settings_file`: the first folder from the settings file's own upwards
    (below `root`) holding that module is the project folder.  None when
    the module cannot be found or read, or its urlpatterns are unknown."""
    from ... import confine

    if not isinstance(dotted, str) or is_unknown(dotted):
        return None
    folder = os.path.dirname(os.path.abspath(settings_file))
    for _ in range(MAX_DEPTH):
        if not confine.below(confine.real_path(folder), root):
            break
        reader = _Reader(root, folder)
        if reader.module_file(dotted) is not None:
            entries = reader.read(dotted, 0)
            return UrlConf(entries, reader.files) if entries is not None else None
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None
