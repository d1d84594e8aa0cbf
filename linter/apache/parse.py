"""Read Apache httpd configuration files into a directive tree.

The lark grammar (apache.lark) tokenizes logical lines; this module
prepares the text the way Apache reads it (continuation lines joined,
comment lines dropped), pairs `<Section>`/`</Section>`, follows
`Include`/`IncludeOptional` (globs, relative to ServerRoot), and applies
`Define`/`${VAR}`, `<IfDefine>`, `<IfModule>` and `<IfVersion>` as httpd
2.4 with the modules corslint models would.  Errors name file:line:column.
"""

from __future__ import annotations

import glob
import os
import re
from functools import lru_cache

from ..confine import ConfigReading, folder_targets, included_files, real_path
from ..diagnostics import InputError
from ..directive import Directive
from ..expansion import LIMITS, Budget
from ..model import Source

#: sections nested deeper than this are refused (httpd has no limit, but no real file comes close)
MAX_NESTING = 200
#: the httpd version `<IfVersion>` is evaluated against
HTTPD_VERSION = (2, 4, 62)
#: modules `<IfModule>` treats as loaded when the configuration does not say
ASSUMED_MODULES = {"headers", "rewrite", "setenvif", "alias", "dir", "mime", "env", "proxy", "proxy_http",
                   "proxy_fcgi", "auth_basic", "authn_file", "authn_core", "authz_core", "authz_user",
                   "authz_host", "authz_groupfile", "access_compat", "log_config", "unixd", "version",
                   "autoindex", "deflate", "filter", "expires", "ssl", "socache_shmcb", "mpm_event",
                   "mpm_prefork", "mpm_worker", "negotiation", "status", "reqtimeout", "cgi", "cgid", "php",
                   "php7", "php8", "fcgid", "http2"}


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    grammar = os.path.join(os.path.dirname(__file__), "apache.lark")
    with open(grammar, encoding="utf-8") as fh:
        return Lark(fh.read(), parser="lalr", lexer="contextual", propagate_positions=True)


class ApacheParse(ConfigReading):
    """The directive tree of one root file with its includes spliced in."""

    def __init__(self, path: str):
        super().__init__(path)
        self.directives: list[Directive] = []
        #: where includes are found (includes.Resolver: prefix, configuration root, mappings)
        self.resolver = None
        #: whether a ServerRoot directive set the prefix (the first one counts)
        self.server_root_set = False
        #: the mapping the ServerRoot was read through, if any
        self.server_root_mapping = None
        #: the configuration root is the layout's prefix (no --root, the file outside
        #: the current folder): a ServerRoot just above the file may widen it
        self.may_widen = False
        self.defines: dict[str, str] = {}
        self.undefined: set[str] = set()
        #: bounds what `${VAR}` substitution builds (a Define doubling itself)
        self.budget = Budget()


def logical_text(text: str) -> str:
    """Join `\\`-continued lines and blank out comment lines, keeping every
    logical line on the physical line where it starts."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        extra = 0
        while line.endswith("\\") and i + extra + 1 < len(lines):
            extra += 1   # httpd drops the backslash and newline and appends the next line as it is
            line = line[:-1] + lines[i + extra]
        if line.lstrip().startswith("#"):
            line = ""
        out.append(line)
        out.extend([""] * extra)
        i += extra + 1
    return "\n".join(out)


def _unquote(token: str) -> str:
    """Apache's quoting (ap_getword_conf): only a backslash before the
    quote character itself is an escape; `\\.` in a regex stays as it is."""
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        quote = token[0]
        return token[1:-1].replace("\\" + quote, quote)
    return token


def parse_text(text: str, display: str) -> tuple[list[Directive], list[InputError]]:
    """One file's directives (sections nested), or the first syntax error."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

    prepared = logical_text(text)
    try:
        tree = _parser().parse(prepared + "\n")
    except UnexpectedCharacters as exc:
        char = prepared.split("\n")[exc.line - 1][exc.column - 1:][:1]
        what = "unterminated quoted argument" if char in "\"'" else f"unexpected character {char!r}"
        return [], [InputError(display, exc.line, what, exc.column)]
    except UnexpectedInput as exc:
        line = getattr(exc, "line", None)
        token = getattr(exc, "token", None)
        what = f"unexpected {str(token)!r}" if token is not None and str(token).strip() else \
            "unexpected end of line (a section opening needs its closing '>')"
        column = getattr(exc, "column", None)
        return [], [InputError(display, line if line and line > 0 else None, what,
                               column if column and column > 0 else None)]
    return _nest(tree.children, display)


_WORDS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[^\s"\']\S*|["\']\S*')


def _section_parts(token: str) -> tuple[str, list[str]]:
    """`<IfVersion >= 2.4>` -> ("IfVersion", [">=", "2.4"])."""
    m = re.match(r"<([A-Za-z][A-Za-z0-9_]*)\s*(.*)>$", token, re.S)
    name, rest = (m.group(1), m.group(2)) if m else (token.strip("<>"), "")
    return name, [_unquote(w) for w in _WORDS.findall(rest)]


