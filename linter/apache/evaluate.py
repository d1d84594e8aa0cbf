"""Answer one request the way Apache httpd 2.4 would.

The order is Apache's request cycle: virtual host selection, server-level
SetEnvIf (post_read_request), server-context mod_rewrite, ProxyPass and
mod_alias (translate_name), the per-directory merge (<Directory> shortest
first with each directory's .htaccess, <DirectoryMatch>, <Files>,
<Location>, <If>), per-directory SetEnvIf (header_parser), access control
(Require, with <Limit>/<LimitExcept>), per-directory mod_rewrite (fixups),
the handler (proxy or the static default handler), and mod_headers, whose
two tables matter: a response Apache generates on its error path (errors,
redirects, `R=` with a non-3xx status) carries only the `always` table.
"""

from __future__ import annotations

import os
import re

from .. import saferegex
from ..backend import FileOracle, Upstream
from ..model import Answer, HeaderLine, Request, Source
from ..record import replace
from .conf import ApacheConf, Context, HeaderAction, Require, VirtualHost
from .expr import HEADER_VARIABLES, Unknown, evaluate_bool, evaluate_string

MAX_INTERNAL_REDIRECTS = 10
# mod_authz_core's results
GRANTED, DENIED, NO_USER, NEUTRAL = "granted", "denied", "denied-no-user", "neutral"
USER_PROVIDERS = ("valid-user", "user", "group", "file-owner", "file-group")
DEFAULT_METHODS_ALLOWED = "GET,POST,OPTIONS,HEAD,TRACE"


class _Done(Exception):
    def __init__(self, status: int | None, source: Source | None, handler: str, error_path: bool,
                 headers: list[tuple[str, str]] | None = None, upstream: list[tuple[str, str]] | None = None):
        self.status = status
        self.source = source
        self.handler = handler
        self.error_path = error_path
        self.headers = headers or []            # lines Apache itself adds (Location, Allow, WWW-Authenticate)
        self.upstream = upstream                # the backend's own lines (None: unknown)


