"""Lower an nginx directive tree into configuration levels.

A *level* is what nginx calls a configuration context after merging:
`http`, `server`, `location`, the `if` block inside a location and the
`limit_except` block.  Each level keeps only what decides a CORS answer
(headers, rewrite-phase code, access, content handler, error pages); the
`effective_*` helpers apply nginx's inheritance rules, which differ per
directive family.
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import cached_property

from ..diagnostics import InputError
from ..directive import Directive
from ..model import Source
from ..pcre import nginx_message
from ..regexes import compile_pcre
from .variables import GeoBlock, MapBlock

PROXY_MODULES = ("proxy", "fastcgi", "uwsgi", "scgi", "grpc")
CONTENT_HANDLERS = {f"{m}_pass" for m in PROXY_MODULES} | {"memcached_pass"}
#: statuses for which `add_header` is sent without `always` (ngx_http_headers_filter)
ADD_HEADER_STATUSES = frozenset({200, 201, 204, 206, 301, 302, 303, 304, 307, 308})
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "OPTIONS",
                "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH")
#: upstream headers nginx hides unless proxy_pass_header names them
DEFAULT_HIDDEN = frozenset({"date", "server", "x-pad", "x-accel-expires", "x-accel-redirect",
                            "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"})
#: the extension -> MIME type table nginx has without any `types` directive
DEFAULT_TYPES = {"html": "text/html", "gif": "image/gif", "jpg": "image/jpeg"}
#: the common part of the `mime.types` file nginx ships: used when a config
#: includes `mime.types` from a folder that is not on this machine
STANDARD_TYPES = {ext: mime for mime, exts in (
    ("text/html", "html htm shtml"), ("text/css", "css"), ("text/xml", "xml"), ("image/gif", "gif"),
    ("image/jpeg", "jpeg jpg"), ("application/javascript", "js"), ("application/atom+xml", "atom"),
    ("application/rss+xml", "rss"), ("text/plain", "txt"), ("image/avif", "avif"), ("image/png", "png"),
    ("image/svg+xml", "svg svgz"), ("image/tiff", "tif tiff"), ("image/webp", "webp"), ("image/x-icon", "ico"),
    ("image/x-ms-bmp", "bmp"), ("font/woff", "woff"), ("font/woff2", "woff2"), ("application/json", "json"),
    ("application/pdf", "pdf"), ("application/vnd.ms-fontobject", "eot"), ("application/wasm", "wasm"),
    ("application/xhtml+xml", "xhtml"), ("application/zip", "zip"), ("application/octet-stream", "bin exe dll"),
    ("audio/mpeg", "mp3"), ("audio/ogg", "ogg"), ("video/mp4", "mp4"), ("video/webm", "webm"),
) for ext in exts.split()}


# Named records of what the lowering keeps (plain namedtuples: no instance
# dict, tuples in memory, and fields read by name)
#: a directive's value as lowered (`auth_basic "realm"`, `gzip on`, `default_type`;
#: True/False for `proxy_intercept_errors`) and its line
Setting = namedtuple("Setting", "value source")
#: a header name a directive names (`proxy_hide_header`, a header headers-more clears), lower-cased
HeaderName = namedtuple("HeaderName", "name source")
#: `allow ADDRESS` or `deny ADDRESS` (action "allow" or "deny")
AccessRule = namedtuple("AccessRule", "action address source")
#: a content handler: `proxy_pass TARGET` and friends, or "unknown" for a
#: snippet whose surroundings produce the response
ContentHandler = namedtuple("ContentHandler", "directive target source")
#: `root PATH` or `alias PATH` (alias True)
Root = namedtuple("Root", "path alias source")
#: `try_files candidate... fallback`
TryFiles = namedtuple("TryFiles", "args source")
#: `error_page CODE... [=[OVERRIDE]] TARGET`: override None without `=`, "" for a bare `=`
ErrorPage = namedtuple("ErrorPage", "codes override target source")
#: `limit_except METHOD... { inner }`: the methods it lets through (HEAD with
#: GET) and the level that applies to every other method
LimitExcept = namedtuple("LimitExcept", "methods inner source")
#: a `listen` port and whether it is the default server's
Listen = namedtuple("Listen", "port default")
#: rewrite-phase code, told apart by type: `set $name value`, `return code
#: [text]` (`return URL` is code 302), `break`, `if (args) { inner }`,
#: `rewrite pattern replacement [flag]`
SetOp = namedtuple("SetOp", "name value source")
ReturnOp = namedtuple("ReturnOp", "code text source")
BreakOp = namedtuple("BreakOp", "source")
IfOp = namedtuple("IfOp", "args inner source")
RewriteOp = namedtuple("RewriteOp", "pattern replacement flag source")


class AddHeader:
    __slots__ = ("name", "value", "always", "source")

    def __init__(self, name: str, value: str, always: bool, source: Source):
        self.name = name
        self.value = value
        self.always = always
        self.source = source


class MoreHeader:
    """A `more_set_headers` / `more_clear_headers` entry (headers-more)."""

    __slots__ = ("name", "value", "statuses", "clear", "source", "types")

    def __init__(self, name: str, value: str | None, statuses: frozenset[int] | None, clear: bool, source: Source,
                 types: frozenset[str] | None = None):
        self.name = name
        self.value = value
        self.statuses = statuses
        self.clear = clear
        self.source = source
        #: `-t` content types: applies only when the response's Content-Type is one of them, exactly
        self.types = types


class Level:
    """One configuration context; values set here or inherited from `parent`."""

    #: a large configuration has tens of thousands of levels: slots save a dict
    #: each (Location and Server keep a __dict__ for their own fields and caches)
    __slots__ = ("kind", "parent", "source", "add_headers", "more_headers", "hide_headers", "pass_headers",
                 "intercept_errors", "ops", "access", "auth_basic", "auth_request", "satisfy", "handler",
                 "root", "try_files", "index", "error_pages", "internal", "limit_except", "locations",
                 "unknown_include", "types", "default_type", "gzip", "gzip_vary", "gzip_types",
                 "gzip_min_length", "autoindex", "_memo", "_inherited")

    def __init__(self, kind: str, parent: "Level | None", source: Source):
        self.kind = kind
        self.parent = parent
        self.source = source
        self.add_headers: list[AddHeader] = []
        self.more_headers: list[MoreHeader] = []
        self.hide_headers: dict[str, list[HeaderName]] = {}
        self.pass_headers: dict[str, list[HeaderName]] = {}
        #: proxy_intercept_errors and friends, per module (value True for on)
        self.intercept_errors: dict[str, Setting] = {}
        #: rewrite-phase code, in order: SetOp, ReturnOp, BreakOp, IfOp, RewriteOp (told apart by type)
        self.ops: list[SetOp | ReturnOp | BreakOp | IfOp | RewriteOp] = []
        self.access: list[AccessRule] = []
        self.auth_basic: Setting | None = None
        self.auth_request: Setting | None = None
        self.satisfy: str | None = None
        self.handler: ContentHandler | None = None
        self.root: Root | None = None
        self.try_files: TryFiles | None = None
        self.index: list[str] | None = None
        self.error_pages: list[ErrorPage] = []
        self.internal = False
        self.limit_except: LimitExcept | None = None
        self.locations: list["Location"] = []
        self.unknown_include = False
        #: `types {}` (extension -> MIME type); None when this level has none
        self.types: dict[str, str] | None = None
        self.default_type: Setting | None = None
        #: gzip, gzip_vary: "on"|"off"; gzip_types: MIME types; gzip_min_length: bytes
        self.gzip: Setting | None = None
        self.gzip_vary: Setting | None = None
        self.gzip_types: list[str] | None = None
        self.gzip_min_length: int | None = None
        #: autoindex: "on"|"off"
        self.autoindex: Setting | None = None
        self._memo: dict = {}
        self._inherited: dict = {}

    # -- inheritance -------------------------------------------------------
    def chain(self):
        level = self
        while level is not None:
            yield level
            level = level.parent

    def chain_has_unknown_include(self) -> bool:
        return bool(self.inherited("unknown_include"))

    def effective_add_headers(self) -> list[AddHeader]:
        """nginx: a level with any add_header uses only its own lines."""
        for level in self.chain():
            if level.add_headers:
                return level.add_headers
        return []

    def add_header_owner(self) -> "Level | None":
        key = "add_header_owner"
        if key not in self._memo:
            self._memo[key] = next((level for level in self.chain() if level.add_headers), None)
        return self._memo[key]

    def effective_more_headers(self) -> list[MoreHeader]:
        """headers-more: outer levels' directives apply too, outermost first."""
        key = "more_headers"
        if key not in self._memo:
            out: list[MoreHeader] = []
            for level in reversed(list(self.chain())):
                out.extend(level.more_headers)
            self._memo[key] = out
        return self._memo[key]

    def effective_hidden(self, module: str) -> tuple[list[HeaderName], list[HeaderName]]:
        """(hidden, passed) upstream header names for a proxy module: like
        add_header, a level with its own list replaces the inherited one."""
        hidden: list[HeaderName] = []
        passed: list[HeaderName] = []
        for level in self.chain():
            if module in level.hide_headers:
                hidden = level.hide_headers[module]
                break
        for level in self.chain():
            if module in level.pass_headers:
                passed = level.pass_headers[module]
                break
        return hidden, passed

    def inherited(self, attr: str):
        """The nearest level's non-empty value (memoized: levels do not
        change once lowered, and every request asks again; a level's own
        value, else its parent's memoized one)."""
        try:
            return self._inherited[attr]
        except KeyError:
            value = getattr(self, attr) or (self.parent.inherited(attr) if self.parent is not None else None)
            self._inherited[attr] = value
            return value

    def intercepts_errors(self, module: str) -> Setting | None:
        """`proxy_intercept_errors` (or fastcgi_..., ...) in force here."""
        return next((lv.intercept_errors[module] for lv in self.chain() if module in lv.intercept_errors), None)

    def inherited_set(self, attr: str):
        """Like `inherited`, for values that may be set and empty (`types {}`)."""
        return next((getattr(lv, attr) for lv in self.chain() if getattr(lv, attr) is not None), None)

    def effective_access(self) -> list[AccessRule]:
        return self.inherited("access") or []

    def effective_error_pages(self) -> list[ErrorPage]:
        return self.inherited("error_pages") or []

    def location(self) -> "Location | None":
        for level in self.chain():
            if isinstance(level, Location):
                return level
        return None

    def server(self) -> "Server | None":
        for level in self.chain():
            if isinstance(level, Server):
                return level
        return None


