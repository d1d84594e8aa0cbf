"""Starlette's `CORSMiddleware` (starlette 1.x `starlette/middleware/cors.py`),
replayed on statically known arguments.

The middleware answers a preflight itself (OPTIONS with both Origin and
Access-Control-Request-Method): 200 "OK", or 400 "Disallowed CORS origin,
method, headers" when a check fails, and even the 400 carries Vary, ACAM,
Max-Age, ACAH (safelisted + configured) and ACAC.  Every other request goes
on to the app and, on the way out, gets ACAO `*` (allow-all), ACAC and ACEH
whenever the request has an Origin, even a disallowed one, the request
Origin itself for an allowed one (or for any origin when allow-all meets
credentials), and `Vary: Origin` always.  Python's own semantics are kept
(`"*" in allow_origins` on a string is a substring test, `str(max_age)`,
`sorted()` of the header set), because that is what runs.

An argument the file does not pin down (environment, settings object) is
Unknown: the header lines it decides get value None and the answer is
marked uncertain, never guessed.
"""

from __future__ import annotations

import re

from ... import saferegex
from ...code.values import is_unknown
from ...cors import ACAC, ACAH, ACAM, ACAO, ACEH, ACRH, ACRM, MAX_AGE, ORIGIN, VARY
from ...model import Answer, Handler, HeaderLine, Request, Source

PARAMS = ("allow_origins", "allow_methods", "allow_headers", "allow_credentials", "allow_origin_regex",
          "allow_private_network", "expose_headers", "max_age")