class Evaluation:
    def __init__(self, conf: ApacheConf, request: Request, upstream: Upstream, files: FileOracle,
                 client_addr: str | None, htaccess_files: dict[str, tuple[str, Context]]):
        self.conf = conf
        self.request = request
        self.upstream = upstream
        self.files = files
        self.client_addr = client_addr
        self.htaccess_files = htaccess_files    # directory -> (display path, context)
        self.method = request.method
        self.uri = request.path
        self.env: dict[str, str] = {}
        self.env_via: dict[str, tuple[Source, ...]] = {}
        self.trace: list[tuple[str, Source | None]] = []
        self.certain = True
        self.host: VirtualHost = conf.main
        self.contexts: list[Context] = []
        self.upstream_headers_unknown = False
        #: headers_out as modules fill it before the handler: the request
        #: headers ap_expr / RewriteCond read are merged into its Vary
        self.early_out: list[HeaderLine] = []
        #: while the response headers are built, the table later reads go to
        self.vary_sink: list[HeaderLine] | None = None
        #: a RewriteRule [P] that hands the request to a backend
        self.rewrite_proxy: tuple[str, Source] | None = None
        #: what the next pass through the phases is: the "request" itself, an
        #: internal "redirect" (per-directory rewrite, ErrorDocument) or
        #: mod_dir's "index" subrequest (see `process`)
        self.pass_kind = "request"
        #: the method the handler sees (an ErrorDocument redirect makes it GET)
        self.handler_method = request.method
        #: the Require lines the access check evaluated (the last one is blamed)
        self.decisive: list[Require] = []

    def note(self, text: str, source: Source | None = None) -> None:
        self.trace.append((text, source))

    # -- variables ---------------------------------------------------------------
    def header(self, name: str) -> str | None:
        return self.request.header(name)

    def variable(self, name: str) -> str:
        """A server variable for RewriteCond / ap_expr (raises on unknown ones)."""
        upper = name.upper()
        if upper.startswith("HTTP:"):
            return self.header(name[5:]) or ""
        if upper.startswith("ENV:"):
            return self.env.get(name[4:], "")
        if upper in HEADER_VARIABLES:
            return self.header(HEADER_VARIABLES[upper]) or ""
        if upper.startswith("HTTP_"):
            # mod_rewrite knows a handful of HTTP_* names; any other, such as
            # the popular %{HTTP_ORIGIN}, is the empty string (use %{HTTP:Origin})
            return ""
        simple = {"REQUEST_METHOD": self.method, "REQUEST_URI": self.uri, "QUERY_STRING": self.request.query,
                  "REQUEST_SCHEME": self.request.scheme, "HTTPS": "on" if self.request.scheme == "https" else "off",
                  "HTTP_HOST": self.request.host, "SERVER_NAME": self.host.names[0] if self.host.names else "",
                  "SERVER_PORT": str(self.request.port), "THE_REQUEST": f"{self.method} {self.request.target} HTTP/1.1"}
        if upper in simple:
            return simple[upper]
        if name in self.env:
            return self.env[name]
        raise Unknown(name)

    # -- entry point -----------------------------------------------------------------
    def run(self) -> Answer:
        self.host = self.select_vhost()
        if self.host is not self.conf.main:
            self.note(f"<VirtualHost> (line {self.host.source.line}) "
                      f"{self.host.names[0] if self.host.names else ''}".rstrip(), self.host.source)
        try:
            self.apply_setenv(self.server_contexts())
            self.follow()
        except _Done as done:
            return self.finish(done)
        raise AssertionError("process always decides")  # pragma: no cover

    def follow(self) -> None:
        """Process the URI through its internal redirects; raises _Done."""
        for _ in range(MAX_INTERNAL_REDIRECTS):
            self.uri = self.process()   # a new URI, or _Done once answered
        raise _Done(500, None, "internal-redirects", True)

    def select_vhost(self) -> VirtualHost:
        port = self.request.port
        candidates = [v for v in self.conf.vhosts if port in v.ports] or \
            [v for v in self.conf.vhosts if not v.ports]
        if not candidates:
            return self.conf.main
        host = self.request.host.rstrip(".")
        for vhost in candidates:
            for name in vhost.names:
                if name == host or ("*" in name or "?" in name) and saferegex.fullmatch(
                        re.escape(name).replace(r"\*", ".*").replace(r"\?", "."), host):
                    return vhost
        return candidates[0]

    def server_contexts(self) -> list[Context]:
        contexts = [self.conf.main.context]
        if self.host is not self.conf.main:
            contexts.append(self.host.context)
        return contexts

    # -- one pass through the request cycle ---------------------------------------------
    def process(self) -> str:
        """Run the phases; returns a new URI for an internal redirect.

        An internal redirect is a new request: the environment is renamed to
        REDIRECT_*, headers_out starts empty, and post_read_request runs
        again (the server's SetEnvIf rules).  mod_dir's index subrequest
        (GET, access already checked by mod_dir) runs no header_parser hook
        (so no SetEnvIf) and hands its headers_out, in front of the
        request's, back to the request."""
        kind, self.pass_kind = self.pass_kind, "request"
        main_out = self.early_out
        if kind != "request":
            self.early_out = []
        if kind == "redirect":
            self.env = {f"REDIRECT_{k}": v for k, v in self.env.items()}
            self.env_via = {f"REDIRECT_{k}": v for k, v in self.env_via.items()}
            self.apply_setenv(self.server_contexts())
        # httpd 2.4 walks <Location> and <If> once before translate_name, so a
        # server-context RewriteRule answering [R=204] already has them
        self.contexts = self.server_contexts()
        self.contexts = self.contexts + self.with_ifs(self.locations())
        proxied = self.translate()
        self.contexts = self.server_contexts() + self.merge(proxied)
        per_dir = self.contexts[len(self.server_contexts()):]
        if kind != "index":
            self.apply_setenv(per_dir)
        if kind != "index":
            self.access()
        redirect = self.per_dir_rewrite(proxied)
        if kind == "index":
            self.early_out = self.early_out + main_out   # ap_internal_fast_redirect's overlay
        if redirect is not None and not proxied and self.rewrite_proxy is None:
            self.pass_kind = "redirect"
            return redirect
        # fixups: mod_env's SetEnv (an answer decided earlier never sees it)
        self.apply_setenv(self.contexts, fixup=True)
        # the index subrequest ran as a GET up to here
        self.method = self.handler_method
        return self.handle(proxied or self.rewrite_proxy)

    def translate(self):
        """translate_name: server-context rewrite, ProxyPass, mod_alias."""
        host_ctx = self.host.context if self.host is not self.conf.main else self.conf.main.context
        if host_ctx.rewrite_engine:
            result = self.rewrite(host_ctx.rewrite_rules, self.uri, per_dir=None)
            if self.rewrite_proxy is not None:
                return self.rewrite_proxy
            if result is not None:
                self.uri = result
        proxy = self.proxy_target()
        if proxy is not None:
            return proxy
        for ctx in self.server_contexts():
            for kind, status, pattern, target, source in ctx.redirects:
                self.alias_redirect(kind, status, pattern, target, source)
        self.filename = self.map_to_file()
        return None

    def alias_redirect(self, kind, status, pattern, target, source) -> None:
        if kind == "prefix":
            length = _prefix_match(self.uri, pattern)
            if length is None:
                return
            location = target + self.uri[length:] if target else ""
        else:
            m = saferegex.search(pattern, self.uri)
            if not m:
                return
            location = m.expand(re.sub(r"\$(\d)", r"\\\1", target)) if target else ""
        code = int(status) if status.isdigit() else 302
        self.note(f"Redirect (line {source.line}) answers {code}", source)
        headers = [("location", self.absolute(location))] if 300 <= code < 400 and location else []
        raise _Done(code, source, "redirect", True, headers)

    def proxy_target(self):
        """(backend URL, source) of the ProxyPass/ProxyPassMatch that takes the URI."""
        for regex, path, target, source in self.host.proxies + (
                self.conf.main.proxies if self.host is not self.conf.main else []):
            if regex:
                m = saferegex.search(path, self.uri)
                url = m.expand(re.sub(r"\$(\d)", r"\\\1", target)) if m and target else target
            else:
                length = _prefix_match(self.uri, path)
                m = length is not None
                url = target + self.uri[length:] if m and target else target
            if m:
                if target is None:
                    return None   # `ProxyPass /path !` excludes it
                self.note(f"ProxyPass (line {source.line}): the backend answers", source)
                return (url, source)
        return None

    def map_to_file(self) -> str:
        for regex, pattern, target, _source in self.host.aliases + (
                self.conf.main.aliases if self.host is not self.conf.main else []):
            if regex:
                m = saferegex.search(pattern, self.uri)
                if m:
                    return m.expand(re.sub(r"\$(\d)", r"\\\1", target))
            elif self.uri == pattern or self.uri.startswith(pattern.rstrip("/") + "/"):
                return target.rstrip("/") + self.uri[len(pattern.rstrip("/")):]
        root = self.host.document_root or self.conf.main.document_root
        base = root[0] if root else "/var/www/html"
        return base + self.uri

    # -- the per-directory merge ----------------------------------------------------------
    def merge(self, proxied) -> list[Context]:
        """Sections that apply, in Apache's merge order (later wins)."""
        hosts = [self.conf.main] + ([self.host] if self.host is not self.conf.main else [])
        sections = [s for h in hosts for s in h.context.sections]
        out: list[Context] = []
        if not proxied:
            path = self.filename
            # the directory walk includes the last segment when it is a
            # directory (`/sub` without its slash gets sub/'s sections)
            is_dir = path.endswith("/") or self.file_kind(path) == "dir"
            directory = path.rstrip("/") + "/" if is_dir else os.path.dirname(path) + "/"
            plain = [s for s in sections if s.kind == "directory" and _dir_contains(s.pattern, directory)]
            plain.sort(key=lambda s: s.pattern.rstrip("/").count("/") if s.pattern != "/" else 0)
            out += self.with_htaccess(plain, directory)
            # an .htaccess linted on its own governs every path below its directory
            out += [s for s in sections if s.kind == "htaccess"]
            out += [s for s in sections if s.kind == "directorymatch" and s.regex and s.regex.search(directory)]
            base = os.path.basename(path.rstrip("/")) if not path.endswith("/") else ""
            for section in [s for s in sections if s.kind in ("files", "filesmatch")] + \
                    [f for s in out for f in s.sections if f.kind in ("files", "filesmatch")]:
                if section.kind == "files" and _glob(section.pattern, base) or \
                        section.kind == "filesmatch" and section.regex and section.regex.search(base):
                    out.append(section)
        out = self.with_ifs(out + self.locations())
        for ctx in out:
            self.note(f"{ctx.label} (line {ctx.source.line}) applies", ctx.source)
        return out

    def locations(self) -> list[Context]:
        """<Location>/<LocationMatch> sections for the URI, in file order."""
        hosts = [self.conf.main] + ([self.host] if self.host is not self.conf.main else [])
        return [section for h in hosts for section in h.context.sections
                if section.kind == "location" and (_prefix_match(self.uri, section.pattern) is not None or
                                                   _glob(section.pattern, self.uri))
                or section.kind == "locationmatch" and section.regex and section.regex.search(self.uri)]

    def with_ifs(self, sections: list[Context]) -> list[Context]:
        """The sections followed by the <If> blocks that hold (merged last)."""
        out = list(sections)
        for ctx in self.server_contexts() + list(sections):
            out += self.chosen_ifs(ctx)
        return out

    def with_htaccess(self, directories: list[Context], directory: str) -> list[Context]:
        """<Directory> sections, each directory's .htaccess after the sections
        for that directory, where AllowOverride lets it in."""
        if not self.htaccess_files:
            return directories
        out: list[Context] = []
        override: set[str] = {"none"}
        parts = [p for p in directory.split("/") if p]
        current = "/"
        levels = ["/"] + ["/" + "/".join(parts[:i + 1]) + "/" for i in range(len(parts))]
        for current in levels:
            for section in directories:
                if section.pattern.rstrip("/") + "/" == current or (section.pattern == "/" and current == "/"):
                    out.append(section)
                    if section.allow_override is not None:
                        override = section.allow_override
            found = self.htaccess_files.get(current)
            if found is not None and override & {"all", "fileinfo", "authconfig", "limit", "indexes", "options"}:
                self.check_overrides(found[1], override)
                out.append(found[1])
        for section in directories:
            if section not in out:
                out.append(section)
        return out

    def check_overrides(self, htaccess: Context, override: set[str]) -> None:
        """A directive the directory's AllowOverride does not admit (or one
        an .htaccess may never hold) makes Apache answer every request below
        with 500, carrying only the server's and the vhost's headers."""
        override = {item.split("=", 1)[0] for item in override}   # `Options=Indexes,...`
        for name, source in _all_directive_names(htaccess):
            needed = OVERRIDE_CLASS.get(name)
            if needed is None or needed == "any" or "all" in override and needed != "never" or needed in override:
                continue
            self.note(f"{name.lstrip('<')} (line {source.line}) is not allowed here by AllowOverride: 500", source)
            self.contexts = self.server_contexts()
            raise _Done(500, source, "htaccess", True)

    def chosen_ifs(self, ctx: Context) -> list[Context]:
        """The <If>/<ElseIf>/<Else> sections of a context that hold."""
        out: list[Context] = []
        previous_matched: bool | None = None
        for section in ctx.ifs:
            if section.kind == "if":
                previous_matched = None
            if section.kind in ("elseif", "else") and previous_matched:
                continue
            if section.kind == "else":
                if previous_matched is False:
                    out.append(section)
                continue
            held = self.expression(section.pattern)
            if held is None:
                self.certain = False
                self.note(f"{section.label} cannot be decided statically; assumed false", section.source)
                held = False
            previous_matched = held or bool(previous_matched)
            if held:
                out.append(section)
        return out

    def expression(self, text: str, captures: list[str] | None = None) -> bool | None:
        """An ap_expr condition; the request headers it reads go to Vary, its
        last regex match to `captures` (SetEnvIfExpr's $0..$9)."""
        reads: list[str] = []
        held = evaluate_bool(text, self.variable, self.header, reads, captures)
        self.add_vary(reads)
        return held

    def add_vary(self, names: list[str]) -> None:
        """ap_expr and mod_rewrite merge the request headers they read into
        the Vary of headers_out at once: before the handler that is the
        table the handler inherits (`early_out`), while the response
        headers are built it is the table being built (`vary_sink`)."""
        if names:
            table = self.early_out if self.vary_sink is None else self.vary_sink
            _table_merge(table, HeaderLine("vary", ", ".join(names), None))

    # -- mod_setenvif -------------------------------------------------------------------
    def apply_setenv(self, contexts: list[Context], fixup: bool = False) -> None:
        """SetEnvIf/SetEnvIfExpr rules, or with `fixup` mod_env's SetEnv lines."""
        for ctx in contexts:
            for rule in ctx.setenv:
                if rule.fixup != fixup:
                    continue
                if rule.expr is not None:
                    if rule.expr == "true":
                        matched = True
                        captures: list[str] = []
                    else:
                        captures = []
                        held = self.expression(rule.expr, captures)
                        if held is None:
                            self.certain = False
                        matched = bool(held)
                else:
                    value = self.setenv_attribute(rule.attribute)
                    if value is None:
                        continue
                    if not _is_regex(rule.pattern):
                        # mod_setenvif matches a pattern without regex syntax as a
                        # plain substring, and then leaves `$0` as it is
                        literal = re.sub(r"\\(.)", r"\1", rule.pattern)
                        haystack, needle = (value.lower(), literal.lower()) if rule.ignore_case else (value, literal)
                        if needle not in haystack:
                            continue
                        matched, captures = True, []
                    else:
                        try:
                            m = saferegex.search(rule.pattern, value, re.IGNORECASE if rule.ignore_case else 0)
                        except re.error:
                            self.certain = False
                            continue
                        if not m:
                            continue
                        matched = True
                        captures = [m.group(0)] + [g or "" for g in m.groups()]
                if not matched:
                    continue
                for name, value in rule.assignments:
                    if value is None:
                        self.env.pop(name, None)
                        continue
                    if captures:
                        value = re.sub(r"\$(\d)", lambda mm: captures[int(mm.group(1))]
                                       if int(mm.group(1)) < len(captures) else "", value)
                    self.env[name] = value
                    self.env_via[name] = (rule.source,)

    def setenv_attribute(self, attribute: str) -> str | None:
        lower = attribute.lower()
        if lower == "request_method":
            return self.method
        if lower == "request_uri":
            return self.uri
        if lower in ("remote_addr", "remote_host"):
            return self.client_addr
        if lower == "server_addr":
            return None
        if lower in self.env:
            return self.env[lower]
        return self.header(attribute) or ""

    # -- access ---------------------------------------------------------------------------
    def access(self) -> None:
        """mod_authz_core: the Require lines of the last section that has
        any (AuthMerging Off) decide, evaluated as a tree (an implicit
        <RequireAny> around <RequireAll>/<RequireAny>/<RequireNone>);
        no Require at all grants access."""
        section = None
        for ctx in self.contexts:
            if ctx.authz is not None:
                section = ctx.authz
        if section is None:
            return
        self.decisive = []
        result = self.authz_result(section, parent_all=True)
        if result == GRANTED:
            return
        if result == NO_USER:
            if self.header("authorization") is not None:
                self.certain = False   # whether the credentials are valid is unknown
                return
            auth = next((ctx.auth_type for ctx in reversed(self.contexts) if ctx.auth_type), None)
            realm = next((ctx.auth_name for ctx in reversed(self.contexts) if ctx.auth_name), None)
            basic = bool(auth and auth[0].lower() == "basic")
            headers = [("www-authenticate", f'Basic realm="{realm or ""}"')] if basic else []
            user_source = next((r.source for r in reversed(self.decisive) if self.needs_user(r)), section.source)
            self.note(f"Require (line {user_source.line}) needs a user: 401", user_source)
            raise _Done(401, user_source, "auth_basic" if basic else "auth", True, headers)
        denier = self.decisive[-1] if self.decisive else None
        cause = (denier.container or denier.source) if denier else section.source
        self.note(f"Require (line {cause.line}) denies {self.method}: 403", cause)
        raise _Done(403, cause, "deny", True)

    def authz_result(self, node, parent_all: bool) -> str:
        """One Require line or container, as apply_authz_sections combines
        them.  A node no Require of which is in force for the method (all
        inside <Limit>s for other methods) is neutral, or granted inside a
        <RequireAll> (and at the top)."""
        if not node.applies(self.method):
            return GRANTED if parent_all else NEUTRAL
        if isinstance(node, Require):
            self.decisive.append(node)
            return self.require_result(node.words)
        result = NEUTRAL
        for item in node.items:
            child = self.authz_result(item, node.op == "all")
            if node.op == "all":
                if child == DENIED:
                    result = DENIED
                    break
                if child == NO_USER and result != DENIED or result == NEUTRAL:
                    result = child
            else:
                if child == GRANTED:
                    result = GRANTED
                    break
                if child == NO_USER and result == DENIED or result == NEUTRAL:
                    result = child
        return _negated(result) if node.negate else result

    @staticmethod
    def needs_user(rule: Require) -> bool:
        words = [w.lower() for w in rule.words]
        words = words[1:] if words[:1] == ["not"] else words
        return bool(words) and words[0] in USER_PROVIDERS

    def require_result(self, words: list[str]) -> str:
        """One `Require [not] provider args...` line."""
        negate = words[0].lower() == "not"
        words = words[1:] if negate else words
        kind = words[0].lower() if words else ""
        args = words[1:]
        if kind in USER_PROVIDERS:
            result = NO_USER
        else:
            held = self.provider(kind, args)
            if held is None:
                self.certain = False
                return GRANTED
            result = GRANTED if held else DENIED
        return _negated(result) if negate else result

    def provider(self, kind: str, args: list[str]) -> bool | None:
        """Whether an authz provider that needs no user grants the request."""
        if kind == "all":
            return bool(args) and args[0].lower() == "granted"
        if kind == "method":
            return self.method in {a.upper() for a in args}
        if kind == "env":
            return any(a in self.env for a in args)
        if kind == "expr":
            return self.expression(" ".join(args))
        if kind in ("ip", "local"):
            if self.client_addr is None:
                return None
            if kind == "local":
                return self.client_addr in ("127.0.0.1", "::1")
            import ipaddress

            for arg in args:
                try:
                    if ipaddress.ip_address(self.client_addr) in ipaddress.ip_network(arg, strict=False):
                        return True
                except ValueError:
                    continue
            return False
        return None

    # -- mod_rewrite ------------------------------------------------------------------------
    def per_dir_rewrite(self, proxied) -> str | None:
        """fixups: mod_rewrite's per-directory rules.  The merged section
        configuration takes its rules from the last section with any
        mod_rewrite directive (rules are not inherited) and RewriteEngine
        from the last section that sets it.  Rules match the file name with
        the section's directory stripped (a <Location>'s rules see the whole
        file name, or `proxy:URL` for a proxied request)."""
        owner, engine = None, None
        for ctx in self.contexts:
            if ctx.kind in ("server", "vhost"):
                continue
            if ctx.rewrite_engine is not None or ctx.rewrite_rules:
                owner = ctx
            if ctx.rewrite_engine is not None:
                engine = ctx.rewrite_engine
        if owner is None or not engine or not owner.rewrite_rules:
            return None
        if owner.kind == "htaccess" and self.conf.htaccess_only:
            # an .htaccess linted on its own: its directory is the docroot
            return self.rewrite(owner.rewrite_rules, self.uri.lstrip("/"), per_dir="/")
        if proxied is not None:
            return self.rewrite(owner.rewrite_rules, "proxy:" + proxied[0], per_dir="/")
        if owner.kind not in ("directory", "htaccess"):
            return self.rewrite(owner.rewrite_rules, self.filename, per_dir="/")
        directory = owner.pattern.rstrip("/") + "/"
        if self.filename.rstrip("/") + "/" == directory and not self.filename.endswith("/"):
            # the directory's own rules step aside for mod_dir's slash redirect
            return None
        subject = self.filename.removeprefix(directory)
        return self.rewrite(owner.rewrite_rules, subject, per_dir=self.url_of(directory))

    def url_of(self, directory: str) -> str:
        """The URL path of a directory under the DocumentRoot ("/" otherwise)."""
        root = self.host.document_root or self.conf.main.document_root
        if root and directory.startswith(root[0].rstrip("/") + "/"):
            return directory[len(root[0].rstrip("/")):]
        return "/"

    def rewrite(self, rules, subject: str, per_dir: str | None) -> str | None:
        """Run RewriteRules; returns a new URI, or raises _Done for R/F/G."""
        changed = None
        skip_chain = False
        for rule in rules:
            if skip_chain:
                skip_chain = "C" in rule.flags
                continue
            flags = rule.flags
            try:
                m = saferegex.search(rule.pattern.lstrip("!"), subject, re.IGNORECASE if "NC" in flags else 0)
            except re.error:
                self.certain = False
                continue
            negated = rule.pattern.startswith("!")
            if bool(m) == negated:
                skip_chain = "C" in flags
                continue
            captures = [m.group(0)] + [g or "" for g in m.groups()] if m else []
            held, cond_captures, vary = self.conditions(rule.conditions, captures)
            if held:
                self.add_vary(vary)
            if held is None:
                self.certain = False
                self.note(f"RewriteCond for the rule on line {rule.source.line} cannot be decided; assumed false",
                          rule.source)
                continue
            if not held:
                skip_chain = "C" in flags
                continue
            for item in flags.get("E", []):
                key, _, value = item.partition(":")
                self.env[key] = self.substitute(value, captures, cond_captures)
                self.env_via[key] = (rule.source,)
            if "F" in flags:
                self.note(f"RewriteRule (line {rule.source.line}) [F]: 403", rule.source)
                raise _Done(403, rule.source, "rewrite", True)
            if "G" in flags:
                self.note(f"RewriteRule (line {rule.source.line}) [G]: 410", rule.source)
                raise _Done(410, rule.source, "rewrite", True)
            substitution = rule.substitution
            target = None if substitution == "-" else self.substitute(substitution, captures, cond_captures)
            if "P" in flags and target is not None:
                self.note(f"RewriteRule (line {rule.source.line}) [P] proxies to {target}", rule.source)
                self.rewrite_proxy = (target, rule.source)
                return None
            if "R" in flags:
                code_text = flags["R"]
                code = int(code_text) if isinstance(code_text, str) and code_text.isdigit() else \
                    {"permanent": 301, "temp": 302, "seeother": 303}.get(str(code_text).lower(), 302)
                if 300 <= code < 400:
                    location = target if target is not None else self.uri
                    if per_dir is not None and location is not None and not location.startswith(("/", "http")):
                        location = per_dir + location
                    self.note(f"RewriteRule (line {rule.source.line}) redirects with {code}", rule.source)
                    raise _Done(code, rule.source, "rewrite", True, [("location", self.absolute(location))])
                # a status outside 3xx: the substitution is dropped and Apache
                # answers through its error path, with only `always` headers
                self.note(f"RewriteRule (line {rule.source.line}) [R={code}]: answered on the error path",
                          rule.source)
                raise _Done(code, rule.source, "rewrite", True)
            if target is not None:
                if per_dir is not None and not target.startswith("/"):
                    target = per_dir + target
                path = target.partition("?")[0]
                changed = path
                subject = path   # later server-context rules see the new URI
                self.note(f"RewriteRule (line {rule.source.line}) rewrites to {path}", rule.source)
                if per_dir is not None:
                    return changed
            if "L" in flags or "END" in flags:
                break
        return changed

    def conditions(self, conditions, captures: list[str]):
        """A rule's RewriteConds as mod_rewrite runs them: all must hold, an
        `[OR]` chain holds with its first true member (the rest of the chain
        is not evaluated).  Returns (held or None when unknown, the %N
        captures of the last matched condition, the request headers the
        passing conditions read: they go to Vary when the rule applies)."""
        last_captures: list[str] = []
        vary: list[str] = []
        i = 0
        while i < len(conditions):
            test, pattern, flags, _source = conditions[i]
            reads: list[str] = []
            try:
                value = self.expand_test(test, captures, last_captures, reads)
            except Unknown:
                value = None
            held = self.condition(value, pattern, flags)
            if isinstance(held, tuple):
                held, caps = held
                if held:
                    last_captures = caps
            if held is None:
                return None, last_captures, vary
            if "NV" in flags or "NOVARY" in flags:
                reads = []
            if "OR" in flags:
                if not held:
                    i += 1
                    continue
                while i < len(conditions) and "OR" in conditions[i][2]:
                    i += 1      # skip the rest of the chain (its last member too, below)
            elif not held:
                return False, last_captures, vary
            vary += reads
            i += 1
        return True, last_captures, vary

    def condition(self, value: str | None, pattern: str, flags: dict):
        if value is None:
            return None
        negate = pattern.startswith("!")
        pattern = pattern[1:] if negate else pattern
        if pattern.startswith("=") and len(pattern) >= 1:
            held = (value.lower() == pattern[1:].lower()) if "NC" in flags else value == pattern[1:]
            return held != negate
        if pattern in ("-f", "-d", "-s", "-l", "-F", "-x", "-U", "-e"):
            return None
        try:
            m = saferegex.search(pattern, value, re.IGNORECASE if "NC" in flags else 0)
        except re.error:
            return None
        if negate:
            return not m
        return (bool(m), [m.group(0)] + [g or "" for g in m.groups()] if m else [])

    def expand_test(self, test: str, captures: list[str], cond_captures: list[str], reads: list[str]) -> str:
        """A RewriteCond's TestString; the request headers it finds go to
        `reads` (mod_rewrite varies only on headers the request has)."""
        def var(m):
            name = m.group(1)
            header = name[5:] if name.upper().startswith("HTTP:") else HEADER_VARIABLES.get(name.upper())
            if header is not None and self.header(header) is not None:
                reads.append(header)
            return self.variable(name)
        text = re.sub(r"%\{([^}]*)\}", var, test)
        return self.substitute(text, captures, cond_captures)

    def substitute(self, text: str, captures: list[str], cond_captures: list[str]) -> str:
        """$N (rule captures), %N (condition captures) and %{VAR} (server variables)."""
        text = re.sub(r"%\{([^}]*)\}", lambda m: self.variable(m.group(1)), text)
        text = re.sub(r"\$(\d)", lambda m: captures[int(m.group(1))] if int(m.group(1)) < len(captures) else "",
                      text)
        return re.sub(r"%(\d)", lambda m: cond_captures[int(m.group(1))]
                      if int(m.group(1)) < len(cond_captures) else "", text)

    def absolute(self, location: str | None) -> str | None:
        if location is None or "://" in location:
            return location
        req = self.request
        default = 443 if req.scheme == "https" else 80
        port = "" if req.port == default else f":{req.port}"
        return f"{req.scheme}://{req.host}{port}{location if location.startswith('/') else '/' + location}"

    # -- handlers -----------------------------------------------------------------------------
    def handle(self, proxied) -> str | None:
        if proxied is not None:
            target, source = proxied
            up = self.upstream
            if up.headers is None:
                self.upstream_headers_unknown = True
            raise _Done(up.status, source, "proxy", False, upstream=list(up.headers or []))
        return self.static()

    def static(self) -> str | None:
        """The default handler with mod_dir, as measured on Apache 2.4: a
        directory URL without its slash is redirected for every method; with
        the slash its index is looked up for every method (a GET subrequest,
        then an internal redirect); OPTIONS is answered 200 with Allow for
        any mapped path (even a missing file); POST serves a file like GET;
        other methods get 405."""
        path = self.filename
        kind = self.file_kind(path)
        source = (self.host.document_root or self.conf.main.document_root or (None, None))[1]
        if kind == "dir" and not self.uri.endswith("/") and self.merged("directory_slash") is not False:
            location = self.uri + "/" + ("?" + self.request.query if self.request.query else "")
            self.note("DirectorySlash: a directory without its slash is redirected", source)
            raise _Done(301, source, "static", True, [("location", self.absolute(location))])
        if kind == "dir" and self.uri.endswith("/"):
            index = self.directory_index(path)
            if index is not None:
                # mod_dir looks the index up with a GET subrequest: <If>,
                # SetEnvIf, Require and RewriteCond see GET
                self.note(f"DirectoryIndex {index}", source)
                self.method = "GET"
                self.pass_kind = "index"
                return self.uri + index
        if self.method == "OPTIONS":
            self.note("the static handler answers OPTIONS itself: 200 with Allow", source)
            raise _Done(200, source, "static", False, [("allow", DEFAULT_METHODS_ALLOWED)])
        if self.method not in ("GET", "HEAD", "POST"):
            self.note(f"the static handler refuses {self.method}: 405", source)
            raise _Done(405, source, "static", True, [("allow", DEFAULT_METHODS_ALLOWED)])
        if kind == "dir":
            if self.method == "POST":
                raise _Done(404, source, "static", True)
            if self.merged("indexes"):
                raise _Done(200, source, "autoindex", False)
            raise _Done(403, source, "static", True)
        if kind is None:
            self.note(f"{path} does not exist: 404", source)
            raise _Done(404, source, "static", True)
        self.note(f"static file {path}", source)
        raise _Done(200, source, "static", False)

    def file_kind(self, path: str) -> str | None:
        return self.files.kind("/" if self.files.on_disk else None, path)

    def directory_index(self, directory: str) -> str | None:
        """mod_dir: the first DirectoryIndex name that is a file the GET
        subrequest for it may read.  A refused subrequest answers the
        request when it needs a user and is the only name (even for a
        missing file: access control runs first), or when no name is
        found; the answer carries the request's own sections."""
        names = self.merged("directory_index") or ["index.html"]
        refused: _Done | None = None
        for name in names:
            denied = self.subrequest_access(self.uri + name)
            if denied is None and self.file_kind(directory.rstrip("/") + "/" + name) == "file":
                return name
            if denied is not None and denied.status == 401 and len(names) == 1:
                raise denied
            refused = denied or refused
        if refused is not None:
            raise refused
        return None

    def subrequest_access(self, uri: str) -> _Done | None:
        """The access check of a GET subrequest for `uri` (None: allowed).
        Apache skips it when the subrequest merges exactly the sections of
        the request (no <Files>, <If> or <Location> of its own): the
        request's own access check then stands."""
        saved = (self.uri, self.method, self.filename, self.contexts, _copy(self.early_out), len(self.trace))
        self.uri, self.method = uri, "GET"
        try:
            self.filename = self.map_to_file()
            self.contexts = self.server_contexts() + self.merge(None)
            if [id(c) for c in self.contexts] != [id(c) for c in saved[3]]:
                self.access()
            return None
        except _Done as denied:
            return denied
        finally:
            self.uri, self.method, self.filename, self.contexts, self.early_out, trace = saved
            del self.trace[trace:]

    def merged(self, attr: str):
        value = None
        for ctx in self.contexts:
            own = getattr(ctx, attr)
            if own is not None:
                value = own
        return value

    # -- mod_headers ----------------------------------------------------------------------------
    def finish(self, done: _Done) -> Answer:
        """Build the response headers as mod_headers does: the `always`
        actions (err_headers_out) first, then, on a normal response, the
        onsuccess actions on headers_out.  On the error path only the
        `always` table is sent."""
        if done.error_path and done.status is not None and done.status >= 400:
            done = self.error_document(done)
        out = self.headers_out(done)
        always: list[HeaderLine] = []
        stripped: list[tuple[str, Source]] = []
        actions = [action for ctx in self.contexts or self.server_contexts() for action in ctx.headers]
        self.vary_sink = out
        for seq, action in enumerate(actions, start=1):
            if action.always:
                self.apply(action, always, stripped, seq)
        if not done.error_path:
            for seq, action in enumerate(actions, start=1):
                if not action.always:
                    self.apply(action, out, stripped, seq)
        self.vary_sink = None
        own = [HeaderLine(n, v, done.source) for n, v in done.headers]
        headers = _merge_vary(always + (own + out if done.error_path else out + own))
        if done.upstream is None and done.handler == "proxy":
            self.upstream_headers_unknown = True
        return Answer(done.status, headers, done.source, done.handler, self.upstream_headers_unknown,
                      self.trace, self.certain, stripped=stripped)

    def headers_out(self, done: _Done) -> list[HeaderLine]:
        """headers_out as the handler leaves it.  A proxied response's
        header block replaces it (the Vary ap_expr/mod_rewrite put there
        before is lost); an error response starts a new one, except for 204
        and 304, which Apache sends without swapping the tables."""
        if done.handler == "proxy":
            return [HeaderLine(n.lower(), v, None, from_upstream=True) for n, v in (done.upstream or [])]
        if done.error_path and done.status not in (204, 304):
            return []
        return _copy(self.early_out)

    def error_document(self, done: _Done) -> _Done:
        """ErrorDocument: a local URL is served by an internal redirect (a
        normal response, both header tables); a full URL becomes a 302."""
        document = None
        for ctx in self.contexts or self.server_contexts():
            document = ctx.error_documents.get(done.status, document)
        if document is None:
            return done
        target, source = document
        if target.startswith(("http://", "https://")):
            self.note(f"ErrorDocument (line {source.line}) redirects to {target}", source)
            return _Done(302, source, "errordocument", True, [("location", target)])
        if target.startswith("/"):
            self.note(f"ErrorDocument (line {source.line}) serves {target}", source)
            return self.error_redirect(target, done, source)
        return done

    def error_redirect(self, target: str, done: _Done, source: Source) -> _Done:
        """The internal redirect to a local ErrorDocument: a new GET request
        for that URL, with the sections, <If>s and header actions of its own
        URL and a fresh headers_out, answered with the original status.  If
        it fails in turn, Apache sends its canned page for the first error."""
        self.uri, self.method, self.handler_method = target.split("?", 1)[0], "GET", "GET"
        self.pass_kind = "redirect"
        try:
            self.follow()
        except _Done as served:
            if served.error_path:
                return done
            return _Done(done.status, source, "errordocument", False, done.headers)
        raise AssertionError("follow always decides")  # pragma: no cover

    def apply(self, action: HeaderAction, table: list[HeaderLine], stripped, seq: int) -> None:
        """One Header action on its table; `seq` is the action's place in
        the configuration (HeaderLine.seq: which of two lines came last)."""
        if not self.holds(action):
            return
        name = action.name.lower()
        verb = action.action
        if verb == "unset":
            if name.startswith("access-control-"):
                stripped.append((name, action.source))
            table[:] = [h for h in table if h.name != name]
            return
        if verb in ("edit", "edit*"):
            for h in table:
                if h.name == name and h.value is not None and action.value is not None:
                    try:
                        h.value = re.sub(action.value, (action.replacement or "").replace("$", "\\"), h.value,
                                         count=0 if verb == "edit*" else 1)
                    except re.error:
                        h.value = None
            return
        if verb == "echo":
            try:
                pattern = saferegex.compile(action.name, re.IGNORECASE)
            except re.error:
                return
            for n, v in self.request.headers:
                if pattern.search(n):
                    table.append(HeaderLine(n, v, action.source))
            return
        value, via = self.value(action.value or "")
        existing = [h for h in table if h.name == name]
        line = HeaderLine(name, value, action.source, on_errors=action.always, via=via, seq=seq)
        if verb == "set":
            table[:] = [h for h in table if h.name != name]
            table.append(line)
        elif verb == "setifempty":
            if not existing:
                table.append(line)
        elif verb == "add":
            table.append(line)
        elif verb in ("append", "merge"):
            if not existing:
                table.append(line)
                return
            first = existing[0]
            tokens = [t.strip() for t in (first.value or "").split(",")]
            if verb == "merge" and value is not None and value in tokens:
                return
            first.value = None if first.value is None or value is None else f"{first.value}, {value}"
            first.source = action.source
            first.via = first.via + via

    def holds(self, action: HeaderAction) -> bool:
        if action.condition is None:
            return True
        kind, arg = action.condition
        if kind == "env":
            return arg in self.env
        if kind == "!env":
            return arg not in self.env
        held = self.expression(arg)
        if held is None:
            self.certain = False
            return False
        return held

    def value(self, template: str) -> tuple[str | None, tuple[Source, ...]]:
        """A Header value: `%{VAR}e`, `%{Header}i`, `expr=...`; unknown parts give None."""
        via: tuple[Source, ...] = ()
        if template.startswith("expr="):
            # a string expression does not add to Vary (measured)
            value = evaluate_string(template[5:], self.variable, self.header)
            if value is None:
                self.certain = False
            return value, via
        out = []
        pos = 0
        for m in re.finditer(r"%\{([^}]*)\}([eis])|%%", template):
            out.append(template[pos:m.start()])
            pos = m.end()
            if m.group(0) == "%%":
                out.append("%")
                continue
            name, kind = m.group(1), m.group(2)
            if kind == "e":
                # an unset variable prints as "(null)" (mod_headers' format)
                out.append(self.env.get(name, "(null)"))
                via += self.env_via.get(name, ())
            else:
                # mod_headers has no request-header format: %{X}i is `%i`, the
                # server's idle percentage ("i=93"), whatever X says
                self.certain = False
                out.append("i=<idle percentage>" if kind == "i" else "<ssl variable>")
        out.append(template[pos:])
        return "".join(out), via


