"""Django settings + django-cors-headers 4.x lowered into the server model.

What the real package does (corsheaders/middleware.py, conf.py, checks.py,
4.9.0), and so what `DjangoApp.answer` reproduces:

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

The application behind it is unknown code (urls.py is elsewhere): it
answers 200 with no CORS headers of its own.  Package defaults (methods,
headers, max-age) are attributed to the CorsMiddleware line: that line is
what sends them.  Settings read from the environment are unknown, and so
are the header values that depend on them.
"""

from __future__ import annotations

import ast
import re
from urllib.parse import urlsplit

from .. import saferegex
from ..model import Answer, HeaderLine, OriginPattern, Request, Scope, Source
from ..record import record
from .base import AppModel, MiddlewareOrder, ParsedApp, read_python
from .django_settings import DEFAULTS, MISSING, SettingsModule
from .pyvalues import Unknown, is_unknown

CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
#: middleware that can produce or replace a response on its own, so a
#: CorsMiddleware below it never sees that response
ANSWERS_FIRST = {
    "django.middleware.common.CommonMiddleware":
        "answers APPEND_SLASH/PREPEND_WWW redirects and disallowed-host 400s itself",
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves static files itself",
    "django.middleware.locale.LocaleMiddleware": "replaces 404s with language-prefix redirects",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware": "replaces 404s with redirects",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware": "replaces 404s with flat pages",
}
#: middleware that patches Vary on every response it passes (whatever the view did)
VARY_ALWAYS = {"django.middleware.locale.LocaleMiddleware": "Accept-Language"}

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
_MENTION = re.compile(r"\bCORS_[A-Z_]+\b|corsheaders")


@record
class Setting:
    """One CORS setting as django-cors-headers reads it."""

    name: str           # the name it was read under (the pre-4 alias when only that is set)
    value: object       # the Python value, an Unknown, or the package default
    line: int | None    # None: the package default
    entries: list[int]  # per-entry lines of a list setting
    is_set: bool = False


