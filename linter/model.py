"""The server model: the one thing every input format is lowered to.

A model answers "what would this server send back for this HTTP request?"
(`ServerModel.answer`).  Rules and `simulate` only ever talk to this
interface, so one rule implementation serves nginx, Apache, frameworks and
platform YAML alike.  Anything the configuration cannot tell (a proxied
backend's headers, a file on disk, an unknown variable) is kept explicit as
*unknown* instead of being guessed.

This module is the contract between the lowerings and everything above
them: `ServerModel` (what a lowering implements), `Parsed` (what its reader
reports), the values an `Answer` is made of (`Handler` names who answered),
and the structured facts a model may state beside its answers (`facts()`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import namedtuple
from collections.abc import Iterator
from functools import cached_property, lru_cache

from .backend import FileOracle, Upstream
from .cors import ACRH, ACRM, ORIGIN
from .record import field, record
from .urls import split as split_url


@lru_cache(maxsize=4096)
def valid_authority(host: str, port: int) -> bool:
    """Whether `http://host:port/` is a URL a browser can request (a server
    name such as `[x` or a port above 65535 in a broken file is not)."""
    if not host or any(c in host for c in "/?#@\\ \t\r\n\0"):
        return False
    try:
        parts = split_url(f"http://{host}:{port}/")
        return parts.hostname is not None and parts.port is not None
    except ValueError:
        return False


class Source(namedtuple("Source", "path line")):
    """A place in a configuration file (1-based line).  (A plain namedtuple:
    `typing.NamedTuple` costs a pre-commit run 2 ms of importing `typing`.)"""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


#: the combined header values of each distinct request header list (Request._combined)
_COMBINED: dict[tuple, dict[str, str]] = {}
MAX_COMBINED = 1024


@record(frozen=True)
class Request:
    """One HTTP request as the server receives it.

    `headers` holds lower-case names in the order sent; `Origin`,
    `Access-Control-Request-Method` and `-Headers` live there too.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """The combined value of a request header (lines joined by ', ')."""
        return self._combined.get(name.lower())

    @cached_property
    def _combined(self) -> dict[str, str]:
        """Shared by every request with the same header list (read-only):
        probes send a dozen browser headers, in a few distinct lists, tens
        of thousands of times."""
        combined = _COMBINED.get(self.headers)
        if combined is None:
            if len(_COMBINED) >= MAX_COMBINED:
                _COMBINED.clear()
            combined = _COMBINED[self.headers] = {}
            for n, v in self.headers:
                combined[n] = combined[n] + ", " + v if n in combined else v
        return combined

    @cached_property
    def parts(self):
        return split_url(self.url)

    @property
    def scheme(self) -> str:
        return self.parts.scheme or "http"

    @property
    def host(self) -> str:
        return (self.parts.hostname or "localhost").lower()

    @property
    def port(self) -> int:
        parts = self.parts
        if parts.port:
            return parts.port
        return 443 if parts.scheme == "https" else 80

    @property
    def site(self) -> str:
        """`scheme://host`, with `:port` unless it is the scheme's default:
        what a server puts before the path of an absolute URL it makes."""
        port = self.port
        return f"{self.scheme}://{self.host}" + ("" if port == (443 if self.scheme == "https" else 80) else f":{port}")

    @property
    def path(self) -> str:
        """Path without the query string."""
        return self.parts.path or "/"

    @property
    def query(self) -> str:
        return self.parts.query

    @property
    def target(self) -> str:
        """The request target as sent on the request line (path and query)."""
        return self.path + ("?" + self.query if self.query else "")

    def describe(self) -> str:
        """The request in the words findings use:
        `OPTIONS /api/ from https://app.example.com (PUT, authorization)`."""
        origin = self.header(ORIGIN)
        text = f"{self.method} {self.target}"
        if origin is not None:
            text += f" from {origin}"
        extra = [v for v in (self.header(ACRM), self.header(ACRH)) if v]
        if extra:
            text += f" ({', '.join(extra)})"
        return text