class Location(Level):
    def __init__(self, parent: Level, modifier: str, pattern: str, source: Source):
        super().__init__("location", parent, source)
        self.modifier = modifier          # "", "=", "^~", "~", "~*", "@"
        self.pattern = pattern

    @cached_property
    def regex(self) -> re.Pattern | None:
        """The compiled regex of a `~`/`~*` location (None otherwise, or when
        Python cannot compile it); compiled when first matched, so a large
        configuration judged in shares compiles each one in one process."""
        return compile_pcre(self.pattern, self.modifier == "~*") if self.modifier in ("~", "~*") else None

    @cached_property
    def internal_in_chain(self) -> bool:
        """`internal` here or on an enclosing location (ngx_conf_merge_value:
        nested locations inherit it)."""
        return any(lv.internal for lv in self.chain() if isinstance(lv, Location))

    @cached_property
    def capturing(self) -> "Location | None":
        """The deepest regex location of the chain: its match sets $1.. and
        the named captures for a request answered here."""
        return next((lv for lv in self.chain() if isinstance(lv, Location) and lv.regex is not None), None)

    @property
    def label(self) -> str:
        return f"location {self.modifier + ' ' if self.modifier else ''}{self.pattern}"

    @property
    def auto_redirect(self) -> bool:
        """nginx redirects `/api` to `/api/` for a prefix location with a proxy handler."""
        return (self.modifier in ("", "^~") and self.pattern.endswith("/") and self.handler is not None)


