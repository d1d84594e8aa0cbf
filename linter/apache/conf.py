"""Lower an Apache directive tree into servers and configuration sections.

A `Context` holds what one place of the configuration says about CORS:
mod_headers actions, mod_setenvif rules, mod_rewrite rules, mod_alias
redirects, access control, directory handling.  Sections keep their kind
and pattern so the evaluator can merge them in Apache's order for each
request (evaluate.py); nothing is merged here.
"""

from __future__ import annotations

import re

from .. import saferegex
from ..diagnostics import InputError
from ..directive import Directive
from ..model import Source
from ..pcre import apache_message

SECTION_KINDS = {"<directory": "directory", "<directorymatch": "directorymatch", "<files": "files",
                 "<filesmatch": "filesmatch", "<location": "location", "<locationmatch": "locationmatch",
                 "<if": "if", "<elseif": "elseif", "<else": "else"}
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "PATCH", "PROPFIND", "PROPPATCH",
                "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "TRACE")


class HeaderAction:
    """`Header [onsuccess|always] action name [value] [replacement] [cond]`."""

    __slots__ = ("always", "action", "name", "value", "replacement", "condition", "source", "early")

    def __init__(self, always, action, name, value, replacement, condition, source, early=False):
        self.always = always
        self.action = action
        self.name = name
        self.value = value
        self.replacement = replacement
        self.condition = condition      # None, ("env", "VAR"), ("!env", "VAR"), ("expr", "...")
        self.source = source
        self.early = early


class SetEnv:
    """`SetEnvIf[NoCase] attribute regex var[=value] ...` / `SetEnvIfExpr expr var...`,
    and mod_env's `SetEnv var value` (`fixup`: it runs in the fixups phase,
    after access control and per-directory rewrites, not with SetEnvIf)."""

    __slots__ = ("attribute", "pattern", "ignore_case", "assignments", "source", "expr", "fixup")

    def __init__(self, attribute, pattern, ignore_case, assignments, source, expr=None, fixup=False):
        self.attribute = attribute
        self.pattern = pattern
        self.ignore_case = ignore_case
        self.assignments = assignments   # [(name, value or None for unset "!name")]
        self.source = source
        self.expr = expr
        self.fixup = fixup


class RewriteRule:
    __slots__ = ("pattern", "substitution", "flags", "conditions", "source")

    def __init__(self, pattern, substitution, flags, conditions, source):
        self.pattern = pattern
        self.substitution = substitution
        self.flags = flags               # dict: R -> code, L, F, G, NC, E -> [(k, v)], P, END, C, QSA
        self.conditions = conditions     # [(test, pattern, flags, source)]
        self.source = source


class Require:
    """One `Require` line, limited to some methods by `<Limit>`/`<LimitExcept>`."""

    __slots__ = ("words", "methods", "except_methods", "source", "container")

    def __init__(self, words, methods, except_methods, source, container=None):
        self.words = words
        self.methods = methods
        self.except_methods = except_methods
        self.source = source
        #: the <Limit>/<LimitExcept> line this Require sits in: what users see as the cause
        self.container = container

    def applies(self, method: str) -> bool:
        if self.methods is not None:
            return method in self.methods or (method == "HEAD" and "GET" in self.methods)
        if self.except_methods is not None:
            return not (method in self.except_methods or (method == "HEAD" and "GET" in self.except_methods))
        return True


class AuthzSection:
    """A `<RequireAny>`/`<RequireAll>`/`<RequireNone>` container, or the
    implicit `<RequireAny>` holding a section's top-level Require lines;
    `items` are Require lines and nested containers in file order."""

    __slots__ = ("items", "negate", "op", "source")

    def __init__(self, op: str, negate: bool, source: Source):
        self.op = op                    # "any" or "all"
        self.negate = negate            # <RequireNone>: a negated <RequireAny>
        self.items: list = []
        self.source = source

    def applies(self, method: str) -> bool:
        """Whether any Require inside is in force for the method (<Limit>)."""
        return any(item.applies(method) for item in self.items)