_REGEX_SYNTAX = re.compile(r"(?<!\\)[.^$()\[\]*+?{}|]")


def _is_regex(pattern: str) -> bool:
    """mod_setenvif treats a pattern with unescaped regex syntax as a regex."""
    return bool(_REGEX_SYNTAX.search(pattern))


def _copy(table: list[HeaderLine]) -> list[HeaderLine]:
    return [replace(h) for h in table]


def _table_merge(table: list[HeaderLine], line: HeaderLine) -> None:
    """apr_table_merge: append the value to the first line of that name."""
    for h in table:
        if h.name == line.name:
            h.value = None if h.value is None or line.value is None else f"{h.value}, {line.value}"
            return
    table.append(line)


def _merge_vary(headers: list[HeaderLine]) -> list[HeaderLine]:
    """Apache sends every Vary value of both tables as one line, each name
    once (case-insensitively), joined by "," without a space."""
    lines = [h for h in headers if h.name == "vary"]
    if len(lines) < 2 and not (lines and lines[0].value and "," in lines[0].value):
        return headers
    names: list[str] = []
    unknown = False
    for line in lines:
        if line.value is None:
            unknown = True
            continue
        for item in line.value.split(","):
            item = item.strip()
            if item and item.lower() not in (n.lower() for n in names):
                names.append(item)
    first = lines[0]
    merged = HeaderLine("vary", None if unknown else ",".join(names), first.source, first.from_upstream,
                        first.on_errors, tuple(v for line in lines for v in line.via))
    out = []
    for h in headers:
        if h.name != "vary":
            out.append(h)
        elif h is first:
            out.append(merged)
    return out