class Server(Level):
    def __init__(self, parent: Level, source: Source, implicit: bool = False):
        super().__init__("server", parent, source)
        self.listen: list[Listen] = []
        self.ssl_ports: set[int] = set()
        self.names: list[str] = []
        self.implicit = implicit

    @property
    def label(self) -> str:
        if self.implicit:
            return "server"
        return f"server {self.names[0]}" if self.names else "server"


class HttpConf:
    """Everything lowered from one root file."""

    def __init__(self, source: Source):
        self.http = Level("http", None, source)
        self.servers: list[Server] = []
        self.maps: dict[str, MapBlock] = {}
        self.snippet = False
        #: every variable some `set` declares: nginx knows it everywhere, and
        #: where no `set` ran it is empty (not unknown)
        self.declared: set[str] = set()
        #: the arguments of every `if` (nginx/unknowns.py looks for variables set outside the files)
        self.tested: list[list[str]] = []
        #: variables `geo`, `split_clients`, `perl_set`... define: they exist, with a value the model does not compute
        self.computed: set[str] = set()
        #: patterns PCRE2 refuses: nginx does not start (`nginx -t` names each)
        self.errors: list[InputError] = []

    def pattern(self, pattern: str, ignore_case: bool, d: Directive) -> None:
        """A regex nginx compiles when it loads the configuration: an input
        error in nginx's words when PCRE2 refuses it."""
        said = nginx_message(pattern, ignore_case)
        if said is not None:
            self.errors.append(InputError(d.path, d.line, said))