def _nest(items, display: str) -> tuple[list[Directive], list[InputError]]:
    root: list[Directive] = []
    stack: list[tuple[Directive, list[Directive]]] = []
    for item in items:
        kind = item.data
        tokens = item.children
        line = item.meta.line
        if kind == "directive":
            current = stack[-1][1] if stack else root
            current.append(Directive(str(tokens[0]), [_unquote(str(t)) for t in tokens[1:]], line, display, None))
        elif kind == "section_open":
            name, args = _section_parts(str(tokens[0]))
            section = Directive("<" + name, args, line, display, [])
            (stack[-1][1] if stack else root).append(section)
            stack.append((section, section.block))
            if len(stack) > MAX_NESTING:
                return [], [InputError(display, line, f"sections nested deeper than {MAX_NESTING}")]
        else:
            name = str(tokens[0])[2:-1].strip()
            if not stack:
                return [], [InputError(display, line, f"</{name}> without matching <{name}> section")]
            opened = stack.pop()[0]
            if opened.name[1:].lower() != name.lower():
                return [], [InputError(display, line, f"</{name}> closes <{opened.name[1:]}> opened on line "
                                                      f"{opened.line}")]
    if stack:
        opened = stack[-1][0]
        return [], [InputError(display, opened.line, f"<{opened.name[1:]}> section is never closed")]
    return root, []


def read(path: str, display: str | None = None, root: str | None = None) -> ApacheParse:
    """Parse `path`, its includes and conditional sections."""
    from ..includes import APACHE_PREFIXES, Resolver, apache_prefix, configuration_root

    display = display or path
    result = ApacheParse(display)
    confinement = configuration_root(path, root, apache_prefix)
    result.resolver = Resolver(apache_prefix(path, confinement, root), confinement, APACHE_PREFIXES)
    result.may_widen = root is None and confinement != os.getcwd()
    _read_file(path, display, result, [real_path(path)], into=result.directives)
    return result


def _read_file(path: str, display: str, result: ApacheParse, stack: list[str], into: list[Directive],
               root: str | None = None) -> None:
    """Read one file through `result` (an include when `root` is given:
    confined to it) and splice its directives into `into`."""
    data = result.read(path, display, root)
    if data is None:
        return
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")    # httpd skips a UTF-8 BOM
    result.files.append(display)
    directives, errors = parse_text(text, display)
    result.errors.extend(errors)
    into.extend(_expand(directives, result, stack, os.path.dirname(display)))


def _expand(directives: list[Directive], result: ApacheParse, stack: list[str], display_dir: str) -> list[Directive]:
    """Resolve Define/${VAR}, conditional sections and includes, in file order."""
    out: list[Directive] = []
    for d in directives:
        args = _substituted(d, result)
        if args is None:
            continue
        d.args = args
        name = d.name.lower()
        if name == "define" and d.args:
            result.defines[d.args[0]] = d.args[1] if len(d.args) > 1 else ""
            continue
        if name == "undefine" and d.args:
            result.defines.pop(d.args[0], None)
            result.undefined.add(d.args[0])
            continue
        if name == "serverroot" and d.args and not result.server_root_set:
            from ..includes import server_root

            result.server_root_set = True
            resolver = result.resolver
            resolver.base, result.server_root_mapping = server_root(d.args[0], resolver.prefix, resolver.mappings)
            resolver.deployed = os.path.normpath(d.args[0]) if os.path.isabs(d.args[0]) else None
            _widen_confinement(result, stack[0])
        if name in ("<ifdefine", "<ifmodule", "<ifversion", "<ifdirective", "<ifsection", "<iffile"):
            if _condition_holds(name, d, result):
                out.extend(_expand(d.block or [], result, stack, display_dir))
            continue
        if name in ("include", "includeoptional") and d.args:
            out.extend(_include(d, result, stack, display_dir, optional=name == "includeoptional"))
            continue
        if d.block is not None:
            d.block = _expand(d.block, result, stack, display_dir)
        out.append(d)
    return out


_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def _substituted(d: Directive, result: ApacheParse) -> list[str] | None:
    """The directive's arguments with `${VAR}` replaced by their Define
    values; None when that would build more than corslint expands: the
    directive is then ignored, with an input error at the first such line of
    the file (`Define X1 ${X0}${X0}` forty times over spells a terabyte)."""
    first = result.budget.refused == 0
    args = [_substitute(a, result) for a in d.args]
    if None not in args:
        return args
    if first:
        written = " ".join(d.args)
        written = written if len(written) <= 80 else written[:80] + "..."
        result.errors.append(InputError(d.path, d.line, f"{d.name} {written}: expands past what corslint builds "
                                                        f"from Define values ({LIMITS}); the directive is ignored"))
    return None


