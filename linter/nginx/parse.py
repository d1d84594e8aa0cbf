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
from functools import lru_cache

from ..confine import ConfigReading, included_files, real_path
from ..diagnostics import InputError
from ..directive import Directive

#: blocks nested deeper than this are refused (real files nest a handful of levels;
#: crossplane and the lowering recurse once per level)
MAX_NESTING = 100


class ParsedConfig(ConfigReading):
    """The directive tree of one root file with its includes spliced in."""

    def __init__(self, path: str):
        super().__init__(path)
        self.directives: list[Directive] = []


def _convert(items: list[dict], path: str) -> list[Directive]:
    out = []
    for item in items:
        block = item.get("block")
        out.append(Directive(item["directive"], item.get("args", []), item.get("line", 0), path,
                             _convert(block, path) if block is not None else None))
    return out


def _parse_file(path: str, display: str, reading: ParsedConfig,
                root: str | None = None) -> tuple[list[Directive], list[InputError]]:
    """The directives of one file and the errors met, the file read once
    through `reading` (an include when `root` is given: confined to it)."""
    data = reading.read(path, display, root)
    if data is None:
        return [], []
    if data.startswith(b"\xef\xbb\xbf"):
        return [], [InputError(display, 1, "the file starts with a UTF-8 byte order mark, which nginx reads as part "
                                           "of the first directive's name (\"unknown directive\"); save it without")]
    unterminated: list[int] = []
    try:
        payload = _crossplane_parse(path, data, unterminated)
    except StopIteration:     # crossplane's lexer runs dry inside a directive
        return [], [InputError(display, None, "unexpected end of file")]
    except MemoryError:
        raise
    except Exception as exc:  # crossplane raises on odd bytes
        return [], [InputError(display, None, f"cannot parse: {exc or type(exc).__name__}")]
    if unterminated:   # crossplane's tree of the file is nested wrong from there: nothing of it is judged
        return [], [InputError(display, line, 'unexpected "}"') for line in unterminated]
    errors = []
    directives: list[Directive] = []
    for entry in payload.get("config", []):
        for err in entry.get("errors", []):
            message = str(err.get("error") or "")
            line = err.get("line")
            if not message:   # crossplane's lexer ran dry inside a directive (StopIteration)
                message, line = "unexpected end of file", line or _line_count(data)
            if "maximum recursion depth" in message or message.startswith("unexpected end of file"):
                # crossplane recursing too deep: where the lexer met the limit, crossplane takes
                # the RecursionError for the end of the file
                deep = _deep_line(_text(data)) if data.count(b"{") > MAX_NESTING else None
                if deep is not None or "maximum recursion depth" in message:
                    message, line = f"blocks nested deeper than {MAX_NESTING} levels", line if deep is None else deep
            # crossplane appends " in FILE:LINE" to its messages; the location is reported separately
            message = message.split(" in " + path)[0]
            errors.append(InputError(display, line, message))
        directives.extend(_convert(entry.get("parsed", []), display))
    too_deep = _too_deep(directives)
    if too_deep is not None:
        return [], errors + [InputError(display, too_deep.line, f"blocks nested deeper than {MAX_NESTING} levels")]
    return directives, errors


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1) if data else 1


def _text(data: bytes) -> str:
    """A file's text as crossplane reads it: UTF-8 with replacements, universal newlines."""
    import io

    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").read()


def _crossplane_parse(path: str, data: bytes, unterminated: list[int]) -> dict:
    """crossplane's parse of one file, fed the bytes already read (through
    the confinement) instead of opening `path` again: its lexer gets them
    as the text file it would have opened.  `unterminated` gets the line of
    each `}` that ends a directive lacking its `;` (`return 204 }`):
    crossplane takes that `}` for the directive's end and says nothing,
    nginx refuses the file (`unexpected "}"`)."""
    import io

    import crossplane.parser
    from crossplane.lexer import _balance_braces, _lex_file_object

    def lex(filename):   # crossplane.lexer.lex, its `io.open(filename)` replaced
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
        words = False    # a directive's words read, its `;` or `{` not yet
        for token in _balance_braces(_lex_file_object(text), filename):
            value, line, quoted = token
            if quoted:
                words = True
            elif value == "}":
                if words:
                    unterminated.append(line)
                words = False
            elif value == ";" or value == "{":
                words = False
            elif value[0] != "#":   # a comment ends nothing and starts nothing
                words = True
            yield token

    opens = crossplane.parser.lex
    crossplane.parser.lex = lex
    try:
        return crossplane.parser.parse(path, single=True, check_ctx=False, check_args=False, catch_errors=True,
                                       comments=False, onerror=_out_of_memory)
    finally:
        crossplane.parser.lex = opens


