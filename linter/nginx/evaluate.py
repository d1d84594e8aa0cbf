"""Answer one request the way nginx would, phase by phase.

The order is nginx's: server selection, the server-level rewrite phase,
find-config (location, then `limit_except`, which swaps the configuration
so the location's `if`/`return` never run for excluded methods), the
location rewrite phase (`if`, `set`, `rewrite`, `return`; a rewritten URI
searches the locations again), access (`allow`/`deny`, `auth_basic`,
`auth_request`), try_files, content (`proxy_pass` and friends or the static
handler), `error_page`, and finally the header filters (headers-more, then
`add_header` with its status list and `always`).
"""

from __future__ import annotations

from ..backend import FileOracle, Upstream
from ..cors import CORS_HEADERS, VARY
from ..model import Answer, Handler, HeaderLine, Request, Source
from ..regexes import compile_pcre
from .conf import (ADD_HEADER_STATUSES, DEFAULT_HIDDEN, DEFAULT_TYPES, BreakOp, ContentHandler, HeaderName, HttpConf,
                   IfOp, Level, Location, ReturnOp, RewriteOp, Root, Server, SetOp)
from .match import AUTO_REDIRECT, find_location, named_location, select_server
from .variables import RequestVars

MAX_URI_CHANGES = 10


class Body:
    """What the filters see of a response body: its Content-Type (None:
    none) and Content-Length (None: not sent, as for a streamed body).
    `known=False` when the backend's headers were not described."""

    __slots__ = ("ctype", "encoded", "known", "length")

    def __init__(self, ctype: str | None, length: int | None, encoded: bool = False, known: bool = True):
        self.ctype = ctype
        self.length = length
        self.encoded = encoded
        self.known = known


#: nginx's built-in error pages (403, 404...): text/html, about 150 bytes
SPECIAL_PAGE = Body("text/html", 150)
NO_BODY = Body(None, 0)
UNKNOWN_BODY = Body(None, None, known=False)
#: statuses that have a built-in page (ngx_http_error_pages); others get an empty body
_PAGED = frozenset({301, 302, 303, 307, 308}) | frozenset(range(400, 418)) | frozenset(
    {421, 429, 494, 495, 496, 497, 500, 501, 502, 503, 504, 505, 507})


class _Done(Exception):
    """Raised inside the phases when the response status is decided.

    `special` marks a status nginx finalizes the request with (an error or
    redirect code: static 404/405, `deny`, `return 404`, a redirect), as
    opposed to a response that was sent (a file, a proxied answer, `return`
    with a body).  A special status sets nginx's `err_status`, which wins
    over an `error_page =code` override."""

    def __init__(self, status: int | None, source: Source | None, handler: str,
                 headers: list[HeaderLine] | None = None, error_page_ok: bool = True,
                 body: Body | None = None, special: bool | None = None):
        self.status = status
        self.source = source
        self.handler = handler
        self.headers = headers or []
        self.error_page_ok = error_page_ok
        if special is None:
            special = error_page_ok and status is not None and status >= 300
        self.special = special
        if body is None:
            body = (SPECIAL_PAGE if status in _PAGED else NO_BODY) if special else NO_BODY
        self.body = body