class DjangoApp(AppModel):
    """A settings module with django-cors-headers; see the module docstring."""

    base_url = "https://app.example"

    def __init__(self, path: str, parsed: ParsedApp, module: SettingsModule | None):
        super().__init__(path, parsed, [])
        self.module = module
        self.settings: dict[str, Setting] = {}
        self.middleware: list[tuple[str, int]] | Unknown | None = None
        self.anchor = Source(path, 1)
        if module is not None:
            self._read(module)

    # -- reading ----------------------------------------------------------------------
    def _read(self, module: SettingsModule) -> None:
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
            self.settings[key] = Setting(used, value, line, entries, module.is_set_display(used))
        self.middleware = self._read_middleware(module)
        self.anchor = Source(self.path, self._anchor_line(module))

    def _read_middleware(self, module: SettingsModule):
        value, _line = module.setting("MIDDLEWARE")
        if value is MISSING:
            return None     # a settings fragment: the project's MIDDLEWARE is elsewhere
        if is_unknown(value) or not isinstance(value, (list, tuple)) or any(not isinstance(v, str) for v in value):
            return value if is_unknown(value) else Unknown("MIDDLEWARE is not a list of strings")
        return list(zip(value, module.entry_lines("MIDDLEWARE", len(value))))

    def _anchor_line(self, module: SettingsModule) -> int:
        """The CorsMiddleware entry, else the first line naming CORS settings."""
        if isinstance(self.middleware, list):
            for name, line in self.middleware:
                if name == CORS_MIDDLEWARE:
                    return line
        for node in module.tree.body:
            if _MENTION.search(ast.get_source_segment(module.source, node) or ""):
                return node.lineno
        return 1

    # -- what is installed -------------------------------------------------------------
    @property
    def cors_installed(self) -> bool | None:
        """CorsMiddleware is in MIDDLEWARE (None: MIDDLEWARE is not known here)."""
        if isinstance(self.middleware, list):
            return any(name == CORS_MIDDLEWARE for name, _ in self.middleware)
        return None

    def _around_cors(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """(middleware above CorsMiddleware, below it), each in MIDDLEWARE order."""
        if not isinstance(self.middleware, list):
            return [], []
        names = [n for n, _ in self.middleware]
        if CORS_MIDDLEWARE not in names:
            return self.middleware, []
        i = names.index(CORS_MIDDLEWARE)
        return self.middleware[:i], self.middleware[i + 1:]

    def enabled(self, path: str) -> bool | None:
        """CORS_URLS_REGEX accepts the path (re.match on path_info)."""
        regex = self.settings["urls"].value if self.settings else r"^.*$"
        if not isinstance(regex, (str, re.Pattern)):
            return None
        try:
            return saferegex.match(regex, path) is not None
        except (re.error, TypeError):
            return None

    # -- the answer ------------------------------------------------------------------
    def answer(self, request: Request, upstream=None, files=None, client_addr=None) -> Answer:
        answer = Answer(200, handler="app", certain=self.module is not None)
        if self.module is None:
            return answer
        above, below = self._around_cors()
        installed = self.cors_installed
        enabled = self.enabled(request.path) if installed is not False else False
        if installed is None or enabled is None:
            answer.certain = False
        vary: list[str] = []
        vary_source: list[Source] = []
        preflight = (enabled is not False and request.method == "OPTIONS"
                     and request.header("access-control-request-method") is not None)
        if preflight:
            answer.handler, answer.status_source = "middleware", self.anchor
            answer.trace.append(("CorsMiddleware answers the preflight itself (200, empty body)", self.anchor))
        else:
            answer.trace.append(("the application's view answers (unknown code: assumed 200)", None))
            self._vary_from(below, vary, vary_source)
        if enabled is not False:
            _patch_vary(vary, ["origin"], vary_source, self.anchor)
            self._cors_headers(request, answer)
        self._vary_from(above, vary, vary_source)
        if vary:
            answer.headers.insert(0, HeaderLine("vary", ", ".join(vary), vary_source[-1]))
        return answer

    def _vary_from(self, chain, vary: list[str], sources: list[Source]) -> None:
        """Vary patches of the middleware in `chain`, innermost first (responses travel up)."""
        for name, line in reversed(chain):
            if name in VARY_ALWAYS:
                _patch_vary(vary, [VARY_ALWAYS[name]], sources, Source(self.path, line))

    def _cors_headers(self, request: Request, answer: Answer) -> None:
        """CorsMiddleware.add_response_headers, after its Vary patch."""
        origin = request.header("origin")
        if not origin:
            return
        try:
            url = urlsplit(origin)
        except ValueError:
            return
        s = self.settings
        allow_all = _truth(s["allow_all"].value)
        found, found_line = self._origin_listed(origin, url)
        allowed = True if allow_all is True or found is True else (False if allow_all is False and found is False
                                                                    else None)
        if allowed is False:
            answer.trace.append((f"origin {origin} is not allowed: only Vary is sent", self.anchor))
            return
        credentials = _truth(s["credentials"].value)
        if allow_all is True:
            value = {True: origin, False: "*", None: None}[credentials]
            source = self._source(s["allow_all"])
        else:   # listed: the origin itself, unless an unknown allow-all could make it '*'
            value = origin if found is True and (allow_all is False or credentials is True) else None
            source = Source(self.path, found_line) if found is True else self._source(s["origins"])
        if allowed is None:
            answer.certain = False
        known = allowed is True
        answer.trace.append((f"origin {origin} is allowed" if known else f"origin {origin} may be allowed", source))
        add = answer.headers.append
        add(HeaderLine("access-control-allow-origin", value if known else None, source))
        if credentials is not False:
            add(HeaderLine("access-control-allow-credentials", "true" if known and credentials else None,
                           self._source(s["credentials"])))
        expose = s["expose"]
        if _length(expose.value) != 0:
            add(HeaderLine("access-control-expose-headers", _joined(expose) if known else None, self._source(expose)))
        if request.method == "OPTIONS":
            for key, name in (("headers", "access-control-allow-headers"), ("methods", "access-control-allow-methods")):
                add(HeaderLine(name, _joined(s[key]) if known else None, self._source(s[key])))
            max_age = s["max_age"]
            if _truth(max_age.value) is not False:
                text = None if is_unknown(max_age.value) or not known else str(max_age.value)
                add(HeaderLine("access-control-max-age", text, self._source(max_age), default=max_age.line is None))
        private = _truth(s["private_network"].value)
        if private is not False and request.header("access-control-request-private-network") == "true":
            add(HeaderLine("access-control-allow-private-network", "true" if known and private else None,
                           self._source(s["private_network"])))
        if any(h.value is None for h in answer.headers):
            answer.certain = False

    def _origin_listed(self, origin: str, url) -> tuple[bool | None, int]:
        """CorsMiddleware.origin_found_in_white_lists: (found, entry line);
        found is None when an unknown entry might match."""
        unsure = False
        origins = self.settings["origins"]
        entries = _entries(origins)
        if entries is None:
            unsure = True
        else:
            if origin == "null" and any(v == "null" for v, _ in entries):
                return True, next(line for v, line in entries if v == "null")
            for entry, line in entries:
                parts = _split(entry)
                if parts is None:
                    unsure = True
                elif parts.scheme == url.scheme and parts.netloc == url.netloc:
                    return True, line
        regexes = _entries(self.settings["regexes"])
        if regexes is None:
            return None, 0
        for pattern, line in regexes:
            try:
                if saferegex.match(pattern, origin):   # type: ignore[arg-type]
                    return True, line
            except (re.error, TypeError):
                unsure = True
        return (None if unsure else False), 0

    def _source(self, setting: Setting) -> Source:
        return Source(self.path, setting.line) if setting.line is not None else self.anchor

    # -- scopes and facts -------------------------------------------------------------
    def scopes(self) -> list[Scope]:
        if self.module is None:
            return []
        urls = self.settings["urls"]
        path = self._scope_path(urls.value)
        enabled = self.enabled(path)
        literal = tuple(v for v, _ in (_entries(self.settings["origins"]) or ()) if isinstance(v, str))
        name = "every path" if urls.line is None else f"CORS_URLS_REGEX {_pattern_text(urls.value)!r}"
        return [Scope(name=name, url=self.base_url + path, source=self._source(urls),
                      origin_patterns=self._origin_patterns(), literal_origins=literal,
                      emits_cors=self.cors_installed is not False and enabled is not False)]

    def _scope_path(self, regex) -> str:
        """A path CORS_URLS_REGEX accepts: `/` for the default, else an
        example of the regex (`^/api/.*$` -> `/api/`)."""
        from ..regexes import example_for

        text = _pattern_text(regex)
        candidates = list(example_for(text)) if isinstance(text, str) else []
        for path in candidates + ["/", "/api/", "/api/v1/"]:
            if path.startswith("/") and self.enabled(path):
                return path
        return "/"

    def _origin_patterns(self) -> tuple[OriginPattern, ...]:
        out = []
        for pattern, line in _entries(self.settings["regexes"]) or ():
            text = _pattern_text(pattern)
            if isinstance(text, str):
                ignore_case = isinstance(pattern, re.Pattern) and bool(pattern.flags & re.IGNORECASE)
                out.append(OriginPattern(_start_anchored(text), ignore_case, Source(self.path, line)))
        return tuple(out)

    def facts(self):
        if self.module is None:
            return
        yield from self._order_facts()
        if self._checks_registered():
            from .django_checks import startup_errors

            yield from startup_errors(self)

    def _order_facts(self):
        above, _below = self._around_cors()
        if self.cors_installed is not True:
            return
        first = [(n, line) for n, line in above if n in ANSWERS_FIRST]
        if first:
            short = ", ".join(n.rsplit(".", 1)[-1] for n, _ in first)
            yield MiddlewareOrder(
                self.anchor,
                f"CorsMiddleware is listed after {short}, which can answer first ({ANSWERS_FIRST[first[0][0]]}): "
                f"those responses carry no CORS headers; put CorsMiddleware above it",
                [(Source(self.path, line), f"{n.rsplit('.', 1)[-1]} runs before CorsMiddleware") for n, line in first])

    def _checks_registered(self) -> bool:
        """django-cors-headers registers its system checks from its AppConfig:
        only when `corsheaders` is in INSTALLED_APPS (or that is not known here)."""
        apps, _line = self.module.setting("INSTALLED_APPS")
        if apps is MISSING or is_unknown(apps) or not isinstance(apps, (list, tuple)):
            return True
        return any(a in ("corsheaders", "corsheaders.apps.CorsHeadersAppConfig") or is_unknown(a) for a in apps)


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


def _pattern_text(pattern):
    return pattern.pattern if isinstance(pattern, re.Pattern) else pattern


def _start_anchored(regex: str) -> str:
    """The regex as a search pattern with `re.match`'s implicit start anchor,
    so pattern analysis sees what the middleware matches."""
    if regex.startswith("^") and "|" not in regex:
        return regex
    if regex.startswith("(?") and regex[2:3].isalpha():
        return regex     # global inline flags must stay first; analysis falls back to the model's answers
    return f"^(?:{regex})"


def _patch_vary(vary: list[str], names: list[str], sources: list[Source], source: Source) -> None:
    """django.utils.cache.patch_vary_headers on a list of names."""
    present = {v.lower() for v in vary}
    added = [n for n in names if n.lower() not in present]
    if added:
        vary.extend(added)
        sources.append(source)
    if "*" in vary:
        vary[:] = ["*"]


def load(path: str, display: str) -> DjangoApp:
    """The model of one settings module (read, never imported)."""
    parsed, module = read_python(path, display, lambda source: SettingsModule(source, display))
    return DjangoApp(display, parsed, module)
