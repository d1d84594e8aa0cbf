"""django-cors-headers 4.x: what its CorsMiddleware sends, on statically known settings.

What the real package does (corsheaders/middleware.py, conf.py, 4.9.0),
and so what `CorsMiddleware` reproduces:

- The middleware works on every path `re.match(CORS_URLS_REGEX, path)`
  accepts (default `^.*$`).  There it patches `Vary: origin` onto every
  response, whatever the origin.
- An OPTIONS request with `Access-Control-Request-Method` on such a path is
  answered by the middleware itself: 200, empty body, nothing below it in
  MIDDLEWARE runs.  Requested methods and headers are never checked.
- The origin is allowed when CORS_ALLOW_ALL_ORIGINS is truthy, when it is
  `null` and `null` is listed, when an entry of CORS_ALLOWED_ORIGINS has
  the same scheme and netloc (a path in the entry is ignored, a schemeless
  entry matches `null`), or when a CORS_ALLOWED_ORIGIN_REGEXES entry
  `re.match`es it (anchored at the start only).  Allowed: ACAO is `*` for
  allow-all without credentials, else the request's own origin; ACAC
  `true` with credentials; ACEH when CORS_EXPOSE_HEADERS is non-empty;
  on any OPTIONS, ACAH/ACAM joined with ", " and Max-Age when truthy.
- Old names (CORS_ORIGIN_ALLOW_ALL, CORS_ORIGIN_WHITELIST,
  CORS_ORIGIN_REGEX_WHITELIST) are read when the new one is not set.

Package defaults (methods, headers, max-age) are attributed to the
CorsMiddleware line: that line is what sends them.  Settings read from the
environment are unknown, and so are the header values that depend on them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ... import saferegex
from ...code.values import is_unknown
from ...cors import ACAC, ACAH, ACAM, ACAO, ACEH, MAX_AGE, ORIGIN
from ...diagnostics import InputError
from ...model import Answer, HeaderLine, OriginPattern, Request, Source
from ...record import record
from .source import DEFAULTS, MISSING, SettingsModule

CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
#: (key, current name, pre-4 name, package default)
SETTINGS = (
    ("allow_all", "CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False),
    ("origins", "CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ()),
    ("regexes", "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ()),
    ("credentials", "CORS_ALLOW_CREDENTIALS", None, False),
    ("methods", "CORS_ALLOW_METHODS", None, DEFAULTS["default_methods"]),
    ("headers", "CORS_ALLOW_HEADERS", None, DEFAULTS["default_headers"]),
    ("expose", "CORS_EXPOSE_HEADERS", None, ()),
    ("max_age", "CORS_PREFLIGHT_MAX_AGE", None, 86400),
    ("urls", "CORS_URLS_REGEX", None, r"^.*$"),
    ("private_network", "CORS_ALLOW_PRIVATE_NETWORK", None, False),
)


@record
class Setting:
    """One CORS setting as django-cors-headers reads it."""

    name: str           # the name it was read under (the pre-4 alias when only that is set)
    value: object       # the Python value, an Unknown, or the package default
    line: int | None    # None: the package default
    entries: list[int]  # per-entry lines of a list setting
    is_set: bool = False
    #: the file it is written in, when another settings module of the package
    #: (`from .cors import *`, split settings' include()) rather than the one linted
    path: str = ""


def read_settings(module: SettingsModule) -> dict[str, Setting]:
    """Every CORS setting under the name django-cors-headers reads it from
    (the pre-4 alias when only that is set), else the package default."""
    settings = {}
    for key, name, old, default in SETTINGS:
        value, line = module.setting(name)
        used = name
        if value is MISSING and old is not None:
            old_value, old_line = module.setting(old)
            if old_value is not MISSING:
                value, line, used = old_value, old_line, old
        if value is MISSING:
            value, line = default, None
        count = len(value) if isinstance(value, (list, tuple)) else 0
        entries = module.entry_lines(used, count) if line is not None else [0] * count
        settings[key] = Setting(used, value, line, entries, module.is_set_display(used),
                                module.file_of(used) if line is not None else "")
    return settings


class CorsMiddleware:
    """corsheaders.middleware.CorsMiddleware with these settings; `anchor`
    is its MIDDLEWARE entry (where the package defaults come from)."""

    def __init__(self, path: str, settings: dict[str, Setting], anchor: Source):
        self.path = path
        self.settings = settings
        self.anchor = anchor

    def enabled(self, path: str) -> bool | None:
        """CORS_URLS_REGEX accepts the path (re.match on path_info)."""
        regex = self.settings["urls"].value
        if not isinstance(regex, (str, re.Pattern)):
            return None
        try:
            return saferegex.match(regex, path) is not None
        except (re.error, TypeError):
            return None

    def add_response_headers(self, request: Request, answer: Answer) -> None:
        """CorsMiddleware.add_response_headers, after its Vary patch."""
        origin = request.header(ORIGIN)
        if not origin:
            return
        try:
            url = urlsplit(origin)
        except ValueError:
            return
        s = self.settings
        allow_all = _truth(s["allow_all"].value)
        found, found_at = self._origin_found(origin, url)
        allowed = True if allow_all is True or found is True else (False if allow_all is False and found is False
                                                                    else None)
        if allowed is False:
            answer.trace.append((f"origin {origin} is not allowed: only Vary is sent", self.anchor))
            return
        credentials = _truth(s["credentials"].value)
        if allow_all is True:
            value = {True: origin, False: "*", None: None}[credentials]
            source = self.source(s["allow_all"])
        else:   # listed: the origin itself, unless an unknown allow-all could make it '*'
            value = origin if found is True and (allow_all is False or credentials is True) else None
            source = found_at if found is True else self.source(s["origins"])
        if allowed is None:
            answer.certain = False
        known = allowed is True
        answer.trace.append((f"origin {origin} is allowed" if known else f"origin {origin} may be allowed", source))
        add = answer.headers.append
        add(HeaderLine(ACAO, value if known else None, source))
        if credentials is not False:
            add(HeaderLine(ACAC, "true" if known and credentials else None, self.source(s["credentials"])))
        expose = s["expose"]
        if _length(expose.value) != 0:
            add(HeaderLine(ACEH, _joined(expose) if known else None, self.source(expose)))
        if request.method == "OPTIONS":
            for key, name in (("headers", ACAH), ("methods", ACAM)):
                add(HeaderLine(name, _joined(s[key]) if known else None, self.source(s[key])))
            max_age = s["max_age"]
            if _truth(max_age.value) is not False:
                text = None if is_unknown(max_age.value) or not known else str(max_age.value)
                add(HeaderLine(MAX_AGE, text, self.source(max_age), default=max_age.line is None))
        private = _truth(s["private_network"].value)
        if private is not False and request.header("access-control-request-private-network") == "true":
            add(HeaderLine("access-control-allow-private-network", "true" if known and private else None,
                           self.source(s["private_network"])))
        if any(h.value is None for h in answer.headers):
            answer.certain = False

    def _origin_found(self, origin: str, url) -> tuple[bool | None, Source | None]:
        """CorsMiddleware.origin_found_in_white_lists: (found, where the entry is
        written); found is None when an unknown entry might match."""
        unsure = False
        origins = self.settings["origins"]
        entries = _entries(origins)
        if entries is None:
            unsure = True
        else:
            if origin == "null" and any(v == "null" for v, _ in entries):
                return True, self.at(origins, next(line for v, line in entries if v == "null"))
            for entry, line in entries:
                parts = _split(entry)
                if parts is None:
                    unsure = True
                elif parts.scheme == url.scheme and parts.netloc == url.netloc:
                    return True, self.at(origins, line)
        regexes = _entries(self.settings["regexes"])
        if regexes is None:
            return None, None
        for pattern, line in regexes:
            try:
                if saferegex.match(pattern, origin):   # type: ignore[arg-type]
                    return True, self.at(self.settings["regexes"], line)
            except (re.error, TypeError):
                unsure = True
        return (None if unsure else False), None

    def source(self, setting: Setting) -> Source:
        """Where a setting is written (a package default: the CorsMiddleware line)."""
        return self.at(setting, setting.line) if setting.line is not None else self.anchor

    def refused_regexes(self) -> list[InputError]:
        """The CORS_ALLOWED_ORIGIN_REGEXES entries Python's `re` refuses.
        django-cors-headers' system checks only test their type, so the app
        starts; its middleware then calls `re.match(pattern, origin)` for
        every request whose Origin is not in CORS_ALLOWED_ORIGINS, which
        raises: each such request (preflights too) answers 500."""
        setting = self.settings["regexes"]
        out = []
        for pattern, line in _entries(setting) if isinstance(setting.value, (list, tuple)) else ():
            if not isinstance(pattern, str):
                continue
            try:
                saferegex.compile(pattern)
            except re.error as exc:
                where = self.at(setting, line)
                out.append(InputError(where.path, where.line, (
                    f"re.error: {exc} ({setting.name} entry {pattern!r}): django-cors-headers compiles it at each "
                    f"request whose Origin is not in CORS_ALLOWED_ORIGINS, and that request answers 500")))
        return out

    def at(self, setting: Setting, line: int) -> Source:
        """Line `line` of the file `setting` is written in."""
        return Source(setting.path or self.path, line)

    # -- what the rules see --------------------------------------------------------------
    def covered_path(self) -> str:
        """A path CORS_URLS_REGEX accepts: `/` for the default, else an
        example of the regex (`^/api/.*$` -> `/api/`)."""
        from ...regexes import example_for

        text = pattern_text(self.settings["urls"].value)
        candidates = list(example_for(text)) if isinstance(text, str) else []
        for path in candidates + ["/", "/api/", "/api/v1/"]:
            if path.startswith("/") and self.enabled(path):
                return path
        return "/"

    def origin_patterns(self) -> tuple[OriginPattern, ...]:
        """CORS_ALLOWED_ORIGIN_REGEXES as search patterns, each at its entry's line."""
        out = []
        for pattern, line in _entries(self.settings["regexes"]) or ():
            text = pattern_text(pattern)
            if isinstance(text, str):
                ignore_case = isinstance(pattern, re.Pattern) and bool(pattern.flags & re.IGNORECASE)
                out.append(OriginPattern(_start_anchored(text), ignore_case, self.at(self.settings["regexes"], line)))
        return tuple(out)

    def literal_origins(self) -> tuple[str, ...]:
        """The CORS_ALLOWED_ORIGINS entries that are known strings."""
        return tuple(v for v, _ in (_entries(self.settings["origins"]) or ()) if isinstance(v, str))


