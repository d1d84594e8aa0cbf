"""flask-cors 6.x option semantics, mirrored without importing flask-cors.

flask-cors merges its options (defaults < `CORS_*` app config < `CORS()`
keywords < `init_app()` keywords < per-resource options), normalises them
once (`serialize_options`) and computes the headers per request
(`get_cors_headers`).  This module does the same on statically known
values, where any value may be `Unknown`: a header whose value or presence
depends on an unknown value becomes a `HeaderLine` with value None and the
answer is marked uncertain, so rules never report a guess.

Behaviours copied exactly because they surprise (flask_cors/core.py):
- an origin or header entry is a regex when it contains any of ``*\\]?$^[()``;
  regexes are compiled with IGNORECASE and matched with `re.match` (start
  anchored only); `'*'` becomes `'.*'`;
- with `origins='*'` and `send_wildcard=False` (both defaults) the request
  Origin is reflected, with credentials too;
- `methods` lists are sorted and upper-cased, and the requested method is
  checked as a *substring* of that joined string;
- Allow-Methods/-Headers and Max-Age are sent only when the requested method
  is allowed; empty values (`max_age=0`, no matching header) are dropped;
- `Vary: Origin` only when the answer is not `*` and there are several
  origins or a regex (a single literal origin gets none).
"""

from __future__ import annotations

import re

from ... import saferegex
from ...code.values import Unknown, is_unknown
from ...cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRH, ACRM, MAX_AGE, ORIGIN
from ...model import HeaderLine, Request, Source
from ...record import field, record

ALL_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
DEFAULTS = {
    "origins": "*", "methods": list(ALL_METHODS), "allow_headers": "*", "expose_headers": None,
    "supports_credentials": False, "max_age": None, "send_wildcard": False, "automatic_options": True,
    "vary_header": True, "resources": r"/*", "intercept_exceptions": True, "always_send": True,
    "allow_private_network": False,
}
_REGEX_HINTS = frozenset("*\\]?$^[]()")


@record(frozen=True)
class Regex:
    """A pattern compiled by flask-cors (or written as `re.compile(...)`)."""

    pattern: str
    ignore_case: bool

    def compiled(self) -> re.Pattern:
        return saferegex.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)


@record(frozen=True)
class Setting:
    """One option value and the line that decided it (the call for defaults)."""

    value: object
    source: Source


@record
class Level:
    """One merge level: app config, a call's keywords, a resource's options.
    `opaque` (a reason) means it may set any option (`**kwargs`,
    `config.from_object(...)`)."""

    items: dict[str, Setting] = field(default_factory=dict)
    opaque: str | None = None
    source: Source | None = None


def merge(default_source: Source, levels: list[Level]) -> dict[str, Setting]:
    """flask-cors `merge_options`: the last level that sets an option wins."""
    out = {name: Setting(value, default_source) for name, value in DEFAULTS.items()}
    for level in levels:
        if level.opaque is not None:
            out = {name: Setting(Unknown(level.opaque), level.source or default_source) for name in out}
        out.update(level.items)
    return out


class StartupError(Exception):
    """flask-cors raises ValueError for this configuration."""

    def __init__(self, message: str, source: Source, related: list[tuple[Source, str]] | None = None):
        super().__init__(message)
        self.source = source
        self.related = related or []


def probably_regex(value) -> bool:
    return isinstance(value, Regex) or (isinstance(value, str) and not _REGEX_HINTS.isdisjoint(value))


def resolve_pattern(value, source: Source, ignore_case: bool, what: str):
    """A literal stays a string; a regex-looking string becomes a Regex
    (flask-cors 6 compiles it at setup and raises on an invalid one)."""
    if isinstance(value, str) and probably_regex(value):
        try:
            re.compile(value)
        except re.error as exc:
            raise StartupError(f"flask-cors raises ValueError at setup: the {what} {value!r} looks like a regular "
                               f"expression to flask-cors (it contains one of * \\ ] ? $ ^ [ ( )) and does not "
                               f"compile ({exc})", source) from None
        return Regex(value, ignore_case)
    return value


