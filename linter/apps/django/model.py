"""Django settings + django-cors-headers 4.x lowered into the server model.

A request goes through MIDDLEWARE top down and the response comes back
bottom up.  CorsMiddleware (django/cors.py) answers a preflight itself and
adds its headers to every response on the paths it covers; middleware above
it can answer first (a CORS501 fact) or patch Vary on the way out.

The application behind it is unknown code: a view answers 200 (assumed)
with no CORS headers of its own.  Where ROOT_URLCONF's patterns can be read
(django/urls.py), a path no pattern matches gets Django's 404, and
CommonMiddleware replaces it with the APPEND_SLASH 301 when only the path
with a slash resolves: that response passes only the middleware above
CommonMiddleware (real Django 5.2: a preflight is still answered 200 by
CorsMiddleware wherever it sits, since CommonMiddleware redirects in
process_response and only on a 404).
"""

from __future__ import annotations

import ast
import os
import re

from ...backend import FileOracle, Upstream
from ...code.python import read_python
from ...code.values import Unknown, is_unknown
from ...cors import ACRM, VARY
from ...model import Answer, ConfiguredCors, Handler, HeaderLine, MiddlewareOrder, Parsed, Request, Scope, Source
from ..base import AppModel
from .checks import checks_registered, startup_errors
from .cors import CORS_MIDDLEWARE, CorsMiddleware, pattern_text, read_settings
from .source import MISSING, SettingsModule
from .urls import UrlConf, read_urlconf

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

COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"
_MENTION = re.compile(r"\bCORS_[A-Z_]+\b|corsheaders")