def lower(directives: list[Directive], path: str) -> HttpConf:
    root_source = Source(path, 1)
    conf = HttpConf(root_source)
    names = {d.name for d in directives}
    if "http" in names:
        for d in directives:
            if d.name == "http" and d.block is not None:
                _lower_block(conf, conf.http, d.block)
    elif names & {"server", "map", "upstream"} and not names & {"location", "add_header", "return"}:
        _lower_block(conf, conf.http, directives)
    else:
        # a snippet meant for a server or location: lint it inside an
        # implicit server whose own content handler is unknown
        conf.snippet = True
        server = Server(conf.http, root_source, implicit=True)
        conf.servers.append(server)
        if "location" in names:
            _lower_block(conf, server, directives)
        else:
            loc = Location(server, "", "/", root_source)
            loc.handler = ContentHandler("unknown", "", root_source)
            server.locations.append(loc)
            _lower_block(conf, loc, directives)
    return conf


def _lower_block(conf: HttpConf, level: Level, block: list[Directive]) -> None:
    for d in block:
        handler = _HANDLERS.get(d.name)
        if handler is not None:
            handler(conf, level, d)
        elif d.name in CONTENT_HANDLERS and level.kind in ("location", "if"):
            level.handler = ContentHandler(d.name, d.args[0] if d.args else "", d.source)
        elif d.name.endswith("_hide_header") and d.name[:-12] in PROXY_MODULES and d.args:
            level.hide_headers.setdefault(d.name[:-12], []).append(HeaderName(d.args[0].lower(), d.source))
        elif d.name.endswith("_pass_header") and d.name[:-12] in PROXY_MODULES and d.args:
            level.pass_headers.setdefault(d.name[:-12], []).append(HeaderName(d.args[0].lower(), d.source))
        elif d.name.endswith("_intercept_errors") and d.name[:-17] in PROXY_MODULES and d.args:
            level.intercept_errors[d.name[:-17]] = Setting(d.args[0].lower() == "on", d.source)


def _server(conf: HttpConf, level: Level, d: Directive) -> None:
    if level.kind != "http" or d.block is None:
        return
    server = Server(level, d.source)
    conf.servers.append(server)
    _lower_block(conf, server, d.block)
    if not server.listen:
        server.listen.append(Listen(80, False))


def _listen(conf: HttpConf, level: Level, d: Directive) -> None:
    if not isinstance(level, Server) or not d.args:
        return
    addr = d.args[0]
    if addr.startswith("unix:"):
        return
    port_text = addr.rsplit(":", 1)[-1] if (":" in addr and not addr.endswith("]")) else addr
    if "]" in addr and not addr.endswith("]"):
        port_text = addr.rsplit("]:", 1)[-1]
    port = int(port_text) if port_text.isdigit() else 80
    server_default = "default_server" in d.args or "default" in d.args
    level.listen.append(Listen(port, server_default))
    if "ssl" in d.args[1:]:
        level.ssl_ports.add(port)


def _server_name(conf: HttpConf, level: Level, d: Directive) -> None:
    for name in d.args:
        if name.startswith("~"):
            conf.pattern(name[1:], True, d)   # server names are matched caseless
    if isinstance(level, Server):
        level.names.extend(a.lower() if not a.startswith("~") else a for a in d.args)