def _truth(value) -> bool | None:
    """Python truthiness, None for an unknown value."""
    if is_unknown(value):
        return None
    try:
        return bool(value)
    except TypeError:   # a container holding unknowns is still truthy when non-empty
        return None


def _length(value) -> int | None:
    if is_unknown(value):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _joined(setting: Setting) -> str | None:
    """`", ".join(value)` as the middleware computes it (a string is joined
    character by character); None when unknown or in set (hash) order."""
    value = setting.value
    if is_unknown(value) or setting.is_set or not isinstance(value, (list, tuple, str)):
        return None
    if any(not isinstance(v, str) for v in value):
        return None
    return ", ".join(value)


def _entries(setting: Setting) -> list[tuple[object, int]] | None:
    """(entry, line) of a list setting; None when the list itself is unknown.
    Unknown entries stay in the list (they may match anything)."""
    value = setting.value
    if is_unknown(value):
        return None
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, str):
        return [(ch, setting.line or 0) for ch in value]
    if not isinstance(value, (list, tuple)):
        return None
    return list(zip(value, setting.entries))


def _split(entry):
    if not isinstance(entry, str):
        return None
    try:
        return urlsplit(entry)
    except ValueError:
        return None


def pattern_text(pattern):
    """A regex setting entry as text (a compiled pattern's source)."""
    return pattern.pattern if isinstance(pattern, re.Pattern) else pattern


def _start_anchored(regex: str) -> str:
    """The regex as a search pattern with `re.match`'s implicit start anchor,
    so pattern analysis sees what the middleware matches."""
    if regex.startswith("^") and "|" not in regex:
        return regex
    if regex.startswith("(?") and regex[2:3].isalpha():
        return regex     # global inline flags must stay first; analysis falls back to the model's answers
    return f"^(?:{regex})"
