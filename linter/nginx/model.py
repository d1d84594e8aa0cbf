"""The nginx server model: parsed, lowered, and ready to answer requests."""

from __future__ import annotations

from ..backend import FileOracle, Upstream
from ..configmodel import ConfigModel
from ..cors import ACAO, ACEH, CORS_HEADERS, CORS_PREFIX, MAX_AGE
from ..model import Answer, DroppedHeaders, OriginPattern, Request, Scope, Source, valid_authority
from ..regexes import example_for
from .conf import HeaderName, HttpConf, IfOp, Level, Location, ReturnOp, Server, SetOp, lower
from .evaluate import Evaluation
from .match import find_location, select_server
from .parse import parse
from .variables import variables_in

_ORIGIN_VAR = "http_origin"


class NginxModel(ConfigModel):
    """An nginx configuration: its servers, answering as nginx does."""

    conf: HttpConf
    shares_independent = True   # a probe selects exactly one server: servers are the shares
    #: which share `_scopes` holds
    _scopes_share: tuple[int, int] | None = None

    # -- answering ---------------------------------------------------------------
    def evaluate(self, request: Request, upstream: Upstream, files: FileOracle, client_addr: str | None) -> Answer:
        evaluation = Evaluation(self.conf, request, upstream, files, client_addr)
        answer = evaluation.run()
        # nginx reads a request header only through its $http_ variable
        answer.reads_origin = evaluation.vars is not None and evaluation.vars.origin_read
        return answer

    # -- scopes --------------------------------------------------------------------
    def scopes(self) -> list[Scope]:
        if self._scopes is None or self._scopes_share != self.share:
            self._scopes_share = self.share
            self._scopes = [scope for server in self.servers() for scope in self._server_scopes(server)]
        return self._scopes

    def _server_scopes(self, server: Server) -> list[Scope]:
        address = self._address_of(server)
        if address is None:
            return []    # no Host and port select this server: nginx never uses it
        scheme, host, port = address
        default_port = 443 if scheme == "https" else 80
        base = f"{scheme}://{host}" + ("" if port == default_port else f":{port}")
        error_pages = {page.target for level in _levels(server) for page in level.error_pages}
        out = []
        locations = list(_walk(server))
        for loc in locations:
            internal = any(lv.internal for lv in loc.chain() if isinstance(lv, Location))   # inherited
            if loc.modifier == "@" or internal or (loc.modifier == "=" and loc.pattern in error_pages):
                continue   # reached only internally (error pages, try_files fallbacks)
            path = self._path_for(server, loc)
            if path is None:
                continue
            out.append(self._scope(server, loc, loc.label, base + path))
        if not locations:
            out.append(self._scope(server, server, server.label, base + "/"))
        return out

    def _address_of(self, server: Server) -> tuple[str, str, int] | None:
        """A scheme, Host and port that make nginx select this server."""
        hosts = [n for n in server.names if n and n != "_" and not n.startswith(("~", "*", ".")) and "*" not in n]
        for name in server.names:
            if name.startswith("*."):
                hosts.append("a" + name[1:])
            elif name.startswith("."):
                hosts.append(name[1:])
            elif name.endswith(".*"):
                hosts.append(name[:-1] + "example")
            elif name.startswith("~"):
                hosts.extend(h.strip("^$") for h in example_for(name[1:]) if h and "/" not in h)
        hosts.append("localhost")
        ports = [listen.port for listen in server.listen] or [80]
        for port in ports:
            for host in hosts:
                if not valid_authority(host, port):
                    continue     # `server_name [x` or `listen 99999` in a broken file: no URL reaches it
                if select_server(self.conf, host, port) is server:
                    scheme = "https" if port in server.ssl_ports or port == 443 else "http"
                    return scheme, host, port
        return None

    def _path_for(self, server: Server, loc: Location) -> str | None:
        if loc.modifier in ("=", "", "^~"):
            candidates = [loc.pattern] if loc.pattern.startswith("/") else []
        else:
            candidates = []
            for example in example_for(loc.pattern):
                if example.startswith("/"):
                    candidates.append(example)
                elif example.startswith("."):
                    candidates += ["/a" + example, "/" + example]   # `\.woff$` -> /a.woff
                else:
                    candidates.append("/" + example)
        if _serves_files_only(loc):
            # `try_files $uri =404` answers a directory URL with a 404 (or its
            # fallback): what browsers fetch here are the files in it
            candidates = [c2 for c in candidates for c2 in ((c + "index.html", c) if c.endswith("/") else (c,))]
        for path in candidates:
            if find_location(server, path) is loc:
                return path
        return None

    def _scope(self, server: Server, level: Level, name: str, url: str) -> Scope:
        handler = level.handler if isinstance(level, Location) else None
        methods: tuple[str, ...] = ()
        if isinstance(level, Location) and level.limit_except is not None:
            methods = tuple(sorted(level.limit_except.methods - {"HEAD"}))
        patterns, literals, entries, sensitive = self._origin_facts(server, level)
        authenticates = bool(_auth(level))
        return Scope(name=name if server.implicit else f"{server.label} {name}".strip(), url=url,
                     source=level.source,
                     proxied=handler is not None and handler.directive != "unknown",
                     static=handler is None and not _returns_everything(level),
                     authenticates=authenticates, served_methods=methods,
                     origin_patterns=tuple(patterns), literal_origins=tuple(literals), origin_entries=tuple(entries),
                     origin_sensitive=sensitive, emits_cors=_emits_cors(level))

    def _origin_facts(self, server: Server, level: Level) \
            -> tuple[list[OriginPattern], list[str], list[tuple[str, Source]], bool]:
        """Origin regexes and literal origins that can decide this scope's
        answer, the allow-list entries among the literals (`if ($http_origin
        = ...)`, map keys that map to a value) with their lines, and whether
        anything here reads the request's Origin."""
        patterns: list[OriginPattern] = []
        literals: list[str] = []
        entries: list[tuple[str, Source]] = []
        seen_maps: set[str] = set()
        texts: list[str] = []
        levels = [lv for lv in level.chain() if lv.kind != "http"]
        for lv in levels:
            for op in _all_ops(lv.ops):
                if isinstance(op, IfOp):
                    args = op.args
                    texts.append(args[0] if args else "")
                    if len(args) == 3 and _ORIGIN_VAR in variables_in(args[0]):
                        if args[1] in ("~", "~*"):
                            patterns.append(OriginPattern(args[2], args[1] == "~*", op.source))
                        elif args[1] == "=":
                            literals.append(args[2])
                            entries.append((args[2], op.source))
                    for inner in op.inner.add_headers:
                        texts.append(inner.value)
                elif isinstance(op, SetOp):
                    texts.append(op.value)
        for lv in level.chain():
            texts.extend(add.value for add in lv.add_headers)
            texts.extend(m.value or "" for m in lv.more_headers)
        pending = [v for text in texts for v in variables_in(text)]
        sensitive = False
        while pending:
            name = pending.pop()
            sensitive = sensitive or name == _ORIGIN_VAR
            block = self.conf.maps.get(name)
            if block is None or name in seen_maps:
                continue
            seen_maps.add(name)
            pending.extend(variables_in(block.source_value))
            for entry in list(block.exact.values()) + [block.default]:
                pending.extend(variables_in(entry.value))
            if _ORIGIN_VAR in variables_in(block.source_value):
                for regex in block.regexes:
                    patterns.append(OriginPattern(regex.pattern, regex.icase, regex.source))
                    pending.extend(variables_in(regex.value))
                literals.extend(block.exact.keys())
                entries.extend((key, entry.source) for key, entry in block.exact.items() if entry.value)
        for lv in level.chain():
            for add in lv.add_headers:
                if add.name.lower() == ACAO and "$" not in add.value:
                    literals.append(add.value)
        return patterns, literals, entries, sensitive

    def servers(self) -> list[Server]:
        """The servers this process judges: servers are independent (a
        probe selects exactly one), so a share of them is a share of the work."""
        index, count = self.share
        return self.conf.servers[index::count]

    def size(self) -> int:
        return sum(len(list(_walk(server))) or 1 for server in self.conf.servers)

    def facts(self):
        """DroppedHeaders: levels whose own add_header lines hide inherited CORS ones."""
        for server in self.servers():
            for level in _levels(server):
                drop = _dropped(level)
                if drop is not None:
                    yield drop