def _substitute(arg: str, result: ApacheParse) -> str | None:
    """`arg` with `${VAR}` replaced, or None when the budget refuses it."""
    if "${" not in arg:
        return arg
    pieces, start = [], 0
    for m in _VAR.finditer(arg):
        pieces += (arg[start:m.start()], result.defines.get(m.group(1), m.group(0)))
        start = m.end()
    pieces.append(arg[start:])
    return "".join(pieces) if result.budget.admits(*pieces) else None


def _condition_holds(name: str, d: Directive, result: ApacheParse) -> bool:
    args = d.args
    if not args:
        return True
    negate = args[0].startswith("!")
    subject = args[0].lstrip("!")
    if name == "<ifdefine":
        # a parameter the files never Define comes from `apache2 -D NAME`: lint
        # what the author wrote for it (the positive branch), not the fallback
        held = subject in result.defines or (not negate and subject not in result.undefined)
    elif name == "<ifmodule":
        module = subject.lower()
        module = re.sub(r"^mod_|\.c$|_module$", "", module)
        module = re.sub(r"^mod_|\.c$", "", module)
        held = module in ASSUMED_MODULES
    elif name == "<ifversion":
        return _version_holds(d, result)
    else:
        held = True
    return held != negate


def _version_holds(d: Directive, result: ApacheParse) -> bool:
    """`<IfVersion [[!]op] version>` against HTTPD_VERSION.  A regex that
    does not compile (httpd refuses to start) or backtracks past the budget
    is an input error at the section; its body is left out."""
    from .. import saferegex

    args = d.args
    op, version = ("=", args[0]) if len(args) == 1 else (args[0], args[1])
    negate = op.startswith("!")
    op = op.lstrip("!")
    if op in ("~",) or version.startswith("/"):
        pattern = version.strip("/")
        try:
            held = saferegex.search(pattern, ".".join(map(str, HTTPD_VERSION))) is not None
        except (re.error, RecursionError, OverflowError) as exc:
            result.errors.append(InputError(d.path, d.line, f"<IfVersion> regex {pattern!r} does not compile: {exc}"))
            return False
        except saferegex.RegexTimeout as exc:
            result.errors.append(InputError(d.path, d.line, str(exc)))
            return False
        return held != negate
    want = tuple(int(p) for p in re.findall(r"\d+", version)[:3])
    have = HTTPD_VERSION[:len(want)]
    held = {"=": have == want, "==": have == want, ">": have > want, ">=": have >= want,
            "<": have < want, "<=": have <= want}.get(op, False)
    return held != negate


def _widen_confinement(result: ApacheParse, root_file: str) -> None:
    """A file outside the current folder, without --root, whose ServerRoot
    is its own folder or that folder's parent (httpd's conf/main.conf
    layout under any name): includes may come from the ServerRoot.  Any
    other ServerRoot does not widen the root."""
    base = result.resolver.base
    if not result.may_widen or not os.path.isabs(base):
        return
    folder = os.path.dirname(root_file)
    real = os.path.realpath(base)
    if real in (os.path.realpath(folder), os.path.realpath(os.path.dirname(folder))) and real != os.sep:
        result.resolver.root = real


def _include(d: Directive, result: ApacheParse, stack: list[str], display_dir: str, optional: bool) -> list[Directive]:
    """The directives the Include `d` brings in: relative to ServerRoot,
    absolute through the mappings, confined to the configuration root; what
    is not read is a notice at its line."""
    from ..display import shown_path
    from ..includes import unmapped_reason, where_it_lies

    pattern = d.args[0]
    resolver = result.resolver
    full, mapping = resolver.full(pattern)
    if mapping is None and not os.path.isabs(pattern):
        mapping = result.server_root_mapping
    found = resolver.targets(pattern, full, mapping)
    if found is None and os.path.isabs(pattern) and mapping is None and resolver.unmapped(full):
        result.unread(d, pattern, unmapped_reason(pattern, resolver.root))
        return []
    targets, refused, mappings = found or ([], [], [])
    if len(targets) == 1 and os.path.isdir(targets[0]) and not glob.has_magic(full):
        targets, refused = folder_targets(targets[0], resolver.root)
    if refused:
        result.refuse(d, pattern, refused, resolver.root)
    if not targets and not refused and not optional:
        where = f"mapped by {mapping.shown()}" if mapping is not None else f"ServerRoot {shown_path(resolver.base)}"
        result.unread(d, pattern, f"no such file {shown_path(full)}, {where} (httpd refuses an Include that matches "
                                  f"nothing: IncludeOptional for files that may be missing)")
    for used in mappings if targets else ():
        result.used(used)
    out: list[Directive] = []
    for target in included_files(result, d, pattern, targets, stack, "Include"):
        lies = where_it_lies(target, resolver.root)
        named = os.path.relpath(lies) if not os.path.isabs(display_dir or ".") else lies
        _read_file(target, named, result, stack, into=out, root=resolver.root)
    return out


def source(d: Directive) -> Source:
    return Source(d.path, d.line)