def _out_of_memory(exc: Exception) -> None:
    """crossplane records every exception as a parse error of the file;
    running out of memory is none (the engine reports it), so it goes on."""
    if isinstance(exc, MemoryError):
        raise exc


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


def _deep_line(text: str) -> int | None:
    """The line where `{` blocks first nest deeper than MAX_NESTING (quotes and comments skipped)."""
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


def parse(path: str, display: str | None = None, root: str | None = None) -> ParsedConfig:
    """Parse `path` and the files it includes.

    Relative include paths are taken relative to nginx's prefix, absolute
    ones through the deployment-path mappings; every include is confined to
    the configuration root (`includes`: --root, else the current folder
    when the file lies in it, else the prefix).  Files are shown with
    `display` paths built the same way as the command line argument, so
    findings point at paths the user knows.
    """
    from ..includes import NGINX_PREFIXES, Resolver, configuration_root, nginx_prefix

    display = display or path
    confinement = configuration_root(path, root, nginx_prefix)
    resolver = Resolver(nginx_prefix(path, confinement, root), confinement, NGINX_PREFIXES)
    config = ParsedConfig(display)
    directives, errors = _parse_file(path, display, config)
    config.errors.extend(errors)
    config.files.append(display)
    stack = [real_path(path)]
    config.directives = _splice(directives, config, resolver, os.path.dirname(display), stack)
    if any(d.name in ("http", "events") for d in directives):
        config.errors.extend(_misplaced(config.directives))
    return config


def _misplaced(directives: list[Directive]) -> list[InputError]:
    """The directives of a full configuration (the nginx.conf nginx loads,
    includes spliced in) standing in a context nginx refuses them in
    (`"if" directive is not allowed here`), by crossplane's table of the
    contexts each directive is allowed in.  Only a full configuration knows
    its contexts: a snippet's depend on where it is included.  A directive
    the table does not know (a third-party module's) is not judged, nor
    anything in a block whose context the table does not know (`map`, `types`)."""
    known, allowed = _context_table()
    errors = []
    stack: list[tuple[list[Directive], tuple[str, ...]]] = [(directives, ())]
    while stack:
        block, ctx = stack.pop()
        here = allowed[ctx]
        for d in block:
            if d.name in here:
                if d.block:
                    # crossplane.analyzer.enter_block_ctx: a location in a location is still ("http", "location")
                    inner = ("http", "location") if d.name == "location" and ctx[:1] == ("http",) else ctx + (d.name,)
                    if inner in allowed:
                        stack.append((d.block, inner))
            elif d.name in known:
                errors.append(InputError(d.path, d.line, f'"{d.name}" directive is not allowed here'))
    return errors


@lru_cache(maxsize=1)
def _context_table() -> tuple[frozenset[str], dict[tuple[str, ...], frozenset[str]]]:
    """The directive names crossplane knows, and per context the names
    allowed there: built once, so the walk is one set lookup a directive."""
    from crossplane.analyzer import CONTEXTS, DIRECTIVES

    return frozenset(DIRECTIVES), {ctx: frozenset(name for name, masks in DIRECTIVES.items()
                                                  if any(mask & bits for mask in masks))
                                   for ctx, bits in CONTEXTS.items()}