def _all_directive_names(ctx: Context):
    yield from ctx.directive_names
    for child in ctx.sections + ctx.ifs:
        yield from _all_directive_names(child)


def _override_classes() -> dict[str, str]:
    """Directive -> the AllowOverride class an .htaccess needs for it
    ("any": always allowed, "never": not in .htaccess at all).  Directives
    not listed are assumed allowed."""
    classes = {
        "fileinfo": "header requestheader setenvif setenvifnocase setenvifexpr browsermatch browsermatchnocase "
                    "setenv unsetenv passenv rewriteengine rewriterule rewritecond rewritebase rewriteoptions "
                    "errordocument redirect redirectmatch redirectpermanent redirecttemp addtype addhandler "
                    "addencoding addcharset addlanguage addoutputfilter addoutputfilterbytype defaulttype forcetype "
                    "sethandler removehandler removetype action fileetag setoutputfilter setinputfilter",
        "authconfig": "authtype authname authuserfile authgroupfile authbasicprovider authbasicauthoritative "
                      "authdbmuserfile authdbmgroupfile authmerging require satisfy",
        "indexes": "directoryindex directoryslash fallbackresource indexoptions indexignore addicon adddescription "
                   "headername readmename expiresactive expiresbytype expiresdefault",
        "limit": "allow deny order",
        "options": "options xbithack",
        "any": "<files <filesmatch <limit <limitexcept <if <elseif <else <requireany <requireall <requirenone",
        "never": "<directory <directorymatch <location <locationmatch <virtualhost proxypass proxypassmatch "
                 "proxypassreverse documentroot servername serveralias alias aliasmatch scriptalias allowoverride "
                 "allowoverridelist listen loadmodule rewritemap errorlog customlog",
    }
    return {name: cls for cls, names in classes.items() for name in names.split()}


