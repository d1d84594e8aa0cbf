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

`Evaluation` holds the per-request state and runs the cycle; each phase
lives in the module named for the httpd module it mirrors:

    sections.py       core: <VirtualHost> selection, the section merge, <If>
    htaccess.py       core: .htaccess files and AllowOverride
    setenv.py         mod_setenvif, mod_env
    rewrite.py        mod_rewrite
    proxy.py          mod_proxy: ProxyPass and the proxy handler
    alias.py          mod_alias: Redirect, Alias, DocumentRoot
    access.py         mod_authz_core: Require
    static.py         the default handler with mod_dir
    errordocument.py  ErrorDocument
    headers.py        mod_headers and the two header tables
    outcome.py        `Done`, the answer a phase decides
"""

from __future__ import annotations

from ..backend import FileOracle, Upstream
from ..cors import VARY
from ..model import Answer, Handler, HeaderLine, Request, Source
from . import access, alias, errordocument, headers, proxy, rewrite, sections, setenv, static
from .conf import ApacheConf, Context, Require, VirtualHost
from .expr import HEADER_VARIABLES, Unknown, evaluate_bool
from .outcome import Done

MAX_INTERNAL_REDIRECTS = 10


class Evaluation:
    """One request on its way through the phases, and the state they share."""

    def __init__(self, conf: ApacheConf, request: Request, upstream: Upstream, files: FileOracle,
                 client_addr: str | None, htaccess_files: dict[str, tuple[str, Context]],
                 assumed: dict[str, tuple | bool] | None = None):
        self.conf = conf
        self.request = request
        self.upstream = upstream
        self.files = files
        self.client_addr = client_addr
        #: a `Require ip/host/local` was checked against client_addr
        self.address_decides = False
        self.htaccess_files = htaccess_files    # directory -> (display path, context)
        self.method = request.method
        self.uri = request.path
        #: environment variables set outside the files (apache/unknowns.py): when the request arrives
        #: (SetEnvIf) and in the fixups phase (SetEnv, PassEnv); None: a value the model does not know
        assumed = [(name, value) for name, value in (assumed or {}).items() if value is not False]
        self.outside = {name: value for name, (when, value) in assumed if when == "request"}
        self.outside_fixups = {name: value for name, (when, value) in assumed if when == "fixups"}
        #: the request's environment; None: a variable set to a value the model does not know
        self.env: dict[str, str | None] = dict(self.outside)
        self.env_via: dict[str, tuple[Source, ...]] = {}
        self.trace: list[tuple[str, Source | None]] = []
        self.certain = True
        self.host: VirtualHost = conf.main
        self.contexts: list[Context] = []
        #: the file translate_name maps the URI to (not set for a proxied request)
        self.filename = ""
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

    # -- what the phases read ------------------------------------------------------------
    def header(self, name: str) -> str | None:
        """The request header `name` (None: not sent)."""
        return self.request.header(name)

    def variable(self, name: str) -> str:
        """A server variable for RewriteCond / ap_expr (raises on unknown ones)."""
        upper = name.upper()
        if upper.startswith("HTTP:"):
            return self.header(name[5:]) or ""
        if upper.startswith("ENV:"):
            value = self.env.get(name[4:], "")
            if value is None:
                raise Unknown(name)
            return value
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
        value = self.env.get(name)
        if value is None:
            raise Unknown(name)
        return value

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
            headers.table_merge(table, HeaderLine(VARY, ", ".join(names), None))

    def server_contexts(self) -> list[Context]:
        """The server's context and, inside a <VirtualHost>, the vhost's: merged
        before every section."""
        contexts = [self.conf.main.context]
        if self.host is not self.conf.main:
            contexts.append(self.host.context)
        return contexts

    def merged(self, attr: str):
        """A per-directory setting after the merge: the last context that sets it wins."""
        value = None
        for ctx in self.contexts:
            own = getattr(ctx, attr)
            if own is not None:
                value = own
        return value

    def file_kind(self, path: str) -> str | None:
        """The kind of a path: "file", "dir" or None (missing), as the file oracle says."""
        return self.files.kind("/" if self.files.on_disk else None, path)

    def absolute(self, location: str | None) -> str | None:
        """A Location value made absolute with the request's scheme, Host and port."""
        if location is None or "://" in location:
            return location
        return self.request.site + (location if location.startswith("/") else "/" + location)

    # -- the request cycle ------------------------------------------------------------------
    def run(self) -> Answer:
        """The answer: the vhost, server-level SetEnvIf, the phases until the
        request is decided, then the response headers."""
        self.host = sections.select_vhost(self)
        if self.host is not self.conf.main:
            self.note(f"<VirtualHost> (line {self.host.source.line}) "
                      f"{self.host.names[0] if self.host.names else ''}".rstrip(), self.host.source)
        try:
            setenv.apply(self, self.server_contexts())
            self.follow()
        except Done as done:
            return self.finish(done)
        raise AssertionError("process always decides")  # pragma: no cover

    def follow(self) -> None:
        """Process the URI through its internal redirects; raises Done."""
        for _ in range(MAX_INTERNAL_REDIRECTS):
            self.uri = self.process()   # a new URI, or Done once answered
        raise Done(500, None, Handler.INTERNAL_REDIRECTS, True)

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
            self.env = {f"REDIRECT_{k}": v for k, v in self.env.items()} | self.outside
            self.env_via = {f"REDIRECT_{k}": v for k, v in self.env_via.items()}
            setenv.apply(self, self.server_contexts())
        # httpd 2.4 walks <Location> and <If> once before translate_name, so a
        # server-context RewriteRule answering [R=204] already has them
        self.contexts = self.server_contexts()
        self.contexts = self.contexts + sections.with_ifs(self, sections.locations(self))
        proxied = self.translate()
        self.contexts = self.server_contexts() + sections.merge(self, proxied)
        per_dir = self.contexts[len(self.server_contexts()):]
        if kind != "index":
            setenv.apply(self, per_dir)
        if kind != "index":
            access.check(self)
        redirect = rewrite.fixup(self, proxied)
        if kind == "index":
            self.early_out = self.early_out + main_out   # ap_internal_fast_redirect's overlay
        if redirect is not None and not proxied and self.rewrite_proxy is None:
            self.pass_kind = "redirect"
            return redirect
        if kind != "index":
            # mod_alias's fixup: Redirect in <Directory>, <Location>, .htaccess
            # (merged: the later section's rules first), after mod_rewrite's
            for ctx in reversed(per_dir):
                for how, status, pattern, target, source in ctx.redirects:
                    alias.redirect(self, how, status, pattern, target, source)
        # fixups: mod_env's SetEnv (an answer decided earlier never sees it)
        self.env.update(self.outside_fixups)
        setenv.apply(self, self.contexts, fixup=True)
        # the index subrequest ran as a GET up to here
        self.method = self.handler_method
        backend = proxied or self.rewrite_proxy
        if backend is not None:
            proxy.handler(self, backend)
        return static.handler(self)

    def translate(self):
        """translate_name: server-context rewrite, ProxyPass, mod_alias."""
        host_ctx = self.host.context if self.host is not self.conf.main else self.conf.main.context
        if host_ctx.rewrite_engine:
            result = rewrite.apply_rules(self, host_ctx.rewrite_rules, self.uri, per_dir=None)
            if self.rewrite_proxy is not None:
                return self.rewrite_proxy
            if result is not None:
                self.uri = result
        backend = proxy.backend_for(self)
        if backend is not None:
            return backend
        for ctx in self.server_contexts():
            for kind, status, pattern, target, source in ctx.redirects:
                alias.redirect(self, kind, status, pattern, target, source)
        self.filename = alias.map_to_file(self)
        return None

    def finish(self, done: Done) -> Answer:
        """The response: a status >= 400 on the error path goes to its
        ErrorDocument first, then mod_headers builds the header lines."""
        if done.error_path and done.status is not None and done.status >= 400:
            done = errordocument.error_document(self, done)
        return headers.answer(self, done)
