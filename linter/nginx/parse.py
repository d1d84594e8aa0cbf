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
#: blocks nested deeper than this are refused (real files nest a handful of levels;
#: crossplane and the lowering recurse once per level)
MAX_NESTING = 100
#: files read for one root file, includes counted each time they are read
#: (an include "diamond" nested deep would otherwise read 2**depth files)
MAX_INCLUDED_FILES = 10_000
#: bytes read for one root file and its includes
MAX_TOTAL_BYTES = 64 * 1024 * 1024


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
        self.reads = 0                      # files read, includes counted each time
        self.bytes_read = 0
        #: includes not read because they lie outside the configuration root: reported,
        #: and the level they are in holds something unknown (as for a missing include)
        self.notices: list[InputError] = []

    def error(self, error: InputError) -> None:
        """Record an error once (a cycle reached by two paths is one problem)."""
        if all(str(e) != str(error) for e in self.errors):
            self.errors.append(error)


def _convert(items: list[dict], path: str) -> list[Directive]:
    out = []
    for item in items:
        block = item.get("block")
        out.append(Directive(item["directive"], item.get("args", []), item.get("line", 0), path,
                             _convert(block, path) if block is not None else None))
    return out


def _parse_file(path: str, display: str) -> tuple[list[Directive], list[InputError]]:
    import crossplane

    from ..files import unreadable

    problem = unreadable(path)
    if problem is not None:
        return [], [InputError(display, None, problem)]
    if _starts_with_bom(path):
        return [], [InputError(display, 1, "the file starts with a UTF-8 byte order mark, which nginx reads as part "
                                           "of the first directive's name (\"unknown directive\"); save it without")]
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
            elif "maximum recursion depth" in message:
                message, line = f"blocks nested deeper than {MAX_NESTING} levels", line or _deep_line(path)
            # crossplane appends " in FILE:LINE" to its messages; the location is reported separately
            message = message.split(" in " + path)[0]
            errors.append(InputError(display, line, message))
        directives.extend(_convert(entry.get("parsed", []), display))
    too_deep = _too_deep(directives)
    if too_deep is not None:
        return [], errors + [InputError(display, too_deep.line, f"blocks nested deeper than {MAX_NESTING} levels")]
    return directives, errors


def _too_deep(directives: list[Directive]) -> Directive | None:
    """The first directive nested deeper than MAX_NESTING blocks (iterative)."""
    stack = [(d, 1) for d in reversed(directives)]
    while stack:
        d, depth = stack.pop()
        if d.block is not None:
            if depth > MAX_NESTING:
                return d
            stack.extend((inner, depth + 1) for inner in reversed(d.block))
    return None


def _deep_line(path: str) -> int | None:
    """The line where `{` blocks first nest deeper than MAX_NESTING (quotes and comments skipped)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    depth, line, quote, comment = 0, 1, "", False
    for ch in text:
        if ch == "\n":
            line += 1
            comment = False
        elif comment:
            continue
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch == "{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif ch == "}":
            depth -= 1
    return None


def _starts_with_bom(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(3) == b"\xef\xbb\xbf"
    except OSError:
        return False


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
    config.reads = 1
    config.bytes_read = _size(path)
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


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def confined_targets(pattern: str, full: str, root: str) -> tuple[list[str], list[str]] | None:
    """(targets inside `root`, targets refused because they lie outside it)
    for an include path or glob, or None when it names no existing file.
    A glob whose fixed part lies outside the root is refused without being
    expanded (`/*/*/*/*/x` would walk the whole file system); at most
    MAX_INCLUDED_FILES matches are taken."""
    import itertools

    from ..files import inside

    if "\0" in full:
        return None     # no file has a NUL byte in its name (the OS calls would raise ValueError)
    full = os.path.normpath(full)
    if not glob.has_magic(full):
        if not inside(full, root):
            return [], [full]    # whether it exists is not told either
        return ([full], []) if os.path.lexists(full) else None
    fixed = full
    while glob.has_magic(fixed):
        fixed = os.path.dirname(fixed)
    if not inside(fixed, root):
        return [], [full]
    try:
        matches = sorted(itertools.islice(glob.iglob(full), MAX_INCLUDED_FILES))
    except (OSError, RecursionError, ValueError):
        return None
    allowed = [m for m in matches if inside(m, root)]
    refused = [m for m in matches if not inside(m, root)]
    return (allowed, refused) if matches else None


def refused_message(pattern: str, refused: list[str], root: str, directive: str = "include") -> str:
    what = refused[0] + (f" and {len(refused) - 1} more" if len(refused) > 1 else "")
    return (f"{directive} {pattern}: not read: {what} is outside the configuration root {root} "
            f"(includes are read only below the folder of the file given; --root DIR allows more)")


def _include(d: Directive, config: ParsedConfig, root: str, display_dir: str,
             stack: list[str]) -> list[Directive]:
    pattern = d.args[0]
    full = pattern if os.path.isabs(pattern) else os.path.join(root, pattern)
    found = confined_targets(pattern, full, root)
    if found is None:
        config.missing_includes.append((d, pattern))
        return [d]   # kept so the lowering knows this level holds something unknown
    targets, refused = found
    out: list[Directive] = []
    if refused:
        notice = InputError(d.path, d.line, refused_message(pattern, refused, root))
        if all(str(n) != str(notice) for n in config.notices):
            config.notices.append(notice)
        out.append(d)   # what it would bring in is unknown, as for a missing include
    for target in targets:
        real = os.path.realpath(target)
        shown = _display_for(target, root, display_dir)
        if real in stack:
            config.error(InputError(d.path, d.line, f"include cycle: {pattern} includes itself"))
            continue
        if len(stack) >= MAX_INCLUDE_DEPTH:
            config.error(InputError(d.path, d.line, f"includes nested deeper than {MAX_INCLUDE_DEPTH}"))
            continue
        if not os.path.isfile(target):
            if os.path.islink(target) and not os.path.exists(target):
                config.error(InputError(d.path, d.line, f"include {pattern}: {target} is a broken symbolic link "
                                                        f"or a symlink loop"))
            continue
        if config.reads >= MAX_INCLUDED_FILES or config.bytes_read >= MAX_TOTAL_BYTES:
            if any("the remaining includes were not read" in e.message for e in config.errors):
                break    # reported once, where the limit was reached
            config.error(InputError(d.path, d.line, f"include {pattern}: more than {MAX_INCLUDED_FILES:,} "
                                                    f"included files or {MAX_TOTAL_BYTES >> 20} MiB read for "
                                                    f"{config.path}; the remaining includes were not read"))
            break
        config.reads += 1
        config.bytes_read += _size(target)
        directives, errors = _parse_file(target, shown)
        config.errors.extend(errors)
        config.files.append(shown)
        stack.append(real)
        out.extend(_splice(directives, config, root, display_dir, stack))
        stack.pop()
    return out