OVERRIDE_CLASS = _override_classes()


def _negated(result: str) -> str:
    """`Require not ...` / <RequireNone>: granted becomes denied, a denial
    becomes neutral (not being refused grants nothing)."""
    if result == GRANTED:
        return DENIED
    return NEUTRAL if result in (DENIED, NO_USER) else result


def _prefix_match(uri: str, prefix: str) -> int | None:
    """How much of `uri` a <Location>, ProxyPass, Alias or Redirect path
    takes, or None: runs of slashes match runs of slashes, and the prefix
    ends at a segment boundary (`/api` takes `/api/x`, not `/apix`; `/api/`
    does not take `/api`)."""
    i = j = 0
    while i < len(prefix):
        if prefix[i] == "/":
            if j >= len(uri) or uri[j] != "/":
                return None
            while i < len(prefix) and prefix[i] == "/":
                i += 1
            while j < len(uri) and uri[j] == "/":
                j += 1
        elif j < len(uri) and uri[j] == prefix[i]:
            i += 1
            j += 1
        else:
            return None
    if prefix and prefix[-1] != "/" and j < len(uri) and uri[j] != "/":
        return None
    return j


def _dir_contains(pattern: str, directory: str) -> bool:
    base = pattern.rstrip("/") + "/"
    if any(ch in pattern for ch in "*?["):
        return _glob(pattern.rstrip("/") + "/*", directory.rstrip("/") + "/x") or _glob(pattern, directory.rstrip("/"))
    return directory.startswith(base) or pattern == "/"


def _glob(pattern: str, text: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(text, pattern)
