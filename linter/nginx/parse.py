"""Read nginx configuration files into a directive tree, following `include`.

crossplane does the tokenizing; every file is parsed on its own with context
and argument checks off, so a bare `cors.conf` snippet is as welcome as a
full `nginx.conf`.  Includes are resolved here rather than by crossplane so
that the linter decides where files may be read from and how cycles and
missing files are reported.
"""

from __future__ import annotations

import glob
import os

from ..diagnostics import InputError
from ..model import Source

MAX_INCLUDE_DEPTH = 32


class Directive:
    """One directive: `name args...;` or `name args... { block }`."""

    __slots__ = ("name", "args", "line", "path", "block")

    def __init__(self, name: str, args: list[str], line: int, path: str, block: list["Directive"] | None):
        self.name = name
        self.args = args
        self.line = line
        self.path = path
        self.block = block

    @property
    def source(self) -> Source:
        return Source(self.path, self.line)

    def __repr__(self) -> str:
        return f"<{self.name} {' '.join(self.args)} @{self.path}:{self.line}>"


class ParsedConfig:
    """The directive tree of one root file with its includes spliced in."""

    def __init__(self, path: str):
        self.path = path
        self.directives: list[Directive] = []
        self.errors: list[InputError] = []
        self.files: list[str] = []          # every file read, root first
        self.missing_includes: list[tuple[Directive, str]] = []


def _convert(items: list[dict], path: str) -> list[Directive]:
    out = []
    for item in items:
        block = item.get("block")
        out.append(Directive(item["directive"], item.get("args", []), item.get("line", 0), path,
                             _convert(block, path) if block is not None else None))
    return out


def _parse_file(path: str, display: str) -> tuple[list[Directive], list[InputError]]:
    import crossplane

    try:
        payload = crossplane.parse(path, single=True, check_ctx=False, check_args=False,
                                   catch_errors=True, comments=False)
    except StopIteration:     # crossplane's lexer runs dry inside a directive
        return [], [InputError(display, None, "unexpected end of file")]
    except Exception as exc:  # crossplane raises on unreadable files and odd bytes
        return [], [InputError(display, None, f"cannot parse: {exc or type(exc).__name__}")]
    errors = []
    directives: list[Directive] = []
    for entry in payload.get("config", []):
        for err in entry.get("errors", []):
            message = str(err.get("error") or "")
            line = err.get("line")
            if not message:   # crossplane's lexer ran dry inside a directive (StopIteration)
                message, line = "unexpected end of file", line or _line_count(path)
            # crossplane appends " in FILE:LINE" to its messages; the location is reported separately
            message = message.split(" in " + path)[0]
            errors.append(InputError(display, line, message))
        directives.extend(_convert(entry.get("parsed", []), display))
    return directives, errors


def _line_count(path: str) -> int | None:
    try:
        with open(path, "rb") as fh:
            return sum(1 for _ in fh) or 1
    except OSError:
        return None


def parse(path: str, display: str | None = None, root: str | None = None) -> ParsedConfig:
    """Parse `path` and the files it includes.

    Relative include paths are taken relative to `root` (nginx's prefix: the
    folder of the file given on the command line unless --root says
    otherwise).  Files are shown with `display` paths built the same way as
    the command line argument, so findings point at paths the user knows.
    """
    display = display or path
    root = root or os.path.dirname(os.path.abspath(path))
    config = ParsedConfig(display)
    directives, errors = _parse_file(path, display)
    config.errors.extend(errors)
    config.files.append(display)
    stack = [os.path.realpath(path)]
    config.directives = _splice(directives, config, root, os.path.dirname(display), stack)
    return config


def _display_for(target: str, root: str, display_dir: str) -> str:
    """A path for an included file that reads like the one the user typed."""
    try:
        rel = os.path.relpath(target, os.path.abspath(display_dir) if display_dir else os.getcwd())
    except ValueError:
        return target
    if os.path.isabs(display_dir) or rel.startswith(".." + os.sep + ".."):
        return target
    return os.path.normpath(os.path.join(display_dir, rel)) if display_dir else rel


def _splice(directives: list[Directive], config: ParsedConfig, root: str, display_dir: str,
            stack: list[str]) -> list[Directive]:
    out: list[Directive] = []
    for d in directives:
        if d.name == "include" and d.args and d.block is None:
            out.extend(_include(d, config, root, display_dir, stack))
            continue
        if d.block is not None:
            d.block = _splice(d.block, config, root, display_dir, stack)
        out.append(d)
    return out


def _include(d: Directive, config: ParsedConfig, root: str, display_dir: str,
             stack: list[str]) -> list[Directive]:
    pattern = d.args[0]
    full = pattern if os.path.isabs(pattern) else os.path.join(root, pattern)
    if glob.has_magic(full):
        targets = sorted(glob.glob(full))
    elif os.path.isfile(full):
        targets = [full]
    else:
        config.missing_includes.append((d, pattern))
        return [d]   # kept so the lowering knows this level holds something unknown
    out: list[Directive] = []
    for target in targets:
        real = os.path.realpath(target)
        shown = _display_for(target, root, display_dir)
        if real in stack:
            config.errors.append(InputError(d.path, d.line, f"include cycle: {pattern} includes itself"))
            continue
        if len(stack) >= MAX_INCLUDE_DEPTH:
            config.errors.append(InputError(d.path, d.line, f"includes nested deeper than {MAX_INCLUDE_DEPTH}"))
            continue
        if not os.path.isfile(target):
            continue
        directives, errors = _parse_file(target, shown)
        config.errors.extend(errors)
        config.files.append(shown)
        stack.append(real)
        out.extend(_splice(directives, config, root, display_dir, stack))
        stack.pop()
    return out