def _sanitize(value) -> list:
    """`ensure_iterable` + `re_fix`: a scalar becomes a list, `'*'` becomes `'.*'`."""
    items = [value] if isinstance(value, (str, Regex)) or not isinstance(value, (list, tuple, set, frozenset)) \
        else list(value)
    return [".*" if item == "*" else item for item in items]


def _flexible_str(value):
    if value is None or is_unknown(value):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        if any(is_unknown(v) for v in value):
            return Unknown("depends on a list element")
        return ", ".join(str(item) for item in sorted(value, key=str))
    return str(value)


def _truth(value):
    return value if is_unknown(value) else bool(value)


@record
class Options:
    """Resolved options (flask-cors `_ComputedCorsOptions`); any field may be Unknown."""

    settings: dict[str, Setting]
    origins: list | Unknown
    allow_all: bool | Unknown
    allow_headers: list | Unknown
    methods: str | None | Unknown
    expose_headers: str | None | Unknown
    max_age: object
    credentials: bool | Unknown
    send_wildcard: bool | Unknown
    automatic_options: bool | Unknown
    vary_header: bool | Unknown
    intercept_exceptions: bool | Unknown
    always_send: bool | Unknown
    private_network: bool | Unknown

    def src(self, name: str) -> Source:
        return self.settings[name].source

    @property
    def regexes(self) -> list[Regex]:
        return [] if is_unknown(self.origins) else [o for o in self.origins if isinstance(o, Regex)]

    @property
    def literals(self) -> list[str]:
        return [] if is_unknown(self.origins) else [o for o in self.origins if isinstance(o, str)]

    @property
    def wildcard_only(self) -> bool:
        """Every request gets `*`: the answer never depends on the Origin."""
        return self.allow_all is True and self.send_wildcard is True


def _patterns(setting: Setting, what: str) -> tuple[list | Unknown, bool | Unknown]:
    raw = setting.value
    if is_unknown(raw):
        return raw, raw
    items = _sanitize(raw)
    if any(is_unknown(i) for i in items):
        return Unknown(f"depends on an unknown {what}"), Unknown(f"depends on an unknown {what}")
    allow_all = ".*" in items
    return [resolve_pattern(i, setting.source, True, what) for i in items], allow_all


def resolve(settings: dict[str, Setting]) -> Options:
    """flask-cors `serialize_options`; raises StartupError where flask-cors raises."""
    value = {name: s.value for name, s in settings.items()}
    origins, allow_all = _patterns(settings["origins"], "origin")
    credentials, wildcard = _truth(value["supports_credentials"]), _truth(value["send_wildcard"])
    if allow_all is True and credentials is True and wildcard is True:
        raise StartupError("flask-cors raises ValueError at setup: send_wildcard=True cannot be combined with "
                           "supports_credentials=True and origins '*'", settings["send_wildcard"].source,
                           [(settings["supports_credentials"].source, "supports_credentials"),
                            (settings["origins"].source, "origins")])
    allow_headers, _ = _patterns(settings["allow_headers"], "allowed header")
    methods = _flexible_str(value["methods"])
    if isinstance(methods, str):
        methods = methods.upper()
    max_age = value["max_age"]
    if isinstance(max_age, TimeDelta):
        max_age = str(max_age.seconds)
    return Options(settings, origins, allow_all, allow_headers, methods, _flexible_str(value["expose_headers"]),
                   max_age, credentials, wildcard, _truth(value["automatic_options"]),
                   _truth(value["vary_header"]), _truth(value["intercept_exceptions"]),
                   _truth(value["always_send"]), _truth(value["allow_private_network"]))


@record(frozen=True)
class TimeDelta:
    """`datetime.timedelta(...)` with constant arguments (flask-cors sends its whole seconds)."""

    seconds: int