class Context:
    """One place in the configuration: the server, a vhost, a section, an .htaccess file."""

    def __init__(self, kind: str, pattern: str, source: Source, regex: bool = False):
        self.kind = kind
        self.pattern = pattern
        self.source = source
        self.regex = saferegex.compile(pattern) if regex and _compiles(pattern) else None
        self.is_regex = regex
        self.headers: list[HeaderAction] = []
        self.setenv: list[SetEnv] = []
        self.rewrite_engine: bool | None = None
        self.rewrite_rules: list[RewriteRule] = []
        self.redirects: list[tuple[str, str, str, str, Source]] = []   # (kind, status, from, to, source)
        self.require: list[Require] = []
        #: the section's Require lines as mod_authz_core evaluates them
        self.authz: AuthzSection | None = None
        #: every directive and section opening written here (lower-case name,
        #: line): what AllowOverride has to admit when this is an .htaccess
        self.directive_names: list[tuple[str, Source]] = []
        self.auth_type: tuple[str, Source] | None = None
        self.auth_name: str | None = None
        self.indexes: bool | None = None
        self.directory_index: list[str] | None = None
        self.directory_slash: bool | None = None
        self.allow_override: set[str] | None = None
        self.error_documents: dict[int, tuple[str, Source]] = {}
        self.ifs: list["Context"] = []            # <If>/<ElseIf>/<Else> chains, in order
        self.sections: list["Context"] = []       # nested sections (inside a vhost or server)

    def authz_root(self) -> AuthzSection:
        if self.authz is None:
            self.authz = AuthzSection("any", False, self.source)
        return self.authz

    @property
    def label(self) -> str:
        if self.kind in ("server", "vhost", "htaccess"):
            return self.kind
        name = {"directorymatch": "DirectoryMatch", "filesmatch": "FilesMatch",
                "locationmatch": "LocationMatch"}.get(self.kind, self.kind.capitalize())
        return f"<{name} {self.pattern}>"


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
        return True
    except re.error:
        return False


class VirtualHost:
    def __init__(self, context: Context, ports: list[int], source: Source):
        self.context = context
        self.ports = ports
        self.source = source
        self.names: list[str] = []
        self.document_root: tuple[str, Source] | None = None
        self.aliases: list[tuple[bool, str, str, Source]] = []          # (regex, from, to, source)
        self.proxies: list[tuple[bool, str, str | None, Source]] = []   # (regex, path, target or None for "!", source)


class ApacheConf:
    def __init__(self, path: str):
        self.path = path
        self.main = VirtualHost(Context("server", "", Source(path, 1)), [], Source(path, 1))
        self.vhosts: list[VirtualHost] = []
        #: the vhosts by port and name and their sections by path
        #: (sections.HostIndex), built at the first request
        self.host_index = None
        self.listen: list[int] = []
        self.htaccess_only = False
        #: (line, why) for directives httpd refuses at startup (or, in .htaccess, with a 500)
        self.rejected: list[tuple[Source, str]] = []
        #: environment variables `PassEnv` takes from the OS (unknown: apache/unknowns.py)
        self.passenv: set[str] = set()
        #: environment variables BrowserMatch/UnsetEnv name: set or cleared by the files, not outside them
        self.computed: set[str] = set()
        #: patterns PCRE2 refuses: httpd does not start (`apache2 -t`: Syntax
        #: error), an .htaccess holding one answers 500
        self.errors: list[InputError] = []

    def pattern(self, words: str, pattern: str, source: Source, ignore_case: bool = False) -> None:
        """A regex httpd compiles when it reads the configuration: an input
        error in httpd's words (and PCRE2's reason) when PCRE2 refuses it."""
        said = apache_message(words, pattern, ignore_case)
        if said is not None:
            self.errors.append(InputError(source.path, source.line, said))


def lower(directives: list[Directive], path: str, htaccess: bool = False, directory: str = "/") -> ApacheConf:
    """The configuration of one root file.  `htaccess=True` reads the file as
    the .htaccess of `directory` (a filesystem path): its directives form one
    "htaccess" section of the main server."""
    conf = ApacheConf(path)
    if htaccess:
        # an .htaccess file on its own: its directives are a directory's
        conf.htaccess_only = True
        context = Context("htaccess", directory, Source(path, 1))
        _fill(conf, conf.main, context, directives)
        conf.main.context.sections.append(context)
        return conf
    _fill(conf, conf.main, conf.main.context, directives)
    return conf