def _location(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.block is None or not d.args or level.kind not in ("server", "location"):
        return
    if len(d.args) >= 2:
        modifier, pattern = d.args[0], d.args[1]
    else:
        arg = d.args[0]
        modifier, pattern = "", arg
        for mod in ("=", "^~", "~*", "~"):
            if arg.startswith(mod) and len(arg) > len(mod):
                modifier, pattern = mod, arg[len(mod):]
                break
        if arg.startswith("@"):
            modifier, pattern = "@", arg
    if modifier in ("~", "~*"):
        conf.pattern(pattern, modifier == "~*", d)
    loc = Location(level, modifier, pattern, d.source)
    level.locations.append(loc)
    _lower_block(conf, loc, d.block)


def _add_header(conf: HttpConf, level: Level, d: Directive) -> None:
    if len(d.args) >= 2:
        level.add_headers.append(AddHeader(d.args[0], d.args[1], "always" in d.args[2:], d.source))


def _more_headers(conf: HttpConf, level: Level, d: Directive) -> None:
    statuses: set[int] | None = None
    types: set[str] | None = None
    clear = d.name == "more_clear_headers"
    args = list(d.args)
    items = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-s", "-t") and i + 1 < len(args):
            if arg == "-s":
                statuses = (statuses or set()) | {int(x) for x in args[i + 1].split() if x.isdigit()}
            else:
                types = (types or set()) | set(args[i + 1].split())
            i += 2
            continue
        items.append(arg)
        i += 1
    only_types = frozenset(types) if types else None
    for item in items:
        if clear:
            level.more_headers.append(MoreHeader(item.strip(), None, frozenset(statuses) if statuses else None,
                                                 True, d.source, only_types))
        else:
            name, _, value = item.partition(":")
            level.more_headers.append(MoreHeader(name.strip(), value.strip() if _ else None,
                                                 frozenset(statuses) if statuses else None, not _ or not value.strip(),
                                                 d.source, only_types))


def _if(conf: HttpConf, level: Level, d: Directive) -> None:
    if len(d.args) == 3 and d.args[1] in ("~", "~*", "!~", "!~*"):
        conf.pattern(d.args[2], "*" in d.args[1], d)
    if d.block is None or level.kind not in ("server", "location"):
        return
    inner = Level("if", level, d.source)
    _lower_block(conf, inner, d.block)
    op = IfOp(list(d.args), inner, d.source)   # crossplane already drops the ( )
    level.ops.append(op)
    conf.tested.append(op.args)


def _set(conf: HttpConf, level: Level, d: Directive) -> None:
    if len(d.args) >= 2:
        conf.declared.add(d.args[0].lstrip("$"))
    if len(d.args) >= 2 and level.kind in ("server", "location", "if"):
        level.ops.append(SetOp(d.args[0].lstrip("$"), d.args[1], d.source))


def _return(conf: HttpConf, level: Level, d: Directive) -> None:
    if not d.args or level.kind not in ("server", "location", "if"):
        return
    first = d.args[0]
    if first.isdigit():
        level.ops.append(ReturnOp(int(first), d.args[1] if len(d.args) > 1 else "", d.source))
    else:
        level.ops.append(ReturnOp(302, first, d.source))


def _rewrite(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        conf.pattern(d.args[0], False, d)
    if len(d.args) >= 2 and level.kind in ("server", "location", "if"):
        flag = d.args[2] if len(d.args) > 2 else ""
        level.ops.append(RewriteOp(d.args[0], d.args[1], flag, d.source))


def _break(conf: HttpConf, level: Level, d: Directive) -> None:
    if level.kind in ("server", "location", "if"):
        level.ops.append(BreakOp(d.source))


def _access(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.access.append(AccessRule(d.name, d.args[0], d.source))


def _auth_basic(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.auth_basic = Setting(d.args[0], d.source)


def _auth_request(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.auth_request = Setting(d.args[0], d.source)


def _satisfy(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.satisfy = d.args[0].lower()


def _root(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.root = Root(d.args[0], d.name == "alias", d.source)


def _try_files(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.try_files = TryFiles(list(d.args), d.source)


def _index(conf: HttpConf, level: Level, d: Directive) -> None:
    level.index = list(d.args)


def _error_page(conf: HttpConf, level: Level, d: Directive) -> None:
    args = list(d.args)
    if len(args) < 2:
        return
    target = args.pop()
    override: str | None = None
    if args and args[-1].startswith("="):
        override = args.pop()[1:]
    codes = frozenset(int(a) for a in args if a.isdigit())
    level.error_pages.append(ErrorPage(codes, override, target, d.source))


def _include(conf: HttpConf, level: Level, d: Directive) -> None:
    """Only unreadable includes are left in the tree (parse.py splices the rest).
    An unreadable `mime.types` is nginx's standard table: it is known."""
    if d.args and d.args[0].rsplit("/", 1)[-1] == "mime.types":
        level.types = dict(STANDARD_TYPES)
        return
    level.unknown_include = True


def _types(conf: HttpConf, level: Level, d: Directive) -> None:
    """`types { mime ext...; }`: a later extension replaces an earlier one."""
    if d.block is None:
        return
    table = dict(level.types or {})
    for entry in d.block:
        for ext in entry.args:
            table[ext.lower()] = entry.name.lower()
    level.types = table


def _default_type(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.default_type = Setting(d.args[0].lower(), d.source)


def _gzip_flag(conf: HttpConf, level: Level, d: Directive) -> None:
    """gzip, gzip_vary, autoindex: an on/off flag kept with its line."""
    if d.args:
        setattr(level, d.name, Setting(d.args[0].lower(), d.source))


def _gzip_types(conf: HttpConf, level: Level, d: Directive) -> None:
    level.gzip_types = [a.lower() for a in d.args]


def _gzip_min_length(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.args:
        level.gzip_min_length = _size(d.args[0])


def _size(text: str) -> int | None:
    """nginx size syntax: 1024, 1k, 2m."""
    text = text.strip().lower()
    scale = {"k": 1024, "m": 1024 * 1024, "g": 1024 ** 3}.get(text[-1:], 1)
    digits = text[:-1] if scale != 1 else text
    return int(digits) * scale if digits.isdigit() else None


def _internal(conf: HttpConf, level: Level, d: Directive) -> None:
    level.internal = True


def _limit_except(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.block is None or level.kind != "location":
        return
    methods = {a.upper() for a in d.args}
    if "GET" in methods:
        methods.add("HEAD")
    inner = Level("limit_except", level, d.source)
    _lower_block(conf, inner, d.block)
    level.limit_except = LimitExcept(frozenset(methods), inner, d.source)


def _map(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.block is None or len(d.args) < 2:
        return
    block = MapBlock(d.args[0], d.args[1].lstrip("$"), d.source)
    for entry in d.block:
        if entry.name == "hostnames":
            block.hostnames = True
        elif entry.name == "volatile":
            block.volatile = True
        elif entry.args:
            if entry.name.startswith("~"):
                conf.pattern(entry.name[2:] if entry.name.startswith("~*") else entry.name[1:],
                             entry.name.startswith("~*"), entry)
            block.add(entry.name, entry.args[0], entry.source)
    conf.maps[block.variable] = block


def _defines(conf: HttpConf, level: Level, d: Directive) -> None:
    """A directive that defines a variable the model does not evaluate (nginx/unknowns.py: DEFINING)."""
    from .unknowns import DEFINING

    index = DEFINING[d.name]
    names = [e.name for e in d.block or () if e.name.startswith("$")] if index is None else d.args[index:][:1]
    conf.computed.update(name.lstrip("$") for name in names)


def _geo(conf: HttpConf, level: Level, d: Directive) -> None:
    if d.block is None or not d.args or len(d.args) > 2:
        return
    source, variable = (d.args[0], d.args[1]) if len(d.args) == 2 else ("$remote_addr", d.args[0])
    block = GeoBlock(source, variable.lstrip("$"), d.source)
    for entry in d.block:
        if entry.name == "ranges":
            block.ranges = True
        elif entry.name in ("include", "proxy", "proxy_recursive", "delete"):
            block.unknown = True   # networks from elsewhere, or an address taken from X-Forwarded-For
        elif entry.args:
            block.add(entry.name, entry.args[0], entry.source)
    conf.maps[block.variable] = block


_HANDLERS = {
    "server": _server,
    "listen": _listen,
    "server_name": _server_name,
    "location": _location,
    "add_header": _add_header,
    "more_set_headers": _more_headers,
    "more_clear_headers": _more_headers,
    "if": _if,
    "set": _set,
    "return": _return,
    "rewrite": _rewrite,
    "break": _break,
    "allow": _access,
    "deny": _access,
    "auth_basic": _auth_basic,
    "auth_request": _auth_request,
    "satisfy": _satisfy,
    "root": _root,
    "alias": _root,
    "try_files": _try_files,
    "index": _index,
    "error_page": _error_page,
    "internal": _internal,
    "include": _include,
    "limit_except": _limit_except,
    "map": _map,
    "geo": _geo,
    "types": _types,
    "default_type": _default_type,
    "gzip": _gzip_flag,
    "gzip_vary": _gzip_flag,
    "gzip_types": _gzip_types,
    "gzip_min_length": _gzip_min_length,
    "autoindex": _gzip_flag,
    **dict.fromkeys(("split_clients", "perl_set", "js_set", "auth_request_set", "set_by_lua",
                     "set_by_lua_block", "set_by_lua_file", "geoip2"), _defines),
}
