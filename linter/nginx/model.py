"""The nginx server model: parsed, lowered, and ready to answer requests."""

from __future__ import annotations

from ..backend import FileOracle, Upstream
from ..configmodel import ConfigModel
from ..cors import ACAO, ACEH, CORS_HEADERS, CORS_PREFIX, MAX_AGE
from ..model import Answer, DroppedHeaders, OriginPattern, Request, Scope, Source, valid_authority
from ..regexes import example_for
from .conf import HeaderName, HttpConf, IfOp, Level, Location, ReturnOp, RewriteOp, Server, SetOp, lower
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
        evaluation = Evaluation(self.conf, request, upstream, files, client_addr, self.assumed)
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
            target = _redirected_to(server, loc)
            scope = self._scope(server, target or loc, loc.label, base + path)
            if target is not None:
                scope.source = loc.source
            out.append(scope)
        if not locations:
            out.append(self._scope(server, server, server.label, base + "/"))
        out += self._redirect_scopes(server, base, {s.url for s in out})
        return out

    def _redirect_scopes(self, server: Server, base: str, seen: set[str]) -> list[Scope]:
        """A scope per `rewrite ... redirect|permanent` (or to an absolute
        URL) of the server or of a location, at a path its regex matches
        that reaches it: the actual request a browser sends there meets the
        redirect (CORS406); the origins it serves are those of the location
        it redirects to.  Only where such a rewrite is: no cost elsewhere."""
        out = []
        for level in (server, *_walk(server)):
            for op in level.ops:
                if not isinstance(op, RewriteOp) or not (op.flag in ("redirect", "permanent") or op.replacement.startswith(
                        ("http://", "https://", "$scheme"))):
                    continue
                for path in example_for(op.pattern):     # (examples the PCRE pattern matches)
                    loc = find_location(server, path) if path.startswith("/") else None
                    if loc is None and level is not server or level is not server and loc is not level:
                        continue
                    if base + path not in seen:
                        seen.add(base + path)
                        # its clients are those of where it sends them (a path on this server)
                        facts = _location_of(server, op.replacement) or loc or server
                        scope = self._scope(server, facts, f"{level.label} rewrite {op.pattern}", base + path)
                        scope.source = op.source
                        out.append(scope)
                    break
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
        if loc.modifier == "=":
            candidates = [loc.pattern] if loc.pattern.startswith("/") else []
        elif loc.modifier in ("", "^~"):
            # a prefix location whose own path another location takes
            # (`location = /` next to `location /`) still answers below it
            candidates = [loc.pattern, loc.pattern.rstrip("/") + "/a"] if loc.pattern.startswith("/") else []
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
        authenticates = bool(_auth(level))
        if isinstance(level, Location) and level.limit_except is not None:
            methods = tuple(sorted(level.limit_except.methods - {"HEAD"}))
            # `limit_except GET { auth_basic ...; }`: the other methods' clients authenticate
            authenticates = authenticates or bool(_auth(level.limit_except.inner))
        patterns, literals, entries, sensitive = self._origin_facts(server, level)
        proxied = handler is not None and handler.directive != "unknown"
        return Scope(name=name if server.implicit else f"{server.label} {name}".strip(), url=url,
                     source=level.source,
                     proxied=proxied,
                     static=handler is None and not _returns_everything(level),
                     authenticates=authenticates, served_methods=methods,
                     origin_patterns=tuple(patterns), literal_origins=tuple(literals), origin_entries=tuple(entries),
                     origin_sensitive=sensitive, emits_cors=_emits_cors(level),
                     backend_error_page=proxied and any(
                         code in page.codes for page in level.effective_error_pages() for code in (502, 504)))

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


def _location_of(server: Server, target: str) -> Location | None:
    """The location a redirect's target path on this server reaches (its
    literal part: `/v2/$1` -> `/v2/`)."""
    path = target.split("$", 1)[0]
    return find_location(server, path) if path.startswith("/") and not path.startswith("//") else None


def _redirected_to(server: Server, loc: Location) -> Location | None:
    """Where a location that only redirects (`location = /opds { return 308
    /opds/; }`) sends its clients on this server: their scope's facts (the
    origins they come from, the proxy they are after) are that location's."""
    first = loc.ops[0] if loc.ops else None
    if isinstance(first, ReturnOp) and first.code in (301, 302, 303, 307, 308) and first.text:
        target = _location_of(server, first.text)
        return target if target is not loc else None
    return None


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
    model = NginxModel(parsed.path, conf, parsed)
    if conf.tested:
        _explore_unknowns(model)
    return model


def _explore_unknowns(model: NginxModel) -> None:
    """One alternative per combination of values of the variables `if`s test
    that the files never define (nginx/unknowns.py, linter/alternatives.py)."""
    from ..alternatives import explore
    from .unknowns import outside, phrase

    unknown = outside(model.conf)
    if unknown:
        explore(model, unknown, lambda name: "$" + name, phrase)