def _fill(conf: ApacheConf, host: VirtualHost, ctx: Context, directives: list[Directive],
          methods: frozenset | None = None, except_methods: frozenset | None = None,
          container: Source | None = None, authz: AuthzSection | None = None) -> None:
    for d in directives:
        name = d.name.lower()
        args = d.args
        source = Source(d.path, d.line)
        ctx.directive_names.append((name, source))
        if name == "<virtualhost" and host is conf.main:
            ports = [int(a.rsplit(":", 1)[1]) for a in args if ":" in a and a.rsplit(":", 1)[1].isdigit()] or [80]
            vhost = VirtualHost(Context("vhost", "", source), ports, source)
            conf.vhosts.append(vhost)
            _fill(conf, vhost, vhost.context, d.block or [])
        elif name in SECTION_KINDS:
            kind = SECTION_KINDS[name]
            pattern = args[-1] if args else ""
            regex = kind.endswith("match")
            if kind in ("directory", "files", "location") and args and args[0] == "~":
                kind, regex = kind + "match", True      # <Directory ~ re> is <DirectoryMatch re>
            if kind in ("if", "elseif"):
                pattern = " ".join(args)
                _expression_patterns(conf, pattern, source)
            elif regex:
                conf.pattern("Regex could not be compiled", pattern, source)
            section = Context(kind, pattern, source, regex)
            _fill(conf, host, section, d.block or [], methods, except_methods, container)
            (ctx.ifs if kind in ("if", "elseif", "else") else ctx.sections).append(section)
        elif name in ("<limit", "<limitexcept"):
            listed = frozenset(a.upper() for a in args)
            if name == "<limit":
                _fill(conf, host, ctx, d.block or [], listed, None, source, authz)
            else:
                _fill(conf, host, ctx, d.block or [], None, listed, source, authz)
        elif name in ("<requireany", "<requireall", "<requirenone"):
            node = AuthzSection("all" if name == "<requireall" else "any", name == "<requirenone", source)
            (authz or ctx.authz_root()).items.append(node)
            _fill(conf, host, ctx, d.block or [], methods, except_methods, container, node)
        elif name.startswith("<"):
            continue   # <Proxy>, <Macro> ...: not modelled
        else:
            _directive(conf, host, ctx, name, args, source, methods, except_methods, container, authz)