def _matches(value: str, patterns: list) -> bool:
    """flask-cors `try_match_any_pattern` (case-insensitive)."""
    for pattern in patterns:
        if isinstance(pattern, Regex):
            if pattern.compiled().match(value):
                return True
        elif str(pattern).casefold() == value.casefold():
            return True
    return False


def _allowed_origins(opts: Options, origin: str | None):
    """flask-cors `get_cors_origins`: the Allow-Origin values, None (no CORS
    headers at all) or Unknown."""
    if origin:
        if is_unknown(opts.allow_all):
            return opts.allow_all
        if opts.allow_all and (is_unknown(opts.send_wildcard) or opts.send_wildcard):
            return opts.send_wildcard if is_unknown(opts.send_wildcard) else ["*"]
        return [origin] if _matches(origin, opts.origins) else None
    if is_unknown(opts.always_send) or not opts.always_send:
        return opts.always_send if is_unknown(opts.always_send) else None
    if is_unknown(opts.allow_all):
        return opts.allow_all
    if opts.allow_all:
        if is_unknown(opts.credentials):
            return opts.credentials
        return None if opts.credentials else ["*"]
    return sorted(opts.literals) or None


def cors_headers(opts: Options, request: Request) -> tuple[list[HeaderLine], bool]:
    """flask-cors `get_cors_headers`: (lines in the order sent, certain)."""
    certain = True
    found = _allowed_origins(opts, request.header(ORIGIN))
    if found is None:
        return [], True
    out: list[tuple[str, object, Source]] = []

    def put(name: str, value, source: Source) -> None:
        nonlocal certain
        if is_unknown(value):
            certain = False
            out.append((name, None, source))
        elif value:   # flask-cors drops empty values (max_age=0, no matching header)
            out.append((name, str(value), source))

    put(ACAO, found if is_unknown(found) else found[0], opts.src("origins"))
    put(ACEH, opts.expose_headers, opts.src("expose_headers"))
    if is_unknown(opts.credentials) or opts.credentials:
        put(ACAC, opts.credentials if is_unknown(opts.credentials) else "true", opts.src("supports_credentials"))
    if request.header("access-control-request-private-network") == "true":
        network = opts.private_network
        put("access-control-allow-private-network", network if is_unknown(network) else str(network).lower(),
            opts.src("allow_private_network"))
    if request.method == "OPTIONS":
        asked = (request.header(ACRM) or "").upper()
        methods = opts.methods
        allowed = methods if is_unknown(methods) else bool(asked and methods and asked in methods)
        if is_unknown(allowed) or allowed:
            sure = not is_unknown(allowed)
            put(ACAH, _allow_headers(opts, request) if sure else allowed, opts.src("allow_headers"))
            put(MAX_AGE, opts.max_age if sure else allowed, opts.src("max_age"))
            put(ACAM, methods, opts.src("methods"))
    put("vary", _vary(opts, found), opts.src("vary_header") if opts.vary_header is False else opts.src("origins"))
    lines = [HeaderLine(name, value, source) for name, value, source in out]
    return lines, certain and not is_unknown(found)


def _allow_headers(opts: Options, request: Request):
    asked = request.header(ACRH)
    if not asked:
        return None
    if is_unknown(opts.allow_headers):
        return opts.allow_headers
    names = [h.strip() for h in asked.split(",")]
    return ", ".join(sorted(h for h in names if _matches(h, opts.allow_headers)))


def _vary(opts: Options, found):
    """`Vary: Origin` when the value can vary: not `*`, several origins or a regex."""
    if is_unknown(opts.vary_header):
        return opts.vary_header
    if not opts.vary_header:
        return None
    if is_unknown(found) or is_unknown(opts.origins):
        return Unknown("depends on the origins")
    if found[0] == "*":
        return None
    varies = len(opts.origins) > 1 or len(found) > 1 or any(isinstance(o, Regex) for o in opts.origins)
    return "Origin" if varies else None