class Evaluation:
    """The state of one request passing through nginx."""

    #: values assumed for variables set outside the linted files (nginx/unknowns.py)
    assumed: dict[str, str] = {}

    def __init__(self, conf: HttpConf, request: Request, upstream: Upstream, files: FileOracle,
                 client_addr: str | None, assumed: dict[str, str]):
        self.conf = conf
        if assumed:
            self.assumed = assumed   # else the class's: no attribute more on every request's state
        self.request = request
        self.upstream = upstream
        self.files = files
        self.client_addr = client_addr
        #: an allow/deny rule naming addresses was checked against client_addr
        self.address_decides = False
        self.method = request.method
        self.trace: list[tuple[str, Source | None]] = []
        self.certain = True
        self.upstream_headers_unknown = False
        self.server: Server | None = None
        self.level: Level | None = None
        #: upstream header names the proxy module hides here, with the hiding line
        self.hidden: list[HeaderName] = []
        self.vars: RequestVars | None = None
        #: after an internal redirect (error_page, try_files, index) `internal` locations answer
        self.internal = False
        self.uri_changes = 0
        #: nginx's r->valid_location: cleared by `rewrite ... break`
        self.alias_ok = True
        #: the content handler nginx picked (see content_handler)
        self.chosen_handler: ContentHandler | None = None

    # -- entry point -----------------------------------------------------------
    def run(self) -> Answer:
        req = self.request
        server = select_server(self.conf, req.host, req.port)
        if server is None:
            return Answer(None, handler=Handler.UNKNOWN, certain=False,
                          trace=[("no server block answers this host and port", None)])
        self.server = server
        self.level = server
        self.vars = RequestVars(req, self.conf.maps, server.names[0] if server.names else "",
                                self.client_addr, self.upstream.headers)
        self.vars.declared = self.conf.declared
        if self.assumed:
            self.vars.assumed = self.assumed
        if not server.implicit:
            self.note(f"{server.label} (line {server.source.line})", server.source)
        try:
            self.server_rewrite()
            self.find_and_rewrite()
            self.phases_after_rewrite()
        except _Done as done:
            return self.finish(done)
        raise AssertionError("content phase always decides")  # pragma: no cover

    def note(self, text: str, source: Source | None = None) -> None:
        self.trace.append((text, source))

    # -- rewrite phases ----------------------------------------------------------
    def server_rewrite(self) -> None:
        assert self.server is not None
        self.run_ops(self.server.ops, self.server)

    def find_and_rewrite(self) -> None:
        assert self.server is not None and self.vars is not None
        while True:
            loc = find_location(self.server, self.vars.uri)
            if loc is AUTO_REDIRECT:
                target = self.vars.uri + "/" + ("?" + self.vars.args if self.vars.args else "")
                slashed = find_location(self.server, self.vars.uri + "/")
                self.level = slashed if isinstance(slashed, Level) else self.server
                self.note(f"{self.vars.uri} redirects to {self.vars.uri}/ (prefix location with a proxy handler)",
                          self.level.source)
                raise _Done(301, self.level.source, Handler.REDIRECT,
                            [HeaderLine("location", self.absolute(target), self.level.source)])
            if loc is None:
                self.level = self.server
                self.chosen_handler = None
                self.note("no location matches: the server's own configuration answers", self.server.source)
                return
            self.level = loc
            self.chosen_handler = loc.handler
            self.note(f"{loc.label} (line {loc.source.line})", loc.source)
            self.location_captures(loc)
            if not self.internal and loc.internal_in_chain:
                self.note("the location is `internal`: external requests get 404", loc.source)
                raise _Done(404, loc.source, Handler.INTERNAL)
            limit = loc.limit_except
            if limit is not None and self.method not in limit.methods:
                self.level = limit.inner
                self.note(f"limit_except {' '.join(sorted(limit.methods - {'HEAD'}))} (line {limit.source.line}) "
                          f"applies to {self.method}: the location's if/return do not run", limit.source)
                return
            outcome = self.run_ops(loc.ops, loc)
            if outcome != "rewritten":
                return
            self.count_uri_change(loc.source)

    def location_captures(self, loc: Location) -> None:
        """A regex location's match sets $1.. and its named captures, as an
        `if` or `rewrite` regex does (ngx_http_regex_exec); the deepest
        regex location of the chosen one's chain made the last match."""
        assert self.vars is not None
        regex_loc = loc.capturing
        if regex_loc is None:
            return
        m = regex_loc.regex.search(self.vars.uri)
        if m is None:
            return
        self.vars.captures = [m.group(0)] + [g or "" for g in m.groups()]
        for name, value in m.groupdict().items():
            self.vars.user[name] = value or ""

    def count_uri_change(self, source: Source | None) -> None:
        """nginx allows 10 URI changes per request (rewrites that search the
        locations again, internal redirects, named locations); the 11th ends
        it with a 500 that error_page does not handle."""
        self.uri_changes += 1
        if self.uri_changes > MAX_URI_CHANGES:
            self.note("rewrite or internal redirection cycle: 500", source)
            raise _Done(500, source, Handler.REWRITE_CYCLE, error_page_ok=False, special=True)

    def run_ops(self, ops: list, level: Level, decided_by: tuple[Source, ...] = ()) -> str | None:
        """Run rewrite-phase code.  Returns "rewritten" when the URI changed
        and locations must be searched again, "break" after `break`/`rewrite
        ... break`, None otherwise; raises _Done for `return`/redirects.
        `decided_by` are the `if` lines (and map entries) that led here: a
        variable `set` below them remembers them as its provenance."""
        assert self.vars is not None
        rewritten = None
        for op in ops:
            kind = type(op)
            if kind is SetOp:
                value, via = self.vars.evaluate_with_via(op.value)
                self.vars.user[op.name] = value
                self.vars.via[op.name] = decided_by + via
            elif kind is ReturnOp:
                self.do_return(op)
            elif kind is BreakOp:
                return "break"
            elif kind is IfOp:
                args, inner, source = op.args, op.inner, op.source
                self.vars.map_hits = []
                verdict = self.vars.condition(args)
                condition_via = tuple(self.vars.map_hits) + (source,)
                if verdict is None:
                    self.certain = False
                    self.note(f"if ({' '.join(args)}) cannot be decided statically; assumed false", source)
                    continue
                if not verdict:
                    continue
                self.note(f"if ({' '.join(args)}) is true (line {source.line})", source)
                if level.kind in ("location", "if", "limit_except"):
                    self.level = inner
                    if inner.handler is not None:
                        self.chosen_handler = inner.handler
                result = self.run_ops(inner.ops, inner, decided_by + condition_via)
                if result == "break":
                    return "break"
                if result in ("rewritten", "last"):
                    return "rewritten"
            elif kind is RewriteOp:
                result = self.do_rewrite(op)
                if result == "last":
                    return "rewritten"
                if result == "break":
                    return "break"
                if result == "rewritten":
                    rewritten = "rewritten"
        return rewritten

    def do_return(self, op: ReturnOp) -> None:
        """ngx_http_rewrite's return: a redirect code with a URL and any code
        >= 400 without text finalize the request (a special response); any
        other code sends a response whose body is the text (maybe empty),
        typed by the URI's extension."""
        assert self.vars is not None
        code, text, source = op.code, op.text, op.source
        self.note(f"return {code}{' ' + text if text else ''} (line {source.line})", source)
        if code in (301, 302, 303, 307, 308):
            location = self.vars.evaluate(text) if text else ""
            raise _Done(code, source, Handler.RETURN,
                        [HeaderLine("location", self.absolute(location) if location else None, source)]
                        if text else [])
        if code >= 400 and not text:
            raise _Done(code, source, Handler.RETURN)
        body_text = self.vars.evaluate(text) if text else ""
        body = Body(self.content_type(), len(body_text.encode()) if body_text is not None else None,
                    known=body_text is not None)
        raise _Done(code, source, Handler.RETURN, error_page_ok=False, body=body)

    def do_rewrite(self, op: RewriteOp) -> str | None:
        assert self.vars is not None
        pattern, replacement, flag, source = op.pattern, op.replacement, op.flag, op.source
        compiled = compile_pcre(pattern, False)
        if compiled is None:
            self.certain = False
            return None
        m = compiled.search(self.vars.uri)
        if not m:
            self.vars.captures = []   # a regex miss clears $1..$9, as in `if`
            return None
        self.vars.captures = [m.group(0)] + [g or "" for g in m.groups()]
        for key, group in m.groupdict().items():
            self.vars.user[key] = group or ""
        new = self.vars.evaluate(replacement)
        external = replacement.startswith(("http://", "https://", "$scheme"))
        if new is None:
            self.certain = False
            return None
        keep_args = not new.endswith("?")
        new = new.rstrip("?") if not keep_args else new
        if external or flag in ("redirect", "permanent"):
            code = 301 if flag == "permanent" else 302
            if keep_args and self.vars.args and "?" not in new:
                new += "?" + self.vars.args
            self.note(f"rewrite {pattern} {replacement} {flag} (line {source.line}) redirects", source)
            raise _Done(code, source, Handler.REWRITE, [HeaderLine("location", self.absolute(new), source)])
        path, _, args = new.partition("?")
        self.vars.uri = path
        if args or not keep_args:
            self.vars.args = args
        self.note(f"rewrite (line {source.line}) changes the URI to {path}", source)
        if flag == "last":
            return "last"
        if flag == "break":
            # ngx_http_script_regex_start_code: `break` clears valid_location,
            # so an `alias` can no longer map this URI (500)
            self.alias_ok = False
            return "break"
        return "rewritten"

    def absolute(self, location: str | None) -> str | None:
        """nginx makes relative redirects absolute (absolute_redirect on)."""
        if location is None or "://" in location or not location.startswith("/"):
            return location
        return self.request.site + location

    # -- access, precontent, content -------------------------------------------
    def phases_after_rewrite(self) -> None:
        self.access_phase()
        self.content_phase()

    def access_phase(self) -> None:
        level = self.level
        assert level is not None
        satisfy = level.inherited("satisfy") or "all"
        address_ok, address_source = self.check_address(level)
        auth = self.check_auth(level)
        if satisfy == "any":
            if address_ok is True or (auth is None):
                return
            if address_ok is None:
                self.certain = False
                return
            if auth is not None:
                raise auth
            raise _Done(403, address_source, Handler.DENY)
        if address_ok is False:
            if level.kind == "limit_except":
                address_source = level.source   # the limit_except line is what users see as the cause
            self.note(f"access denied (line {address_source.line if address_source else '?'}): 403", address_source)
            raise _Done(403, address_source, Handler.DENY)
        if auth is not None:
            raise auth

    def check_address(self, level: Level) -> tuple[bool | None, Source | None]:
        rules = level.effective_access()
        for rule in rules:
            if rule.address == "all":
                return rule.action == "allow", rule.source
            if self.client_addr is None:
                self.certain = False
                self.note(f"{rule.action} {rule.address} depends on the client address", rule.source)
                return None, rule.source
            self.address_decides = True
            import ipaddress   # only configurations with address rules pay for it

            try:
                if ipaddress.ip_address(self.client_addr) in ipaddress.ip_network(rule.address, strict=False):
                    return rule.action == "allow", rule.source
            except ValueError:
                continue
        return True, None

    def check_auth(self, level: Level) -> _Done | None:
        basic = level.inherited("auth_basic")
        if basic and basic.value != "off" and self.request.header("authorization") is None:
            realm = self.vars.evaluate(basic.value) if self.vars else basic.value
            self.note(f"auth_basic (line {basic.source.line}) requires credentials: 401", basic.source)
            return _Done(401, basic.source, Handler.AUTH_BASIC,
                         [HeaderLine("www-authenticate", f'Basic realm="{realm}"', basic.source)])
        request_auth = level.inherited("auth_request")
        if request_auth and request_auth.value != "off":
            self.certain = False
            self.note(f"auth_request (line {request_auth.source.line}) asks an auth service; a request without "
                      "credentials is assumed to be refused with 401", request_auth.source)
            return _Done(401, request_auth.source, Handler.AUTH_REQUEST)
        return None

    def content_handler(self) -> ContentHandler | None:
        """r->content_handler: set from the location (or its limit_except
        block, which inherits the location's proxy_pass) when it is chosen,
        and replaced only by a matching `if` that has a handler of its own;
        an `if` without one keeps the handler chosen before it."""
        return self.chosen_handler

    def upstream_here(self, directive: str) -> bool:
        """Whether the level in force has the handler's upstream: its own,
        or for an `if`/`limit_except` block the enclosing location's (nested
        and named locations do not inherit proxy_pass)."""
        level = self.level
        assert level is not None
        if level.handler is not None and level.handler.directive == directive:
            return True
        if level.kind in ("if", "limit_except") and isinstance(level.parent, Location):
            parent = level.parent.handler
            return parent is not None and parent.directive == directive
        return False

    def content_phase(self) -> None:
        level = self.level
        assert level is not None and self.vars is not None
        # try_files has no merge function in nginx: it is not inherited by
        # nested locations, `if` blocks or `limit_except` blocks.
        if level.kind in ("location", "server") and level.try_files is not None:
            self.try_files(level.try_files.args, level.try_files.source)
        handler = self.content_handler()
        if handler is not None:
            directive, target, source = handler.directive, handler.target, handler.source
            if directive == "unknown":
                # a snippet on its own: whatever includes it produces the
                # response, which behaves like an undescribed backend
                self.note("the snippet's surroundings produce the response (like a backend)", source)
                self.upstream_headers_unknown = True
                raise _Done(self.upstream.status, source, Handler.UNKNOWN, error_page_ok=False)
            if not self.upstream_here(directive):
                # an earlier `if` set the handler, a later matching `if` without
                # it holds the module configuration: "no upstream configuration"
                self.note(f"{directive} (line {source.line}) was chosen by an earlier `if`; the `if` in force "
                          "has no upstream: 500", source)
                raise _Done(500, source, Handler.PROXY, special=True)
            self.proxy(directive, target, source)
        self.static()

    def try_files(self, args: list[str], source: Source) -> None:
        """ngx_http_try_files_module: an argument written with a trailing `/`
        tests for a directory (the slash is cut before the variables are
        filled in), any other for a file, whatever the value looks like;
        the URI becomes the tested path (without that slash).  The last
        argument is `=code`, a named location or an internal redirect."""
        assert self.vars is not None and self.level is not None
        for candidate in args[:-1]:
            test_dir = candidate.endswith("/")
            path = self.vars.evaluate(candidate[:-1] if test_dir else candidate)
            if path is None:
                self.certain = False
                continue
            if path == "":
                continue
            base, rel = self.map_uri(path)
            kind = self.files.kind(base, rel if not test_dir or rel.endswith("/") else rel + "/")
            if kind is not None and (kind == "dir") == test_dir:
                self.note(f"try_files (line {source.line}) finds {path}", source)
                self.vars.uri = path
                return
        last = args[-1]
        if last.startswith("="):
            code = int(last[1:]) if last[1:].isdigit() else 404
            self.note(f"try_files (line {source.line}) finds no file: {code}", source)
            raise _Done(code, source, Handler.TRY_FILES)
        if last.startswith("@"):
            assert self.server is not None
            named = named_location(self.server, last)
            if named is None:
                raise _Done(500, source, Handler.TRY_FILES)
            self.note(f"try_files (line {source.line}) falls back to {last}", source)
            self.named_location(named)
        target = self.vars.evaluate(last)
        if target is None:
            self.certain = False
            raise _Done(None, source, Handler.TRY_FILES)
        self.note(f"try_files (line {source.line}) falls back to {target}", source)
        path, _, args_part = target.partition("?")
        self.internal_redirect(path, args_part, source)   # without `?` the arguments are dropped

    def internal_redirect(self, uri: str, args: str | None, source: Source | None) -> None:
        """ngx_http_internal_redirect: the request starts over at the
        server-level rewrite phase (server `if`/`return` run again), then
        finds its location; `internal` locations are allowed now.  Raises
        _Done like the phases do."""
        assert self.vars is not None
        self.count_uri_change(source)
        self.internal = True
        self.vars.uri = uri
        if args is not None:
            self.vars.args = args
        self.level = self.server
        self.server_rewrite()
        self.find_and_rewrite()
        self.phases_after_rewrite()

    def named_location(self, named: Location) -> None:
        """ngx_http_named_location: the location's rewrite phase runs, then
        access and content (no server rewrite, no location search)."""
        self.count_uri_change(named.source)
        self.internal = True
        self.level = named
        self.chosen_handler = named.handler
        if self.run_ops(named.ops, named) == "rewritten":
            self.count_uri_change(named.source)
            self.find_and_rewrite()
        self.phases_after_rewrite()

    def root_level(self) -> tuple[Root | None, Level | None]:
        """The root/alias directive in force and the level that holds it."""
        assert self.level is not None
        for level in self.level.chain():
            if level.root:
                return level.root, level
        return None, None

    def map_uri(self, uri: str) -> tuple[str | None, str]:
        """(base, rest) whose concatenation is the file for `uri`
        (ngx_http_map_uri_to_path): `root` + URI, or for `alias` the alias
        + the URI minus the location's prefix.  An alias in a regex location
        is the whole path.  Without a root, nginx uses `html` under its
        prefix (relative: not looked up on disk)."""
        assert self.vars is not None
        root, level = self.root_level()
        if root is None:
            return "html", uri
        path = self.vars.evaluate(root.path)
        if path is None:
            self.certain = False
            return None, uri
        if not root.alias:
            return path, uri
        if not self.alias_ok:
            self.note(f"alias (line {root.source.line}) cannot map a URI that `rewrite ... break` changed: 500",
                      root.source)
            raise _Done(500, root.source, Handler.ALIAS, special=True)
        loc = level.location() if level is not None else None
        if loc is None or loc.modifier not in ("", "^~", "="):
            return path, ""
        if uri.startswith(loc.pattern):
            return path, uri[len(loc.pattern):]
        return path, uri

    def content_type(self) -> str | None:
        """ngx_http_set_content_type: by the URI's extension, else default_type."""
        assert self.level is not None and self.vars is not None
        last = self.vars.uri.rsplit("/", 1)[-1]
        # ngx_http_set_exten: the text after the last dot of the last
        # segment, unless that dot starts the segment (`/.env` has none)
        ext = last.rsplit(".", 1)[-1].lower() if "." in last[1:] else ""
        types = self.level.inherited_set("types")
        if types is None:
            types = DEFAULT_TYPES
        if ext and ext in types:
            return types[ext]
        default = self.level.inherited("default_type")
        return default.value if default else "text/plain"

    def proxy(self, directive: str, target: str, source: Source) -> None:
        assert self.level is not None
        module = directive[:-5]
        up = self.upstream
        if not up.reachable:
            # ngx_http_upstream_next: no backend takes the connection, nginx
            # finalizes with 502 itself, so error_page applies
            self.note(f"{directive} {target} (line {source.line}): the backend cannot be reached: 502", source)
            raise _Done(502, source, Handler.PROXY, special=True)
        self.note(f"{directive} {target} (line {source.line}): the backend answers", source)
        headers: list[HeaderLine] = []
        hidden, passed = self.level.effective_hidden(module)
        passed_names = {p.name for p in passed}
        self.hidden = [h for h in hidden if h.name not in passed_names]
        if up.headers is None:
            self.upstream_headers_unknown = True
            body = UNKNOWN_BODY
        else:
            hidden_names = {h.name for h in self.hidden} | (DEFAULT_HIDDEN - passed_names)
            for name, value in up.headers:
                if name.lower() in hidden_names:
                    continue
                headers.append(HeaderLine(name.lower(), value, None, from_upstream=True))
            sent = {name.lower(): value for name, value in reversed(up.headers)}
            length = sent.get("content-length", "").strip()
            body = Body(sent.get("content-type"), int(length) if length.isdigit() else None,
                        encoded=bool(sent.get("content-encoding")))
        intercept = self.level.intercepts_errors(module)
        if intercept and intercept.value and up.status is not None and up.status >= 300 and any(
                up.status in page.codes for page in self.level.effective_error_pages()):
            # ngx_http_upstream_intercept_errors: only a status some error_page
            # names is intercepted; the backend's answer is dropped
            self.note(f"{module}_intercept_errors (line {intercept.source.line}): the backend's {up.status} goes to "
                      "error_page", intercept.source)
            raise _Done(up.status, intercept.source, Handler.PROXY, special=True, error_page_ok=True)
        raise _Done(up.status, source, Handler.PROXY, headers, error_page_ok=False, body=body)

    def static(self) -> None:
        """The index and static modules: only GET, HEAD and POST (405
        before anything is looked up); a directory URI is answered by an
        internal redirect to its index file; POST to a file is 405."""
        assert self.level is not None and self.vars is not None
        level = self.level
        root_directive, _ = self.root_level()
        source = root_directive.source if root_directive else level.source
        uri = self.vars.uri
        if self.method not in ("GET", "HEAD", "POST"):
            self.note(f"static files answer {self.method} with 405", source)
            raise _Done(405, source, Handler.STATIC)
        base, rel = self.map_uri(uri)
        if uri.endswith("/"):
            index_names = level.inherited("index") or ["index.html"]
            for i, name in enumerate(index_names):
                name = self.vars.evaluate(name)
                if name is None:
                    self.certain = False
                    continue
                target = name if name.startswith("/") else uri + name
                if name.startswith("/") and i == len(index_names) - 1 or \
                        self.files.kind(*self.map_uri(target)) == "file":
                    self.note(f"index file {target}: internal redirect", source)
                    self.internal_redirect(target, None, source)
            kind = self.files.kind(base, rel)
            autoindex = level.inherited("autoindex")
            if kind == "dir" and autoindex and autoindex.value == "on" and self.method in ("GET", "HEAD"):
                self.note(f"autoindex (line {autoindex.source.line}) lists the directory", autoindex.source)
                raise _Done(200, autoindex.source, Handler.AUTOINDEX, error_page_ok=False, body=Body("text/html", None))
            raise _Done(403 if kind == "dir" else 404, source, Handler.STATIC)
        kind = self.files.kind(base, rel)
        if kind is None:
            self.note(f"static file {uri} not found: 404", source)
            raise _Done(404, source, Handler.STATIC)
        if kind == "dir":
            location = uri + "/" + ("?" + self.vars.args if self.vars.args else "")
            raise _Done(301, source, Handler.STATIC, [HeaderLine("location", self.absolute(location), source)])
        if self.method == "POST":
            raise _Done(405, source, Handler.STATIC)
        self.note(f"static file {uri}", source)
        raise _Done(200, source, Handler.STATIC, error_page_ok=False,
                    body=Body(self.content_type(), self.files.size(base, rel)))

    # -- error pages and header filters ------------------------------------------
    def finish(self, done: _Done) -> Answer:
        if done.error_page_ok and done.status is not None and done.status >= 300:
            page = self.error_page(done)
            if page is not None:
                done = page
        return self.build_answer(done)

    def error_page(self, done: _Done) -> _Done | None:
        """ngx_http_send_error_page.  The redirected request answers on its
        own (its location's headers); its status is the error's, or the
        `=code` override, or with a bare `=` its own, except that a status
        it finalizes with itself (a 404, a 405, `return 403`) wins.  Error
        pages do not chain (recursive_error_pages off)."""
        level = self.level
        assert level is not None and self.server is not None and self.vars is not None
        for page in level.effective_error_pages():
            if done.status not in page.codes:
                continue
            override, target, source = page.override, page.target, page.source
            self.note(f"error_page {done.status} (line {source.line}) -> {target}", source)
            if target.startswith(("http://", "https://")) or target.startswith("$scheme"):
                code = int(override) if override and override.isdigit() else 302
                if code not in (301, 302, 303, 307, 308):
                    code = 302
                # sent as a special response: the redirect's text/html page
                return _Done(code, source, Handler.ERROR_PAGE,
                             [HeaderLine("location", self.vars.evaluate(target), source)], error_page_ok=False,
                             body=SPECIAL_PAGE)
            status = done.status if override is None else (int(override) if override.isdigit() else None)
            if target.startswith("@"):
                loc = named_location(self.server, target)
                if loc is None:   # nginx -t accepts it; at run time: "could not find named location"
                    self.note(f"no location {target}: 500", source)
                    return _Done(500, source, Handler.ERROR_PAGE, error_page_ok=False, special=True)
                inner = self.nested(self.named_location, loc)
            else:
                if self.method != "HEAD":
                    self.method = self.vars.method = "GET"   # $request_method follows
                path, _, args = (self.vars.evaluate(target) or target).partition("?")
                inner = self.nested(self.internal_redirect, path, args, source)
            own = override == "" or inner.special
            return _Done(inner.status if own else status, inner.source if own else source, Handler.ERROR_PAGE,
                         inner.headers, error_page_ok=False, body=inner.body, special=False)
        return None

    def nested(self, run, *args) -> _Done:
        """The _Done that `run(*args)` ends with (an error page's own answer)."""
        try:
            run(*args)
        except _Done as done:
            return done
        raise AssertionError("content phase always decides")  # pragma: no cover

    def gzip_vary(self, done: _Done) -> bool:
        """ngx_http_gzip_filter marks a response for `Vary: Accept-Encoding`
        (sent with `gzip_vary on`) before it knows whether the client
        accepts gzip: gzip on, status 200/403/404, no Content-Encoding yet,
        a length unknown or at least gzip_min_length, and a type in
        gzip_types (text/html always; `*` any, even none)."""
        level = self.level
        assert level is not None
        gzip, vary = level.inherited("gzip"), level.inherited("gzip_vary")
        if not gzip or gzip.value != "on" or not vary or vary.value != "on":
            return False
        if done.status is None:
            self.certain = False
            return False
        if done.status not in (200, 403, 404):
            return False
        body = done.body
        if not body.known:
            self.certain = False
            return False
        min_length = level.inherited("gzip_min_length") or 20
        if body.encoded or body.length is not None and body.length < min_length:
            return False
        types = level.inherited_set("gzip_types") or ["text/html"]
        if "*" in types:
            return True
        ctype = (body.ctype or "").split(";")[0].strip().lower()
        return bool(ctype) and (ctype == "text/html" or ctype in types)

    def build_answer(self, done: _Done) -> Answer:
        """Apply the header filters in nginx's order: headers-more (loaded as
        a dynamic module, it runs first), then add_header.  The gzip
        filter's `Vary: Accept-Encoding` is written by the header writer
        before every other header line, so it comes first."""
        level = self.level
        assert level is not None and self.vars is not None
        status = done.status
        headers = list(done.headers)
        stripped = list(self.hidden)
        for more in level.effective_more_headers():
            if more.statuses is not None and status not in more.statuses:
                continue
            if more.types is not None:
                if not done.body.known:
                    self.certain = False
                    continue
                if done.body.ctype not in more.types:   # compared as sent, parameters included
                    continue
            name = more.name.lower()
            kept = [h for h in headers if not (h.name.startswith(name[:-1]) if name.endswith("*") else h.name == name)]
            if more.clear:
                cleared = [n for n in CORS_HEADERS if n.startswith(name[:-1])] if name.endswith("*") \
                    else [name]
                stripped.extend(HeaderName(n, more.source) for n in cleared)
            headers = kept
            if not more.clear and more.value is not None:
                value, via = self.value_of(more.value)
                if value != "":
                    headers.append(HeaderLine(name, value, more.source, on_errors=more.statuses is None, via=via))
        owner = level.add_header_owner()
        if owner is not None:
            for add in owner.add_headers:
                if not add.always and (status is None or status not in ADD_HEADER_STATUSES):
                    if status is None:
                        self.certain = False
                    continue
                value, via = self.value_of(add.value)
                if value == "":
                    continue
                headers.append(HeaderLine(add.name.lower(), value, add.source, on_errors=add.always, via=via))
        if self.gzip_vary(done):
            # not a header_out line: headers-more cannot touch it
            gzip_vary = level.inherited("gzip_vary")
            headers.insert(0, HeaderLine(VARY, "Accept-Encoding", gzip_vary.source if gzip_vary else None))
        if level.chain_has_unknown_include():
            self.certain = False
            self.note("an include here could not be read: it may add headers", None)
        decided = self.address_decides or self.vars.address_read
        return Answer(status, headers, done.source, done.handler, self.upstream_headers_unknown,
                      self.trace, self.certain, stripped=stripped, client_addr=self.client_addr if decided else None)

    def value_of(self, template: str) -> tuple[str | None, tuple[Source, ...]]:
        assert self.vars is not None
        return self.vars.evaluate_with_via(template)
