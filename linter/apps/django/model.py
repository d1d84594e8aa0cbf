"""Django settings + django-cors-headers 4.x lowered into the server model.

A request goes through MIDDLEWARE top down and the response comes back
bottom up.  CorsMiddleware (django/cors.py) answers a preflight itself and
adds its headers to every response on the paths it covers; middleware above
it can answer first (a CORS501 fact) or patch Vary on the way out.

The application behind it is unknown code (urls.py is elsewhere): it
answers 200 with no CORS headers of its own.
"""

from __future__ import annotations

import ast
import re

from ...backend import FileOracle, Upstream
from ...code.python import read_python
from ...code.values import Unknown, is_unknown
from ...cors import ACRM, VARY
from ...model import Answer, Handler, HeaderLine, MiddlewareOrder, Parsed, Request, Scope, Source
from ..base import AppModel
from .checks import checks_registered, startup_errors
from .cors import CORS_MIDDLEWARE, CorsMiddleware, pattern_text, read_settings
from .source import MISSING, SettingsModule

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
        if module is not None:
            self._read(module)

    # -- reading ----------------------------------------------------------------------
    def _read(self, module: SettingsModule) -> None:
        settings = read_settings(module)
        self.middleware = self._read_middleware(module)
        self.anchor = Source(self.path, self._anchor_line(module))
        self.cors = CorsMiddleware(self.path, settings, self.anchor)

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
        above, below = self._around_cors()
        installed = self.cors_installed
        enabled = self.cors.enabled(request.path) if installed is not False else False
        if installed is None or enabled is None:
            answer.certain = False
        vary: list[str] = []
        vary_source: list[Source] = []
        preflight = (enabled is not False and request.method == "OPTIONS"
                     and request.header(ACRM) is not None)
        if preflight:
            answer.handler, answer.status_source = Handler.MIDDLEWARE, self.anchor
            answer.trace.append(("CorsMiddleware answers the preflight itself (200, empty body)", self.anchor))
        else:
            answer.trace.append(("the application's view answers (unknown code: assumed 200)", None))
            self._vary_from(below, vary, vary_source)
        if enabled is not False:
            _patch_vary(vary, ["origin"], vary_source, self.anchor)
            self.cors.add_response_headers(request, answer)
        self._vary_from(above, vary, vary_source)
        if vary:
            answer.headers.insert(0, HeaderLine(VARY, ", ".join(vary), vary_source[-1]))
        return answer

    def _vary_from(self, chain, vary: list[str], sources: list[Source]) -> None:
        """Vary patches of the middleware in `chain`, innermost first (responses travel up)."""
        for name, line in reversed(chain):
            if name in VARY_ALWAYS:
                _patch_vary(vary, [VARY_ALWAYS[name]], sources, Source(self.path, line))

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
        if checks_registered(self.module):
            yield from startup_errors(self.cors, self.module)

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