DEFAULTS = {"allow_origins": (), "allow_methods": ("GET",), "allow_headers": (), "allow_credentials": False,
            "allow_origin_regex": None, "allow_private_network": False, "expose_headers": (), "max_age": 600}
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
SAFELISTED_HEADERS = {"Accept", "Accept-Language", "Content-Language", "Content-Type"}
PREFLIGHT_VARY = ("Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                  "Access-Control-Request-Private-Network")


def _derive(fn, *values):
    """fn(*values), or the first Unknown among them."""
    for value in values:
        if is_unknown(value):
            return value
    return fn(*values)


def first_header(request: Request, name: str) -> str | None:
    """The first value of a request header, as Starlette's `Headers.get` reads it."""
    return next((v for n, v in request.headers if n == name), None)


class Headers:
    """Response header lines with Starlette's `MutableHeaders` assignment:
    setting a header replaces the first line in place and drops the others."""

    def __init__(self, lines: list[HeaderLine]):
        self.lines = lines

    def set(self, name: str, value: str | None, source: Source, via: tuple[Source, ...] = ()) -> None:
        same = [h for h in self.lines if h.name == name]
        if not same:
            self.lines.append(HeaderLine(name, value, source, via=via))
            return
        same[0].value, same[0].source, same[0].via = value, source, via
        self.lines[:] = [h for h in self.lines if h.name != name or h is same[0]]

    def add_vary_origin(self, source: Source) -> None:
        values = [h.value for h in self.lines if h.name == VARY]
        self.set(VARY, ", ".join([*(v or "" for v in values), "Origin"]), source)


class CorsLayer:
    """One CORSMiddleware with its evaluated arguments.

    `settings` maps each argument to (value, source line, written-out list
    items); absent arguments take Starlette's defaults and point at the
    middleware's own line.  `error` is set when the constructor would raise.
    """

    def __init__(self, settings: dict[str, tuple], source: Source, conditional: bool = False):
        self.source = source
        self.conditional = conditional
        self.value = {name: settings[name][0] if name in settings else DEFAULTS[name] for name in PARAMS}
        self.line = {name: settings[name][1] if name in settings else source for name in PARAMS}
        self.items = {name: settings[name][2] if name in settings else [] for name in PARAMS}
        self.error: str | None = None
        try:
            self._derive()
        except re.error as exc:
            self.error = f"allow_origin_regex is not a valid regular expression ({exc})"
        except (TypeError, AttributeError, ValueError) as exc:
            self.error = f"CORSMiddleware({type(exc).__name__}: {exc})"

    def _derive(self) -> None:
        """What `CORSMiddleware.__init__` computes, each part Unknown when
        its argument is."""
        v = self.value
        self.methods = _derive(lambda m: ALL_METHODS if "*" in m else m, v["allow_methods"])
        self.acam = _derive(", ".join, self.methods)
        self.regex = _derive(lambda r: None if r is None else saferegex.compile(r), v["allow_origin_regex"])
        self.allow_all = _derive(lambda o: "*" in o, v["allow_origins"])
        self.all_headers = _derive(lambda h: "*" in h, v["allow_headers"])
        self.credentials = _derive(bool, v["allow_credentials"])
        if self.allow_all is False or self.credentials is True:
            self.explicit = True
        else:
            self.explicit = _derive(lambda a, c: not a or c, self.allow_all, self.credentials)
        headers = _derive(lambda h: sorted(SAFELISTED_HEADERS | set(h)), v["allow_headers"])
        self.acah = _derive(", ".join, headers)
        self.allowed_headers = _derive(lambda hs: [h.lower() for h in hs], headers)
        self.expose = _derive(lambda e: ", ".join(e) if e else "", v["expose_headers"])
        self.max_age = _derive(str, v["max_age"])
        self.private_network = _derive(bool, v["allow_private_network"])

    # -- origins --------------------------------------------------------------
    def is_allowed(self, origin: str) -> tuple[bool | None, Source, tuple[Source, ...]]:
        """(allowed?, the setting that decided, the list entry that matched)."""
        line = self.line["allow_origins"]
        if self.allow_all is True:
            return True, line, self._entry_lines("*")
        if self.regex is not None and not is_unknown(self.regex) and self.regex.fullmatch(origin):
            return True, self.line["allow_origin_regex"], ()
        origins = self.value["allow_origins"]
        if not is_unknown(origins) and origin in origins:
            return True, line, self._entry_lines(origin)
        if is_unknown(origins) or is_unknown(self.regex):
            return None, line, ()
        return False, line, ()

    def _entry_lines(self, entry: str) -> tuple[Source, ...]:
        path = self.source.path
        return tuple(Source(path, n) for value, n in self.items["allow_origins"] if value == entry)[:1]

    def origin_patterns(self) -> list[str]:
        regex = self.value["allow_origin_regex"]
        return [regex] if isinstance(regex, str) and not is_unknown(self.regex) else []

    def literal_origins(self) -> list[str]:
        origins = self.value["allow_origins"]
        return [o for o in origins if isinstance(o, str)] if isinstance(origins, (list, tuple, set)) else []

    def origin_entries(self) -> list[tuple[str, Source]]:
        """allow_origins entries with their lines (compared with the Origin, never sent as written)."""
        return [(value, Source(self.source.path, n)) for value, n in self.items["allow_origins"]
                if isinstance(value, str) and value != "*"]

    @property
    def origin_sensitive(self) -> bool:
        """With allow-all and no credentials every origin gets the same answer."""
        return not (self.allow_all is True and self.credentials is False)

    # -- requests ---------------------------------------------------------------
    @staticmethod
    def is_preflight(request: Request) -> bool:
        return (request.method == "OPTIONS" and first_header(request, ORIGIN) is not None
                and first_header(request, ACRM) is not None)

    def preflight(self, request: Request) -> Answer:
        """`CORSMiddleware.preflight_response`."""
        origin = first_header(request, ORIGIN)
        method = first_header(request, ACRM)
        requested = first_header(request, ACRH)
        private = first_header(request, "access-control-request-private-network")
        answer = Answer(status=None, handler=Handler.MIDDLEWARE)
        out = Headers(answer.headers)
        line = self.line
        out.set(VARY, PREFLIGHT_VARY, self.source)
        if self.explicit is not True:
            out.set(ACAO, "*" if self.explicit is False else None, line["allow_origins"])
        out.set(ACAM, _text(self.acam), line["allow_methods"])
        out.set(MAX_AGE, _text(self.max_age), line["max_age"])
        if self.all_headers is not True:
            out.set(ACAH, _text(self.acah), line["allow_headers"])
        if self.credentials is not False:
            out.set(ACAC, "true" if self.credentials is True else None, line["allow_credentials"])
        failures: list[tuple[str, Source]] = []
        unsure: list[str] = []
        allowed, decided, via = self.is_allowed(origin)
        if allowed is False:
            failures.append(("origin", decided))
        elif self.explicit is not False:
            out.set(ACAO, origin if allowed and self.explicit is True else None, decided, via)
            if allowed is None:
                unsure.append("origin")
        if is_unknown(self.methods):
            unsure.append("method")
        elif method not in self.methods:
            failures.append(("method", line["allow_methods"]))
        if requested is not None:
            self._check_headers(requested, out, failures, unsure)
        if private is not None:
            if self.private_network is True:
                out.set("access-control-allow-private-network", "true", line["allow_private_network"])
            elif self.private_network is False:
                failures.append(("private-network", line["allow_private_network"]))
            else:
                unsure.append("private-network")
        if failures:
            answer.status, answer.status_source = 400, failures[0][1]
            text = "Disallowed CORS " + ", ".join(f for f, _ in failures)
            answer.trace.append((f"CORSMiddleware answers 400 \"{text}\"", failures[0][1]))
        elif unsure:
            answer.certain = False
            answer.trace.append((f"CORSMiddleware answers 200 or 400: {', '.join(unsure)} unknown", self.source))
        else:
            answer.status, answer.status_source = 200, self.source
            answer.trace.append(("CORSMiddleware answers the preflight 200 \"OK\"", self.source))
        answer.certain = answer.certain and not unsure and _settled(answer)
        return answer

    def _check_headers(self, requested: str, out: Headers, failures: list, unsure: list) -> None:
        source = self.line["allow_headers"]
        if self.all_headers is True:
            out.set(ACAH, requested, source)
        elif is_unknown(self.all_headers):
            out.set(ACAH, None, source)
            unsure.append("headers")
        elif any(h.strip() not in self.allowed_headers for h in requested.lower().split(",")):
            failures.append(("headers", source))

    def decorate(self, answer: Answer, request: Request) -> None:
        """`CORSMiddleware.send`: the headers added to the app's response."""
        origin = first_header(request, ORIGIN)
        out = Headers(answer.headers)
        line = self.line
        if origin is not None:
            if self.allow_all is not False:
                out.set(ACAO, "*" if self.allow_all is True else None, line["allow_origins"], self._entry_lines("*"))
            if self.credentials is not False:
                out.set(ACAC, "true" if self.credentials is True else None, line["allow_credentials"])
            if is_unknown(self.expose) or self.expose:
                out.set(ACEH, _text(self.expose), line["expose_headers"])
            if self.allow_all is True and self.credentials is True:
                out.set(ACAO, origin, line["allow_origins"], self._entry_lines("*") + (line["allow_credentials"],))
                answer.trace.append(("allow-all with credentials: the request Origin is echoed back",
                                     line["allow_origins"]))
            elif self.allow_all is True and is_unknown(self.credentials):
                out.set(ACAO, None, line["allow_origins"])
            elif self.allow_all is False:
                allowed, decided, via = self.is_allowed(origin)
                if allowed is not False:
                    out.set(ACAO, origin if allowed else None, decided, via)
        out.add_vary_origin(self.source)
        answer.certain = answer.certain and _settled(answer)


def _text(value) -> str | None:
    return None if is_unknown(value) else value


def _settled(answer: Answer) -> bool:
    return all(h.value is not None for h in answer.headers)