class DjangoApp(AppModel):
    """A settings module with django-cors-headers; see the module docstring."""

    base_url = "https://app.example"

    def __init__(self, path: str, parsed: Parsed, module: SettingsModule | None):
        super().__init__(path, parsed, [])
        self.module = module
        self.middleware: list[tuple[str, int]] | Unknown | None = None
        self.anchor = Source(path, 1)
        #: the CORS layer (None when the module could not be read)
        self.cors: CorsMiddleware | None = None
        #: ROOT_URLCONF's patterns (None: not read, so every path is assumed to resolve)
        self.urlconf: UrlConf | None = None
        if module is not None:
            self._read(module)

    # -- reading ----------------------------------------------------------------------
    def _read(self, module: SettingsModule) -> None:
        settings = read_settings(module)
        self.middleware = self._read_middleware(module)
        self.anchor = Source(self.path, self._anchor_line(module))
        self.cors = CorsMiddleware(self.path, settings, self.anchor)
        self.append_slash = _flag(module, "APPEND_SLASH", True)
        self.debug = _flag(module, "DEBUG", False)
        urlconf, line = module.setting("ROOT_URLCONF")
        self.urlconf_source = Source(self.path, line or 1)
        self.urlconf = read_urlconf(module.file or self.path, module.package.root if module.package else
                                    os.path.dirname(os.path.abspath(module.file or self.path)), urlconf) \
            if line is not None else None

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

    # -- the answer ------------------------------------------------------------------
    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        answer = Answer(200, handler=Handler.APP, certain=self.module is not None)
        if self.module is None:
            return answer
        chain = self.middleware if isinstance(self.middleware, list) else []
        names = [n for n, _ in chain]
        cors_at = names.index(CORS_MIDDLEWARE) if CORS_MIDDLEWARE in names else None
        installed = self.cors_installed
        enabled = self.cors.enabled(request.path) if installed is not False else False
        if installed is None or enabled is None:
            answer.certain = False
        preflight = (enabled is not False and request.method == "OPTIONS"
                     and request.header(ACRM) is not None)
        if preflight:
            answer.handler, answer.status_source = Handler.MIDDLEWARE, self.anchor
            answer.trace.append(("CorsMiddleware answers the preflight itself (200, empty body)", self.anchor))
            reached = len(chain) if cors_at is None else cors_at + 1
        else:
            reached = self._respond(request, answer, names)
        # the response travels up through every middleware above the one that made it
        vary: list[str] = []
        vary_source: list[Source] = []
        for i in reversed(range(reached)):
            name, line = chain[i]
            if name in VARY_ALWAYS:
                _patch_vary(vary, [VARY_ALWAYS[name]], vary_source, Source(self.path, line))
            elif i == cors_at and enabled is not False:
                self._add_cors(request, answer, vary, vary_source)
        if cors_at is None and enabled is not False:     # MIDDLEWARE is not known here
            self._add_cors(request, answer, vary, vary_source)
        if vary:
            answer.headers.insert(0, HeaderLine(VARY, ", ".join(vary), vary_source[-1]))
        return answer

    def _add_cors(self, request: Request, answer: Answer, vary: list[str], vary_source: list[Source]) -> None:
        """CorsMiddleware on the way out: its Vary patch, then its headers."""
        _patch_vary(vary, ["origin"], vary_source, self.anchor)
        self.cors.add_response_headers(request, answer)

    def _respond(self, request: Request, answer: Answer, names: list[str]) -> int:
        """What answers a request CorsMiddleware does not answer itself: the
        view ROOT_URLCONF resolves (unknown code: assumed 200), Django's 404,
        or CommonMiddleware's APPEND_SLASH redirect in its place.  Returns
        how many MIDDLEWARE entries, from the top, the response passes."""
        urlconf, path = self.urlconf, request.path
        resolved = urlconf.resolves(path) if urlconf is not None else None
        if urlconf is None or resolved is not False:
            where = "" if urlconf is None else \
                f"ROOT_URLCONF resolves {path}: " if resolved else f"ROOT_URLCONF may resolve {path}: "
            answer.trace.append((f"{where}the application's view answers (unknown code: assumed 200)", None))
            answer.certain = answer.certain and resolved is not None
            return len(names)
        answer.status, answer.handler, answer.status_source = 404, Handler.NOT_FOUND, self.urlconf_source
        answer.trace.append((f"no pattern of ROOT_URLCONF matches {path}: Django answers 404", self.urlconf_source))
        common = names.index(COMMON_MIDDLEWARE) if COMMON_MIDDLEWARE in names else None
        if common is None or path.endswith("/") or self.append_slash is False:
            return len(names)
        slashed = urlconf.resolves(path + "/")
        if slashed is False:
            return len(names)
        source = Source(self.path, self.middleware[common][1])
        if slashed is None or self.append_slash is None:
            answer.status, answer.certain = None, False
            answer.trace.append((f"CommonMiddleware may redirect to {path}/ (APPEND_SLASH)", source))
            return len(names)
        if request.method in ("POST", "PUT", "PATCH") and self.debug is not False:
            answer.status, answer.handler, answer.status_source = (500 if self.debug else None), Handler.APP, source
            answer.certain = answer.certain and self.debug is True
            answer.trace.append((f"CommonMiddleware raises RuntimeError for {request.method} {path} under DEBUG "
                                 f"(it cannot redirect a body): 500", source))
            return common
        target = path + "/" + (f"?{request.query}" if request.query else "")
        answer.status, answer.handler, answer.status_source = 301, Handler.REDIRECT, source
        answer.headers.append(HeaderLine("location", target, source))
        answer.trace.append((f"CommonMiddleware replaces the 404 with a 301 to {target} (APPEND_SLASH: only "
                             f"{path}/ resolves); only middleware above it sees that response", source))
        return common

    # -- scopes and facts -------------------------------------------------------------
    def scopes(self) -> list[Scope]:
        if self.module is None:
            return []
        cors = self.cors
        urls = cors.settings["urls"]
        path = cors.covered_path()
        enabled = cors.enabled(path)
        name = "every path" if urls.line is None else f"CORS_URLS_REGEX {pattern_text(urls.value)!r}"
        return [Scope(name=name, url=self.base_url + path, source=cors.source(urls),
                      origin_patterns=cors.origin_patterns(), literal_origins=cors.literal_origins(),
                      emits_cors=self.cors_installed is not False and enabled is not False)]

    def facts(self):
        if self.module is None:
            return
        yield from self._order_facts()
        yield from self._unapplied()
        if checks_registered(self.module):
            yield from startup_errors(self.cors, self.module)

    def _unapplied(self):
        """CORS_* settings written while MIDDLEWARE (known) has no CorsMiddleware."""
        written = sorted((s for s in self.cors.settings.values() if s.line is not None),
                         key=lambda s: (bool(s.path and s.path != self.path), s.line))
        if self.cors_installed is not False or not written:
            return
        names = ", ".join(s.name for s in written[:3]) + (f" and {len(written) - 3} more" if len(written) > 3 else "")
        _value, line = self.module.setting("MIDDLEWARE")
        yield ConfiguredCors(self.cors.source(written[0]), f"the CORS configuration ({names})",
                             self.base_url + self.cors.covered_path(),
                             f"MIDDLEWARE has no {CORS_MIDDLEWARE}", self.cors.literal_origins(),
                             [(Source(self.path, line or 1), "MIDDLEWARE, without CorsMiddleware")])

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


def _flag(module: SettingsModule, name: str, default: bool) -> bool | None:
    """A boolean setting's truth (Django's default when unset, None when unknown)."""
    value, _line = module.setting(name)
    if value is MISSING:
        return default
    return None if is_unknown(value) else bool(value)


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
    """The model of one settings module (read, never imported), with the
    modules of its package it imports relatively (code/pymodules.py)."""
    from ... import confine
    from ...code.pymodules import Package

    package = Package(confine.lookup_root(path), path)
    module, errors = read_python(path, display, lambda source: SettingsModule(source, display, path, package))
    app = DjangoApp(display, Parsed(display, [display, *package.files], errors, notices=package.notices), module)
    if module is not None:
        app.parsed.errors.extend(app.cors.refused_regexes())
    return app