def _levels(level: Level):
    """Every location and location-level `if` below a server (and the server)."""
    yield level
    for op in level.ops:
        if isinstance(op, IfOp) and level.kind != "server":
            yield op.inner
    for loc in level.locations:
        yield from _levels(loc)


def _dropped(level: Level) -> DroppedHeaders | None:
    if not level.add_headers or level.parent is None:
        return None
    own = {add.name.lower() for add in level.add_headers}
    inherited = level.parent.effective_add_headers()
    watched = set(CORS_HEADERS)
    if level.kind == "if":   # a preflight branch needs neither of these
        watched -= {ACEH, MAX_AGE}
    # a header headers-more sets on every answer of this level is still sent (the field's
    # seanmalter proxy: `more_set_headers 'Access-Control-Allow-Origin: *'` beside the `if`)
    own |= {more.name.lower() for more in level.effective_more_headers()
            if not more.clear and more.value is not None and more.statuses is None and more.types is None}
    lost = [HeaderName(add.name.lower(), add.source) for add in inherited
            if add.name.lower() in watched and add.name.lower() not in own]
    if not lost:
        return None
    label = "if block" if level.kind == "if" else "location"
    return DroppedHeaders(level.add_headers[0].source, label, lost)


def _emits_cors(level: Level) -> bool:
    """Any add_header / more_set_headers for a CORS header in this scope's
    levels or their `if` blocks."""
    def names(lv: Level):
        yield from (a.name for a in lv.add_headers)
        yield from (m.name for m in lv.more_headers if not m.clear)
    levels = list(level.chain())
    levels += [op.inner for lv in list(levels) for op in _all_ops(lv.ops) if isinstance(op, IfOp)]
    return any(n.lower().startswith(CORS_PREFIX) for lv in levels for n in names(lv))


def _serves_files_only(loc: Location) -> bool:
    """A static location whose try_files tests only files (no `$uri/`): its
    directory URL is never served."""
    if loc.handler is not None or loc.try_files is None:
        return False
    candidates = loc.try_files.args[:-1]
    return bool(candidates) and not any(c.endswith("/") for c in candidates)


def _walk(level: Level):
    for loc in level.locations:
        yield loc
        yield from _walk(loc)


def _all_ops(ops):
    for op in ops:
        yield op
        if isinstance(op, IfOp):
            yield from _all_ops(op.inner.ops)


def _auth(level: Level):
    basic = level.inherited("auth_basic")
    if basic and basic.value != "off":
        return basic
    request = level.inherited("auth_request")
    if request and request.value != "off":
        return request
    return None


def _returns_everything(level: Level) -> bool:
    return any(isinstance(op, ReturnOp) for op in level.ops)


def load(path: str, display: str | None = None, root: str | None = None) -> NginxModel:
    """Parse and lower one root file (errors are kept on `model.parsed.errors`)."""
    parsed = parse(path, display, root)
    conf = lower(parsed.directives, parsed.path)
    parsed.errors.extend(conf.errors)
    parsed.directives = []   # lowered: nothing reads the tree again, and it is a large file's biggest object
    return NginxModel(parsed.path, conf, parsed)