@record
class HeaderLine:
    """One response header line.

    `value is None` means the value is unknown (it comes from a backend or a
    variable the linter cannot evaluate).  `source` is the directive that
    produced the line; it is None for lines a backend sent.
    """

    name: str
    value: str | None
    source: Source | None = None
    from_upstream: bool = False
    #: False when the directive sends it on success statuses only
    #: (nginx `add_header` without `always`, Apache `Header onsuccess`)
    on_errors: bool = True
    #: configuration lines that decided the value: the `map` entry or the
    #: `if` that admitted the request's Origin
    via: tuple[Source, ...] = ()
    #: when the line was produced, for servers whose wire order is not the
    #: order of the directives (Apache sends its `always` table first)
    seq: int = 0
    #: the value is a package's default, not something the user wrote (a
    #: finding about the value itself would blame the wrong person)
    default: bool = False


class Handler:
    """Who produced a response (`Answer.handler`), named once for every
    format.  Plain strings, not an Enum: they are compared on every probe
    answer, and printed as they are."""

    #: the configuration answers itself: nginx `return`, a rewrite or
    #: redirect directive, a framework's trailing-slash redirect
    RETURN = "return"
    REWRITE = "rewrite"
    REDIRECT = "redirect"
    #: nginx: a rewrite loop ends in 500
    REWRITE_CYCLE = "rewrite-cycle"
    #: the server's static file handler (nginx `root`/`alias`, Apache's
    #: default handler, a framework's static mount), its directory listing,
    #: nginx `try_files`, and nginx's 500 for an `alias` it cannot apply
    STATIC = "static"
    AUTOINDEX = "autoindex"
    TRY_FILES = "try_files"
    ALIAS = "alias"
    #: a backend answers (its status is `upstream.status`)
    PROXY = "proxy"
    #: access control refuses the request (nginx `deny`, Apache `Require`)
    DENY = "deny"
    #: authentication refuses the request
    AUTH = "auth"
    AUTH_BASIC = "auth_basic"
    AUTH_REQUEST = "auth_request"
    #: a framework's or gateway's CORS layer answers
    MIDDLEWARE = "middleware"
    #: a framework answers OPTIONS itself (no route handles it)
    AUTO_OPTIONS = "auto-options"
    #: routing found nothing (a framework's or gateway's 404)
    NOT_FOUND = "not-found"
    #: the application's own handler
    APP = "app"
    #: an error page or document answers in place of the status
    ERROR_PAGE = "error_page"
    ERRORDOCUMENT = "errordocument"
    #: nginx: an `internal` location reached from outside (404)
    INTERNAL = "internal"
    #: Apache's 500s: too many internal redirects; an .htaccess directive
    #: that AllowOverride does not allow
    INTERNAL_REDIRECTS = "internal-redirects"
    HTACCESS = "htaccess"
    #: the configuration cannot tell
    UNKNOWN = "unknown"

    #: what refuses a request for lack of credentials (a preflight never has them)
    AUTHENTICATION = frozenset({AUTH, AUTH_BASIC, AUTH_REQUEST})