def _directive(conf, host, ctx, name, args, source, methods, except_methods, container=None, authz=None) -> None:
    if name == "header" and args:
        _header_edit_pattern(conf, args, source)
        action = _header(args, source)
        problem = format_error(action.value) if action is not None else None
        if problem:
            conf.rejected.append((source, problem))   # httpd would not load it: it sends nothing
        elif action is not None:
            ctx.headers.append(action)
    elif name in ("setenvif", "setenvifnocase") and len(args) >= 3:
        conf.pattern(f"{'SetEnvIfNoCase' if name == 'setenvifnocase' else 'SetEnvIf'} regex could not be compiled.",
                     args[1], source, name == "setenvifnocase")
        ctx.setenv.append(SetEnv(args[0], args[1], name == "setenvifnocase", _assignments(args[2:]), source))
    elif name == "setenvifexpr" and len(args) >= 2:
        ctx.setenv.append(SetEnv("", "", False, _assignments(args[1:]), source, expr=args[0]))
    elif name == "setenv" and args:
        ctx.setenv.append(SetEnv("", "", False, [(args[0], args[1] if len(args) > 1 else "")], source, expr="true",
                                 fixup=True))
    elif name == "passenv":
        conf.passenv.update(args)
    elif name in ("browsermatch", "browsermatchnocase", "unsetenv"):
        conf.computed.update(a.lstrip("!").partition("=")[0] for a in args[1 if name != "unsetenv" else 0:])
    elif name == "rewriteengine" and args:
        ctx.rewrite_engine = args[0].lower() == "on"
    elif name == "rewritecond" and len(args) >= 2:
        _rewrite_cond_pattern(conf, args, source)
        ctx.__dict__.setdefault("_pending_conds", []).append(
            (args[0], args[1], _bracket_flags(args[2]) if len(args) > 2 else {}, source))
    elif name == "rewriterule" and len(args) >= 2:
        conf.pattern(f"RewriteRule: cannot compile regular expression '{args[0][args[0].startswith('!'):]}'",
                     args[0][args[0].startswith("!"):], source)
        conds = ctx.__dict__.pop("_pending_conds", [])
        flags = _bracket_flags(args[2]) if len(args) > 2 else {}
        ctx.rewrite_rules.append(RewriteRule(args[0], args[1], flags, conds, source))
    elif name in ("redirect", "redirectmatch", "redirectpermanent", "redirecttemp") and args:
        status = "302"
        rest = list(args)
        if name == "redirectpermanent":
            status = "301"
        elif rest[0].lower() in ("permanent", "temp", "seeother", "gone") or rest[0].isdigit():
            status = {"permanent": "301", "temp": "302", "seeother": "303", "gone": "410"}.get(rest[0].lower(),
                                                                                              rest[0])
            rest = rest[1:]
        if rest:
            ctx.redirects.append(("match" if name == "redirectmatch" else "prefix", status, rest[0],
                                  rest[1] if len(rest) > 1 else "", source))
    elif name == "require" and args:
        require = Require([a for a in args], methods, except_methods, source, container)
        ctx.require.append(require)
        (authz or ctx.authz_root()).items.append(require)
    elif name == "authtype" and args:
        ctx.auth_type = (args[0], source)
    elif name == "authname" and args:
        ctx.auth_name = args[0]
    elif name == "options":
        for arg in args:
            if arg.lstrip("+-").lower() in ("indexes", "all"):
                ctx.indexes = not arg.startswith("-") and arg.lower() != "none"
            if arg.lower() == "none":
                ctx.indexes = False
    elif name == "directoryindex":
        ctx.directory_index = [a for a in args if a.lower() != "disabled"]
    elif name == "directoryslash" and args:
        ctx.directory_slash = args[0].lower() == "on"
    elif name == "allowoverride":
        ctx.allow_override = {a.lower() for a in args}
    elif name == "errordocument" and len(args) >= 2 and args[0].isdigit():
        ctx.error_documents[int(args[0])] = (args[1], source)
    elif name == "documentroot" and args:
        host.document_root = (args[0].rstrip("/") or "/", source)
    elif name in ("servername",) and args:
        host.names.insert(0, args[0].split("://")[-1].split(":")[0].lower())
    elif name == "serveralias":
        host.names.extend(a.lower() for a in args)
    elif name in ("alias", "aliasmatch", "scriptalias") and len(args) >= 2:
        host.aliases.append((name == "aliasmatch", args[0], args[1], source))
    elif name in ("proxypass", "proxypassmatch") and args and ctx.kind in ("server", "vhost"):
        target = args[1] if len(args) > 1 else None
        host.proxies.append((name == "proxypassmatch", args[0], None if target == "!" else target, source))
    elif name in ("proxypass", "proxypassmatch") and args and ctx.kind in ("location", "locationmatch"):
        target = args[0]
        host.proxies.append((ctx.is_regex, ctx.pattern, None if target == "!" else target, source))
    elif name == "listen" and args:
        port = args[0].rsplit(":", 1)[-1]
        if port.isdigit():
            conf.listen.append(int(port))


#: RewriteCond CondPatterns that are comparisons or file tests, not regexes (mod_rewrite)
_COND_TESTS = frozenset({"-d", "-f", "-F", "-h", "-H", "-l", "-L", "-s", "-U", "-x",
                         "-eq", "-ge", "-gt", "-le", "-lt", "-ne"})


def _rewrite_cond_pattern(conf: ApacheConf, args: list[str], source: Source) -> None:
    """RewriteCond's CondPattern, when it is a regex (`!` negates it; `<`, `>`,
    `=` and the `-` tests are no regex, nor the condition of `RewriteCond expr`)."""
    pattern = args[1][args[1].startswith("!"):]
    if args[0] == "expr" or pattern[:1] in ("<", ">", "=") or pattern in _COND_TESTS:
        return
    flags = _bracket_flags(args[2]) if len(args) > 2 else {}
    conf.pattern(f"RewriteCond: cannot compile regular expression '{pattern}'", pattern, source,
                 "NC" in flags)