def _display_for(target: str, display_dir: str, root: str) -> str:
    """A path for an included file that reads like the one the user typed;
    a link (`sites-enabled/app`) is shown where the file lies in the
    configuration root (`sites-available/app`: code scanning cannot show a
    result on a link, and the file is linted once)."""
    from ..display import shown_path
    from ..includes import where_it_lies

    target = where_it_lies(target, root)
    try:
        rel = os.path.relpath(target, os.path.abspath(display_dir) if display_dir else os.getcwd())
    except ValueError:
        return target
    if os.path.isabs(display_dir):
        return target
    if rel.startswith(".." + os.sep + ".."):    # a mapped file elsewhere in the repository: from the current folder
        return shown_path(target)
    return os.path.normpath(os.path.join(display_dir, rel)) if display_dir else rel


def _splice(directives: list[Directive], config: ParsedConfig, resolver, display_dir: str,
            stack: list[str]) -> list[Directive]:
    out: list[Directive] = []
    for d in directives:
        if d.name == "include" and d.args and d.block is None:
            out.extend(_include(d, config, resolver, display_dir, stack))
            continue
        if d.block is not None:
            d.block = _splice(d.block, config, resolver, display_dir, stack)
        out.append(d)
    return out


def _include(d: Directive, config: ParsedConfig, resolver, display_dir: str,
             stack: list[str]) -> list[Directive]:
    """The directives the include `d` brings in; `d` itself is kept where
    what it brings is unknown (a target not read), so the lowering knows
    that level holds something it did not see."""
    from ..display import shown_path
    from ..includes import unmapped_reason

    pattern = d.args[0]
    full, mapping = resolver.full(pattern)
    found = resolver.targets(pattern, full, mapping)
    if found is None and mapping is None and os.path.isabs(pattern) and resolver.unmapped(full):
        config.unread(d, pattern, unmapped_reason(pattern, resolver.root))
        return [d]
    if found is None:
        missing = _missing(full)
        if missing is not None:
            via = f", mapped by {mapping.shown()}" if mapping is not None else \
                f" (relative includes resolve against {shown_path(resolver.base)}, {resolver.prefix.origin})"
            config.unread(d, pattern, f"{missing[0]}{via}{missing[1]}")
        return [d]
    targets, refused, mappings = found
    out: list[Directive] = []
    if refused:
        config.refuse(d, pattern, refused, resolver.root)
        out.append(d)
    for used in mappings if targets else ():
        config.used(used)
    for target in included_files(config, d, pattern, targets, stack, "include"):
        named = _display_for(target, display_dir, resolver.root)
        directives, errors = _parse_included(target, named, config, resolver.root)
        config.errors.extend(errors)
        config.files.append(named)
        out.extend(_splice(directives, config, resolver, display_dir, stack))
    return out


def _parse_included(target: str, named: str, config: ParsedConfig, root: str):
    """`_parse_file` of an included file; a template (the nginx image's
    `templates/default.conf.template`, deployed rendered into conf.d/) is
    read rendered, its expressions unknown values (`templates.run.rendered_text`)."""
    from ..files import template_candidate

    if not template_candidate(target):
        return _parse_file(target, named, config, root)
    from ..confine import rendered
    from ..templates.run import rendered_text

    text, problem = rendered_text(target, root, named)
    if problem is not None:
        return [], [problem]
    rendered(target, text)
    try:
        return _parse_file(target, named, config, root)
    finally:
        rendered(target, None)


def _missing(full: str) -> tuple[str, str] | None:
    """What the repository lacks for an include that names nothing: a file
    (nginx refuses to start), or the folder of a glob (`sites-enabled/*`:
    the deployed machine has it, the repository does not); None for a glob
    over a folder that merely holds no match (nginx reads nothing either)."""
    from ..display import shown_path

    if not glob.has_magic(full):
        return f"no such file {shown_path(full)}", ""
    folder = full
    while glob.has_magic(folder):
        folder = os.path.dirname(folder)
    if os.path.isdir(folder):
        return None
    said, hint = f"no such folder {shown_path(folder)}", ""
    if os.path.basename(folder) == "sites-enabled" and os.path.isdir(os.path.join(os.path.dirname(folder),
                                                                                  "sites-available")):
        hint = (f"; the repository keeps {shown_path(os.path.join(os.path.dirname(folder), 'sites-available'))}/: "
                f"lint that folder, or add the sites-enabled links")
    return said, hint