@record
class Answer:
    """What the server sends back for one request.

    status None
        unknown (for example a proxied backend without `--upstream-status`).
    upstream_headers_unknown
        the backend's own headers are not known, so it may add (CORS)
        headers the configuration does not show.
    status_source
        the directive that decided the status (`return 204`, `deny all`,
        `limit_except`, the static handler's `root`, `proxy_pass`...).
    handler
        who produced the response: one of the `Handler` values, a
        vocabulary shared by every format.
    trace
        the decisions taken, in order, as human-readable lines with their
        sources: what `simulate` prints under "why".
    stripped
        headers the backend sent that a directive removed (nginx
        `proxy_hide_header`, `more_clear_headers`; Apache `Header unset`).
    certain
        False when an unknown condition (an `if (-f ...)`, an unknown
        variable) had to be assumed on the way.
    """

    status: int | None
    headers: list[HeaderLine] = field(default_factory=list)
    status_source: Source | None = None
    handler: str = ""
    upstream_headers_unknown: bool = False
    trace: list[tuple[str, Source | None]] = field(default_factory=list)
    certain: bool = True
    scope: "Scope | None" = None
    #: headers a directive removed on the way out (name, the removing line)
    stripped: list[tuple[str, Source]] = field(default_factory=list)
    #: CORS lines the configuration has for this request that its status
    #: leaves out (Apache's onsuccess table on a redirect or error httpd
    #: makes itself): what a redirected request lacks and why (CORS406)
    withheld: list[HeaderLine] = field(default_factory=list)
    _by_name: tuple | None = field(default=None, repr=False, compare=False)
    #: False when answering never read the request's Origin header, so the
    #: answer is the same for every origin (probes can share it); models
    #: that do not tell keep True
    reads_origin: bool = field(default=True, repr=False, compare=False)
    #: the client address an address rule decided this answer for (nginx
    #: `allow`/`deny` or `$remote_addr`, Apache `Require ip/host/local`):
    #: findings say "for a remote client (203.0.113.10)"; None when the
    #: address played no part
    client_addr: str | None = field(default=None, repr=False, compare=False)

    def values(self, name: str) -> list[str | None]:
        return [h.value for h in self.lines(name)]

    def lines(self, name: str) -> list[HeaderLine]:
        """The lines of one header, in the order sent."""
        index = self._by_name
        if index is None or index[0] != len(self.headers):
            index = self._index()
        return index[1].get(name.lower(), [])

    def config_lines(self, name: str) -> list[HeaderLine]:
        """The lines of one header that a configuration directive produced.
        (Rules ask this hundreds of thousands of times in a large run: the
        index check is written out here rather than called.)"""
        index = self._by_name
        if index is None or index[0] != len(self.headers):
            index = self._index()
        return index[2].get(name.lower(), [])

    def _index(self) -> tuple[int, dict, dict]:
        """(header count, lines grouped by name, configuration-made lines
        grouped by name), built again when the header list changed."""
        every: dict[str, list[HeaderLine]] = {}
        configured: dict[str, list[HeaderLine]] = {}
        for h in self.headers:
            every.setdefault(h.name, []).append(h)
            if h.source is not None:
                configured.setdefault(h.name, []).append(h)
        index = self._by_name = (len(self.headers), every, configured)
        return index

    def get(self, name: str) -> str | None:
        """The combined value as a browser reads it (lines joined by ', '),
        None when absent or when any line's value is unknown."""
        values = self.values(name)
        if not values or any(v is None for v in values):
            return None
        return ", ".join(values)  # type: ignore[arg-type]

    def has(self, name: str) -> bool:
        return bool(self.lines(name))

    @property
    def is_redirect(self) -> bool:
        return self.status is not None and 300 <= self.status < 400 and self.status != 304

    @property
    def is_ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@record(frozen=True)
class OriginPattern:
    """An origin allow-list regex found in a configuration (an nginx `if`
    on `$http_origin`, a `map` entry, a framework's origin regex)."""

    regex: str
    ignore_case: bool
    source: Source
    full_match: bool = False


@record
class Scope:
    """A part of the server that answers requests on its own terms: an nginx
    `location`, an Apache `<Directory>`, a framework route or resource.

    Rules probe each scope with requests to `url`.  The facts are what the
    configuration shows about its clients (used by CORS301/302) and about
    how it is served (used by CORS101/404).
    """

    name: str
    url: str
    source: Source
    proxied: bool = False
    static: bool = False
    authenticates: bool = False
    served_methods: tuple[str, ...] = ()
    origin_patterns: tuple[OriginPattern, ...] = ()
    literal_origins: tuple[str, ...] = ()
    #: allow-list entries as written, with their lines: values the request's
    #: Origin is compared with (never sent as they are), so one a browser
    #: cannot send (`https://app.example.com/`) lets no page in (CORS207)
    origin_entries: tuple[tuple[str, Source], ...] = ()
    #: False when nothing in the scope reads the request's Origin, so the
    #: answer is the same for every origin (probes can share it)
    origin_sensitive: bool = True
    #: False when no configuration line here can emit a CORS header
    emits_cors: bool = True
    #: a backend that cannot be reached is answered by an error page of the
    #: configuration (nginx `error_page 502`), whose headers are its own:
    #: probes ask that answer too (CORS404)
    backend_error_page: bool = False