def _header_edit_pattern(conf: ApacheConf, args: list[str], source: Source) -> None:
    """`Header [always|onsuccess] edit[*] Name regex replacement`: the regex."""
    rest = args[1:] if args[0].lower() in ("always", "onsuccess") else args
    if len(rest) >= 4 and rest[0].lower() in ("edit", "edit*"):
        conf.pattern("Header edit regex could not be compiled", rest[2], source)


def _expression_patterns(conf: ApacheConf, text: str, source: Source) -> None:
    """The `=~`/`!~` regexes of an `<If>`/`<ElseIf>` expression, as ap_expr
    reads them; an expression corslint cannot read is not judged."""
    if "~" not in text:
        return
    from .expr import Unknown, tokenize

    try:
        tokens = tokenize(text)
    except Unknown:
        return
    for kind, value in tokens:
        if kind == "regex":
            flags, _, body = value.partition(":")
            conf.pattern("Cannot parse condition clause: Failed to compile regular expression", body, source,
                         "i" in flags)


def _header(args: list[str], source: Source) -> HeaderAction | None:
    rest = list(args)
    always = False
    if rest and rest[0].lower() in ("always", "onsuccess"):
        always = rest.pop(0).lower() == "always"
    if not rest:
        return None
    action = rest.pop(0).lower()
    if not rest:
        return None
    name = rest.pop(0).split(":", 1)[0]   # mod_headers cuts the name at a colon: `Header set X-A: v` sets X-A
    early = False
    condition = None
    if rest and rest[-1].lower() == "early":
        early = True
        rest.pop()
    if rest and (rest[-1].startswith("env=") or rest[-1].startswith("expr=")) and not (
            action in ("set", "append", "add", "merge", "setifempty") and len(rest) == 1):
        cond = rest.pop()
        if cond.startswith("env=!"):
            condition = ("!env", cond[5:])
        elif cond.startswith("env="):
            condition = ("env", cond[4:])
        else:
            condition = ("expr", cond[5:])
    value = rest[0] if rest else None
    replacement = rest[1] if len(rest) > 1 else None
    return HeaderAction(always, action, name, value, replacement, condition, source, early)


_FORMAT = re.compile(r"%(?:\{[^}]*\}([a-zA-Z])?|(.)|$)")
#: mod_headers' format specifiers: %% %t %D %l %i %b, and %{NAME}e / %{NAME}s
_PLAIN_FORMATS = set("%tDlib")
_NAMED_FORMATS = set("estDlib")   # `%{X}i` is `%i`: httpd ignores the name


def format_error(value: str | None) -> str | None:
    """Why httpd refuses a Header value, or None: mod_headers rejects any
    `%` it does not know ("Unrecognized header format %")."""
    if not value or value.startswith("expr=") or "%" not in value:
        return None
    for m in _FORMAT.finditer(value):
        text = m.group(0)
        if text.startswith("%{"):
            if m.group(1) is None or m.group(1) not in _NAMED_FORMATS:
                return (f"httpd refuses `{text}` in a Header value (\"Unrecognized header format %\"): "
                        f"mod_headers reads %{{NAME}}e or %{{NAME}}s; use \"expr=%{{req:Origin}}\" for a request header")
        elif m.group(2) is None or m.group(2) not in _PLAIN_FORMATS:
            return f"httpd refuses `{text}` in a Header value (\"Unrecognized header format %\")"
    return None


def _assignments(items: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for item in items:
        if item.startswith("!"):
            out.append((item[1:], None))
        else:
            key, sep, value = item.partition("=")
            out.append((key, value if sep else "1"))
    return out


def _bracket_flags(text: str) -> dict:
    flags: dict = {}
    for flag in text.strip("[]").split(","):
        key, sep, value = flag.strip().partition("=")
        key = key.upper()
        key = {"REDIRECT": "R", "LAST": "L", "FORBIDDEN": "F", "GONE": "G", "NOCASE": "NC", "ENV": "E",
               "PROXY": "P", "CHAIN": "C", "ORNEXT": "OR", "PASSTHROUGH": "PT", "NOESCAPE": "NE"}.get(key, key)
        if key == "E":
            flags.setdefault("E", []).append(value)
        else:
            flags[key] = value if sep else True
    return flags
