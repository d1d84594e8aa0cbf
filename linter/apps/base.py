"""What every framework model shares: routes, parse results, scopes."""

from __future__ import annotations

import re

from ..diagnostics import InputError
from ..model import Answer, MiddlewareOrder, Parsed, RejectedAtStartup, Request, Scope, ServerModel, Source
from ..record import field, record

__all__ = ["AppModel", "MiddlewareOrder", "ParsedApp", "RejectedAtStartup", "Route", "example_path"]


@record
class Route:
    """A route the application serves: its URL pattern (as the framework
    writes it), the methods it accepts (None: every method) and where it
    is declared.  `example` is a concrete path that reaches it."""

    pattern: str
    methods: tuple[str, ...] | None
    source: Source
    example: str
    #: framework-specific extras (the per-route cors() options of Express, say)
    extra: dict = field(default_factory=dict)


@record
class ParsedApp(Parsed):
    """Mirrors nginx/Apache parse results so the engine treats every model alike."""

    path: str
    files: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


class AppModel(ServerModel):
    """An application with a CORS layer.  Subclasses implement `answer` with
    their framework's semantics; `scopes` are the routes (plus `/` when the
    CORS layer applies to every path)."""

    base_url = "http://app.example"

    def __init__(self, path: str, parsed: ParsedApp, routes: list[Route]):
        self.path = path
        self.parsed = parsed
        self.routes = routes

    def scopes(self) -> list[Scope]:
        out = []
        for route in self.routes or [Route("/", None, Source(self.path, 1), "/")]:
            out.append(self.scope_for(route))
        return out

    def scope_for(self, route: Route) -> Scope:
        """Subclasses refine the facts (origin patterns, methods served)."""
        return Scope(name=f"route {route.pattern}", url=self.base_url + route.example, source=route.source,
                     proxied=False, static=False,
                     served_methods=tuple(m for m in (route.methods or ()) if m not in ("HEAD", "OPTIONS")))

    def answer(self, request: Request, **_kwargs) -> Answer:
        raise NotImplementedError


def read_source(path: str) -> str:
    """A Python source as the interpreter reads it: UTF-8, a leading BOM
    skipped (raises OSError or UnicodeDecodeError).  Not `utf-8-sig`: that
    codec turns a lone truncated BOM (`\\xef` at the end) into nothing."""
    with open(path, "rb") as fh:
        data = fh.read()
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")


#: what reading a Python source may raise besides SyntaxError: NUL bytes
#: (ValueError on 3.11), and deep nesting (CPython's parser and the readers'
#: tree walks: RecursionError, or MemoryError from the 3.11 parser)
PARSE_FAILURES = (SyntaxError, ValueError, RecursionError, MemoryError)


def read_python(path: str, display: str, parse):
    """(ParsedApp, parse(source) or None): the shared first step of the
    Python framework readers.  An unreadable file is an InputError; a
    source that does not parse is recorded on ParsedApp.errors."""
    parsed = ParsedApp(display, [display])
    try:
        source = read_source(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(display, None, f"cannot read this file: {exc}") from None
    try:
        return parsed, parse(source)
    except PARSE_FAILURES as exc:
        parsed.errors.append(parse_error(exc, source, display))
        return parsed, None


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


def example_path(pattern: str) -> str:
    """A concrete path for a route pattern: `/users/<int:id>` -> `/users/1`,
    `/items/{item_id}` -> `/items/1`, `/files/:name` -> `/files/x`."""
    path = re.sub(r"<(?:int|float):[^>]+>", "1", pattern)
    path = re.sub(r"<[^>]+>", "x", path)
    path = re.sub(r"\{[^}]+\}", "1", path)
    path = re.sub(r":[A-Za-z_]\w*\??", "x", path)
    path = path.replace("*", "x")
    return path if path.startswith("/") else "/" + path