@record
class Parsed:
    """What reading a model's input gave, as the engine reports it.  Every
    lowering's parse result is one: the framework and platform readers
    build it as it is, nginx `ParsedConfig` and Apache `ApacheParse` extend
    it with what following includes needs (`confine.ConfigReading`)."""

    #: the root file, as shown in findings
    path: str
    #: every file read, root first: each is scanned for suppressions, and a
    #: root another root includes is linted in that root's context
    files: list[str] = field(default_factory=list)
    #: what could not be read or parsed (reported; the run exits 2)
    errors: list = field(default_factory=list)
    #: what was left unread or only partly judged (an include missing, outside
    #: the configuration root, unmapped), reported as notices at their line
    #: (--strict: input errors): none unless a reader keeps its own list
    notices: list | tuple = ()
    #: well-known system files (mime.types) included but not in the repository:
    #: one quiet line for the run, not a notice per file
    quiet: list | tuple = ()
    #: the deployment-path mappings (mapping.Mapping) includes were read through
    mapped: list | tuple = ()


class ServerModel(ABC):
    """What every lowering produces: the interface rules, probes, `simulate`
    and the engine use, and all they use, on a model."""

    #: the file the model was built from (as given on the command line)
    path: str = ""
    #: what reading the files gave (files, errors, notices)
    parsed: Parsed
    #: (index, count): this process judges only that share of the model's
    #: independent units (nginx servers), see engine.judge
    share: tuple[int, int] = (0, 1)
    #: True when `scopes()` and `facts()` hold only the current share's part
    #: and the shares never share an answer (then the model is judged in batches)
    shares_independent = False
    #: lines every finding on this model points to as well (diagnostics.Related):
    #: how the input was read, when that is not the obvious way (an options
    #: module judged as passed to cors())
    related: tuple = ()

    @abstractmethod
    def scopes(self) -> list[Scope]:
        """The parts of the server that answer on their own terms, each
        probed by the rules (only this process's `share` of them)."""

    def size(self) -> int:
        """How many scopes the model has (decides whether judging it is worth splitting)."""
        return len(self.scopes())

    @abstractmethod
    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        """What the server sends back for `request`.

        upstream
            what a proxied backend answers (its status, and its headers or
            None when they are unknown); None: the backend is unknown, so a
            proxied answer has an unknown status and unknown headers.
        files
            which paths exist on disk (for `try_files`, `-f` tests, static
            files); None: the files as the configuration's own lookups
            would find them, unknown where it cannot tell.
        client_addr
            the client's address (for `allow`/`deny`, `Require ip`); None:
            unknown, so address checks are explored both ways.
        """

    def facts(self) -> Iterator[object]:
        """Structured facts a model states beside its answers (the classes
        below); rules look them up by class (`ProbeContext.model_facts`)."""
        return iter(())


# --------------------------------------------------------------------------- facts
# What answers cannot show, stated by the lowering that knows it; each
# class serves one rule, and rules import them from here, never from a
# format package.

@record
class MiddlewareOrder:
    """A fact for CORS501: the CORS middleware sits after one that can answer first."""

    source: Source
    message: str
    related: list[tuple[Source, str]] = field(default_factory=list)


@record
class RejectedAtStartup:
    """A fact for CORS502: the server or framework refuses this configuration
    when it starts (Apache's `apache2 -t`, django-cors-headers' checks...)."""

    source: Source
    message: str
    related: list[tuple[Source, str]] = field(default_factory=list)


@record
class RiskyDefault:
    """A fact for CORS503: a platform default or silent fallback that
    creates a CORS problem nobody wrote down (the message names the platform
    version or behaviour it depends on)."""

    source: Source
    message: str
    related: list[tuple[Source, str]] = field(default_factory=list)


class DroppedHeaders:
    """A fact for CORS403: a level (nginx location or `if`) with its own
    add_header lines, which make nginx drop the CORS add_header lines it
    would otherwise inherit."""

    def __init__(self, source: Source, level: str, dropped: list[tuple[str, Source]]):
        self.source = source
        self.level = level
        self.dropped = dropped


@record
class ConfiguredCors:
    """A fact for CORS504: CORS configuration is written (`what`, at
    `source`) for requests to `url` from `origins`, and `why` is what the
    configuration shows about its not being applied.  The rule does not take
    `why` on trust: it reports only when the model's answers to those
    requests carry no CORS header at all."""

    source: Source
    what: str
    url: str
    why: str
    origins: tuple[str, ...] = ()
    related: list[tuple[Source, str]] = field(default_factory=list)
